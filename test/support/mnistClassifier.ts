/**
 * A small MNIST classifier (MLP 784-256-10, ReLU, softmax cross-entropy, Adam), trained on the
 * bundled MNIST's training split only, to judge conditional generators: the fraction of digits
 * generated for class y that it classifies as y. Test and benchmark support, not part of GenLab.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { DeviceData } from '../../src/core/data/deviceData';
import { EpochSampler } from '../../src/core/data/deviceData';
import { splitData, type ImageSet } from '../../src/core/data/dataset';
import { buildSequential } from '../../src/core/modelfile/layers';
import type { LayerSpec } from '../../src/core/modelfile/types';
import { Rng } from '../../src/core/rng';
import { loadBundledMnist } from '../../src/node/bundledData';

/** How the classifier trains. */
export interface ClassifierOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  hiddenUnits: number;
  seed: number;
}

/** Defaults: 3 epochs of batch 100 over the 9,000 training digits, about 2–5 s on wasm. */
export const CLASSIFIER_DEFAULTS: Readonly<ClassifierOptions> = { epochs: 3, batchSize: 100, learningRate: 1e-3, hiddenUnits: 256, seed: 11 };

/** A trained classifier and its accuracy on the held-out split. */
export interface MnistClassifier {
  readonly model: tfl.Sequential;
  /** Accuracy on the held-out 1,000 digits it never trained on. */
  readonly heldoutAccuracy: number;
  /** Predicted classes of flat images in [0, 1], [n, 784] → [n] int32 (caller disposes). */
  predict(x: tf.Tensor2D): tf.Tensor1D;
  /** Fraction of images `x` classified as `labels`, read back asynchronously. */
  accuracy(x: tf.Tensor2D, labels: tf.Tensor1D): Promise<number>;
  dispose(): void;
}

/** Trains the classifier on the bundled MNIST's training split (the first 90%) and measures it on the rest. */
export async function trainMnistClassifier(options: Partial<ClassifierOptions> = {}, mnist: ImageSet = loadBundledMnist('.')): Promise<MnistClassifier> {
  const o = { ...CLASSIFIER_DEFAULTS, ...options };
  const { train, heldout } = splitData(mnist, 0.1);
  const trainData = new DeviceData(train), heldoutData = new DeviceData(heldout);
  const model = buildSequential('classifier', [{ type: 'dense', units: o.hiddenUnits, activation: 'relu' }, { type: 'dense', units: 10 }], [784], o.seed);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = tf.train.adam(o.learningRate);
  const sampler = new EpochSampler(trainData.count, o.batchSize, new Rng(o.seed));
  const steps = sampler.batchesPerEpoch * o.epochs;
  for (let i = 0; i < steps; i++) {
    const batch = trainData.gather(sampler.next().indices);
    // Softmax cross-entropy: −mean log softmax(logits)_y.
    optimizer.minimize(() => tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(batch.y, 10), tf.logSoftmax(model.apply(batch.x) as tf.Tensor2D)), 1))) as tf.Scalar, false, vars);
    tf.dispose([batch.x, batch.y]);
  }
  optimizer.dispose();
  trainData.dispose();
  const predict = (x: tf.Tensor2D) => tf.tidy(() => tf.argMax(model.apply(x) as tf.Tensor2D, 1) as tf.Tensor1D);
  const accuracy = async (x: tf.Tensor2D, labels: tf.Tensor1D) => {
    const acc = tf.tidy(() => tf.mean(tf.cast(tf.equal(predict(x), tf.cast(labels, 'int32')), 'float32')));
    const value = (await acc.data())[0];
    acc.dispose();
    return value;
  };
  const heldoutAccuracy = await accuracy(heldoutData.x, heldoutData.y);
  heldoutData.dispose();
  return { model, heldoutAccuracy, predict, accuracy, dispose: () => model.dispose() };
}

/** What conditionalAccuracy needs from a conditional generator. */
export interface ConditionalGenerator {
  readonly latentDim: number;
  generate(z: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor2D;
}

/**
 * The fraction of `n` generated digits that `classifier` recognizes as their requested class;
 * requested classes cycle 0…9 (n/10 of each), noise z ~ N(0, I) from `seed`.
 */
export async function conditionalAccuracy(generator: ConditionalGenerator, classifier: MnistClassifier, n = 1000, seed = 123): Promise<number> {
  const labels = tf.tensor1d(Int32Array.from({ length: n }, (_, i) => i % 10), 'int32');
  const z = tf.randomNormal([n, generator.latentDim], 0, 1, 'float32', seed) as tf.Tensor2D;
  const x = generator.generate(z, labels);
  const acc = await classifier.accuracy(x, labels);
  tf.dispose([labels, z, x]);
  return acc;
}

/**
 * MLP networks for a conditional GAN on MNIST with the usual stabilizers: batch norm after each
 * hidden layer of G (Radford et al. 2016, §3; also PyTorch-GAN's cgan) and dropout in D
 * (Goodfellow et al. 2014 trained D with dropout). The plain default MLPs of defaults.ts, without
 * them, collapse on MNIST (see bench/cgan-mnist.ts).
 */
export function stabilizedNetworks(family: 'cgan' | 'acgan', hidden = 256, dropout = 0.3, classes = 10): Record<string, LayerSpec[]> {
  const dense = (units: number): LayerSpec => ({ type: 'dense', units });
  return {
    generator: [
      dense(hidden), { type: 'batchNormalization' }, { type: 'reLU' },
      dense(hidden), { type: 'batchNormalization' }, { type: 'reLU' },
      { type: 'dense', units: 784, activation: 'sigmoid' },
    ],
    discriminator: [
      dense(hidden), { type: 'leakyReLU', alpha: 0.2 }, { type: 'dropout', rate: dropout },
      dense(hidden), { type: 'leakyReLU', alpha: 0.2 }, { type: 'dropout', rate: dropout },
      dense(family === 'acgan' ? 1 + classes : 1),
    ],
  };
}
