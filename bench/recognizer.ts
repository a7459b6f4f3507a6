/**
 * A measurable meaning for "a recognizable sample" of MNIST digits, for bench/firstSample.ts: a
 * digit classifier (MLP 784-256-10, trained here on the bundled MNIST training split) reads each
 * image of a sample grid; an image is *recognized* when the classifier gives one digit a
 * probability of at least CONFIDENT. A grid is *recognizable* when at least MIN_RECOGNIZED of
 * its images are recognized AND they are at least MIN_CLASSES different digits. The second
 * condition keeps out grids of one repeated blob (a decoder early in training draws nearly the
 * same image from every z).
 * The classifier is trained on digits randomly blurred, lowered in contrast and lifted onto a grey
 * background, because a VAE's samples (the Bernoulli decoder's mean) are all three, and because a
 * classifier trained on clean digits alone is fooled by grey noise: measured on the panel's VAE,
 * such a classifier read all 64 images of the untrained (step 0) grid as "3" with p ≥ 0.9, while
 * the one trained this way recognizes none of them. The rule is applied to real held-out digits
 * and to the untrained grid as well, so the thresholds can be judged against both ends.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ImageSet } from '../src/core/data/dataset';
import { Rng } from '../src/core/rng';

/** A classifier probability at or above this counts an image as recognized. */
export const CONFIDENT = 0.7;
/** The fraction of a grid's images that must be recognized. */
export const MIN_RECOGNIZED = 0.5;
/** The number of different digits the recognized images must show. */
export const MIN_CLASSES = 4;

/** What the classifier made of a grid of images. */
export interface GridScore {
  /** Fraction of the images read as one digit with probability ≥ CONFIDENT. */
  recognized: number;
  /** Different digits among the recognized images. */
  classes: number;
  /** Mean of the classifier's top probability over the images. */
  meanConfidence: number;
  /** How many recognized images of each digit 0–9. */
  perDigit: number[];
  /** The rule of this file, applied: recognized ≥ MIN_RECOGNIZED and classes ≥ MIN_CLASSES. */
  recognizable: boolean;
}

/** The rule, in words, for reports. */
export const RULE = `a grid is recognizable when a digit classifier (MLP 784-256-10 trained on the bundled MNIST training split, digits randomly blurred, lowered in contrast and put on a grey background) gives one digit probability ≥ ${CONFIDENT} for at least ${100 * MIN_RECOGNIZED}% of its images, and those images show at least ${MIN_CLASSES} different digits`;

/** A small MLP digit classifier on 28×28 grey images with values in [0, 1]. */
export class DigitClassifier {
  private readonly w1: tf.Variable; private readonly b1: tf.Variable;
  private readonly w2: tf.Variable; private readonly b2: tf.Variable;

  /** Initializes the weights (Glorot-uniform) from `seed`. */
  constructor(seed = 1, hidden = 256) {
    const glorot = (a: number, b: number, s: number) => tf.randomUniform([a, b], -Math.sqrt(6 / (a + b)), Math.sqrt(6 / (a + b)), 'float32', s);
    this.w1 = tf.variable(glorot(784, hidden, seed)); this.b1 = tf.variable(tf.zeros([hidden]));
    this.w2 = tf.variable(glorot(hidden, 10, seed + 1)); this.b2 = tf.variable(tf.zeros([10]));
  }

  private logits(x: tf.Tensor2D): tf.Tensor2D {
    return tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, this.w1), this.b1)), this.w2), this.b2) as tf.Tensor2D;
  }

  /**
   * Trains on `set` for `epochs` epochs of random batches of 128 with Adam 1e-3 (cross-entropy on
   * softmax), each digit x shown as clip(a·x' + b·(1 − a·x'), 0, 1): x' a random mix of x and x
   * twice box-blurred (3×3), contrast a ∈ [0.5, 1], grey background b ∈ [0, 0.3]; all seeded.
   */
  train(set: ImageSet, epochs = 10, seed = 1): void {
    const x = tf.tidy(() => tf.div(tf.tensor2d(set.pixels, [set.count, 784], 'float32'), 255)) as tf.Tensor2D;
    const y = tf.oneHot(tf.tensor1d(set.labels, 'int32'), 10) as tf.Tensor2D;
    const box = tf.div(tf.ones([3, 3, 1, 1]), 9) as tf.Tensor4D;
    const opt = tf.train.adam(1e-3), rng = new Rng(seed), batch = 128;
    for (let step = 0; step < epochs * Math.floor(set.count / batch); step++) {
      tf.tidy(() => {
        const idx = tf.tensor1d(Int32Array.from({ length: batch }, () => Math.floor(rng.next() * set.count)), 'int32');
        const img = tf.reshape(tf.gather(x, idx), [batch, 28, 28, 1]) as tf.Tensor4D;
        const blurred = tf.conv2d(tf.conv2d(img, box, 1, 'same'), box, 1, 'same');
        const mix = tf.randomUniform([batch, 1, 1, 1], 0, 1, 'float32', rng.seed());
        const a = tf.randomUniform([batch, 1, 1, 1], 0.5, 1, 'float32', rng.seed()), b = tf.randomUniform([batch, 1, 1, 1], 0, 0.3, 'float32', rng.seed());
        const ax = tf.mul(tf.add(tf.mul(img, tf.sub(1, mix)), tf.mul(blurred, mix)), a);
        const xb = tf.reshape(tf.clipByValue(tf.add(ax, tf.mul(b, tf.sub(1, ax))), 0, 1), [batch, 784]) as tf.Tensor2D;
        const yb = tf.gather(y, idx) as tf.Tensor2D;
        opt.minimize(() => tf.losses.softmaxCrossEntropy(yb, this.logits(xb)) as tf.Scalar);
      });
    }
    opt.dispose();
    tf.dispose([x, y, box]);
  }

  /** The most probable digit of each of `count` images (values in [0, 1], 784 each) and its probability. */
  predict(images: Float32Array, count: number): { digit: Int32Array; probability: Float32Array } {
    return tf.tidy(() => {
      const p = tf.softmax(this.logits(tf.tensor2d(images, [count, 784])));
      return { digit: tf.argMax(p, 1).dataSync() as Int32Array, probability: tf.max(p, 1).dataSync() as Float32Array };
    });
  }

  /** Accuracy on the labelled images of `set`. */
  accuracy(set: ImageSet): number {
    const { digit } = this.predict(Float32Array.from(set.pixels, (v) => v / 255), set.count);
    let right = 0;
    for (let i = 0; i < set.count; i++) if (digit[i] === set.labels[i]) right++;
    return right / set.count;
  }

  /** Scores `count` images (values in [0, 1], 784 each) by the rule of this file. */
  score(images: Float32Array, count: number): GridScore {
    const { digit, probability } = this.predict(images, count);
    const perDigit = new Array<number>(10).fill(0);
    let recognizedCount = 0, sum = 0;
    for (let i = 0; i < count; i++) {
      sum += probability[i];
      if (probability[i] >= CONFIDENT) {
        recognizedCount++;
        perDigit[digit[i]]++;
      }
    }
    const recognized = recognizedCount / count, classes = perDigit.filter((n) => n > 0).length;
    return { recognized, classes, meanConfidence: sum / count, perDigit, recognizable: recognized >= MIN_RECOGNIZED && classes >= MIN_CLASSES };
  }

  /** Frees the weights. */
  dispose(): void {
    tf.dispose([this.w1, this.b1, this.w2, this.b2]);
  }
}

/** Scores real images of `set` in grids of `grid` (the panel's 64), for the real-data end of the scale: the median grid. */
export function realDigitScore(classifier: DigitClassifier, set: ImageSet, grid = 64): GridScore & { grids: number; recognizableGrids: number } {
  const scores: GridScore[] = [];
  for (let s = 0; s + grid <= set.count; s += grid) {
    scores.push(classifier.score(Float32Array.from(set.pixels.subarray(s * 784, (s + grid) * 784), (v) => v / 255), grid));
  }
  scores.sort((a, b) => a.recognized - b.recognized);
  return { ...scores[scores.length >> 1], grids: scores.length, recognizableGrids: scores.filter((g) => g.recognizable).length };
}
