/**
 * Generative adversarial nets (Goodfellow et al., "Generative Adversarial Nets", 2014): a generator
 * G(z), z ~ N(0, I), against a discriminator D(x) = σ(logit), trained alternately as in their
 * Algorithm 1: k discriminator updates, then one generator update. 'gan' uses MLPs; 'dcgan'
 * (Radford et al. 2016) the same training with convolutional networks and batch norm in G.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Batch, DeviceData } from '../data/deviceData';
import type { DataShape, GenerativeModel, LossTerms, ViewOptions } from '../family';
import { discriminatorLoss, generatorLoss, meanProbability } from '../ganLosses';
import type { StepRow } from '../loop';
import { CollapseMonitor } from '../metrics';
import { takesImages } from '../modelfile/layers';
import type { GeneratorLoss, ModelSpec } from '../modelfile/types';
import { OptimizerSet } from '../optimizers';
import { Rng } from '../rng';
import type { ChartSpec, FormulaSpec, View } from '../views';
import { ganViews, type GanLike } from './ganViews';
import { buildSeededSequential, dropoutRngs } from './seededDropout';

export { COLLAPSE_STEPS, CollapseMonitor, DISCRIMINATOR_WINNING } from '../metrics';

/** The GAN's loss chart: both players' losses per step and on held-out data per epoch. */
export const GAN_LOSS_CHART: ChartSpec = {
  id: 'loss', title: 'Discriminator and generator losses', yLabel: 'nats', series: [
    { term: 'dLoss', source: 'train', name: 'train discriminator loss' },
    { term: 'gLoss', source: 'train', name: 'train generator loss' },
    { term: 'dLoss', source: 'heldout', name: 'held-out discriminator loss (per epoch)' },
    { term: 'gLoss', source: 'heldout', name: 'held-out generator loss (per epoch)' },
  ],
};

/** Mean discriminator outputs on real and on generated data. */
export const GAN_DISCRIMINATOR_CHART: ChartSpec = {
  id: 'discriminator', title: 'Discriminator outputs: D(x) on real data and D(G(z)) on generated data', yLabel: 'probability', series: [
    { term: 'dReal', source: 'train', name: 'D(x)' },
    { term: 'dFake', source: 'train', name: 'D(G(z))' },
  ],
};

/** The grid JS divergence of the 2-D views, over steps. */
export const GAN_DIVERGENCE_CHART: ChartSpec = {
  id: 'divergence', title: 'JS divergence between real and generated densities (grid estimate)', yLabel: 'nats', series: [
    { term: 'jsDivergence', source: 'metric', name: 'JS divergence' },
  ],
};

/** The charts of a GAN on data of `shape`: the divergence chart only for 2-D points. */
export function ganCharts(shape: DataShape): readonly ChartSpec[] {
  const plane = shape.kind === 'points' && shape.height * shape.width * shape.channels === 2;
  return plane ? [GAN_LOSS_CHART, GAN_DISCRIMINATOR_CHART, GAN_DIVERGENCE_CHART] : [GAN_LOSS_CHART, GAN_DISCRIMINATOR_CHART];
}

/** The losses as formulas, {0} = dLoss and {1} = gLoss; one fixed template per generator loss and smoothing. */
export function ganFormula(kind: GeneratorLoss, labelSmoothing: number): FormulaSpec {
  const d = labelSmoothing > 0 ? 'L_D = −(1 − s)·log D(x) − s·log(1 − D(x)) − log(1 − D(G(z))) = {0}' : 'L_D = −log D(x) − log(1 − D(G(z))) = {0}';
  const g = kind === 'minimax' ? 'L_G = log(1 − D(G(z))) = {1}' : 'L_G = −log D(G(z)) = {1}';
  return { template: `${d}; ${g}`, terms: ['dLoss', 'gLoss'] };
}

/** Generated examples in the views: an 8×8 image grid, or 1000 points in the plane. */
const FIXED_IMAGES = 64, FIXED_POINTS = 1000;

const trainable = (model: tfl.LayersModel): tf.Variable[] => model.trainableWeights.map((w) => w.read() as tf.Variable);

/** A GAN or DCGAN: generator and discriminator from the spec's networks, each with its own optimizer. */
export class Gan implements GenerativeModel, GanLike {
  readonly family: 'gan' | 'dcgan';
  readonly lossTerms = ['dLoss', 'gLoss', 'dReal', 'dFake'] as const;
  readonly charts: readonly ChartSpec[];
  readonly formula: FormulaSpec;
  readonly generator: tfl.Sequential;
  readonly discriminator: tfl.Sequential;
  /** Noise drawn once, so the sample grid (or generated point cloud) is comparable over time. */
  readonly fixedZ: tf.Tensor2D;
  readonly latentDim: number;
  readonly shape: DataShape;
  /** Discriminator and generator updates taken so far. */
  /** Discriminator and generator updates so far (see GenerativeModel.counters). */
  readonly counters = { dUpdates: 0, gUpdates: 0 };
  private readonly dOptimizer: tf.Optimizer;
  private readonly gOptimizer: tf.Optimizer;
  private readonly rng: Rng;
  /** The random generators training draws from (see GenerativeModel), the dropout masks' included. */
  get rngs(): readonly Rng[] {
    return [this.rng, this.evalRng, ...dropoutRngs(this.generator, this.discriminator)];
  }
  /** Noise for evaluate() and sample(), apart from training's, so evaluating does not change training. */
  private readonly evalRng: Rng;
  private readonly features: number;
  private readonly discriminatorTakesImages: boolean;
  private readonly monitor = new CollapseMonitor();
  /** The optimizers (see GenerativeModel). */
  readonly optimizers: OptimizerSet;

  /** Builds the networks of `spec` (family 'gan' or 'dcgan') and their two optimizers for data of `shape`. */
  constructor(readonly spec: ModelSpec, shape: DataShape) {
    if (spec.family !== 'gan' && spec.family !== 'dcgan') throw new Error(`Gan builds the "gan" and "dcgan" families, not "${spec.family}"`);
    this.family = spec.family;
    this.shape = shape;
    this.features = shape.height * shape.width * shape.channels;
    this.latentDim = spec.latentDim;
    this.rng = new Rng(spec.training.seed);
    const gen = spec.networks.generator, disc = spec.networks.discriminator;
    if (!gen || !disc) throw new Error(`a ${spec.family} needs "generator" and "discriminator" networks`);
    this.discriminatorTakesImages = takesImages(disc);
    const image = [shape.height, shape.width, shape.channels];
    this.generator = buildSeededSequential('generator', gen, [spec.latentDim], this.rng.seed());
    this.discriminator = buildSeededSequential('discriminator', disc, this.discriminatorTakesImages ? image : [this.features], this.rng.seed());
    const out = this.generator.outputs[0].shape.slice(1) as number[];
    if (out.reduce((a, b) => a * b, 1) !== this.features) {
      this.dispose();
      throw new Error(`the generator outputs [${out.join(', ')}] but the data has ${this.features} values per example`);
    }
    this.optimizers = new OptimizerSet(spec.optimizer, 2);
    [this.dOptimizer, this.gOptimizer] = this.optimizers.all;
    this.charts = ganCharts(shape);
    this.formula = ganFormula(spec.loss.generator, spec.loss.labelSmoothing);
    this.fixedZ = tf.randomNormal([shape.kind === 'points' ? FIXED_POINTS : FIXED_IMAGES, spec.latentDim], 0, 1, 'float32', this.rng.seed());
    this.evalRng = new Rng(this.rng.seed());
  }

  /** G(z) flattened to [n, features]; `training` puts batch norm in training mode (batch statistics, moving averages updated). */
  generate(z: tf.Tensor2D, training = false): tf.Tensor2D {
    return tf.tidy(() => tf.reshape(this.generator.apply(z, { training }) as tf.Tensor, [z.shape[0], this.features]) as tf.Tensor2D);
  }

  /** D's logits for flat examples `x` [n, features], as [n]. */
  discriminate(x: tf.Tensor2D, training = false): tf.Tensor1D {
    return tf.tidy(() => {
      const n = x.shape[0];
      const input = this.discriminatorTakesImages ? tf.reshape(x, [n, this.shape.height, this.shape.width, this.shape.channels]) : x;
      return tf.reshape(this.discriminator.apply(input, { training }) as tf.Tensor, [n]) as tf.Tensor1D;
    });
  }

  /** D(x) = σ(logit) for flat examples `x`, as [n, 1]. */
  discriminatorProbability(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.reshape(tf.sigmoid(this.discriminate(x)), [x.shape[0], 1]) as tf.Tensor2D);
  }

  private noise(n: number, rng = this.rng): tf.Tensor2D {
    return tf.randomNormal([n, this.latentDim], 0, 1, 'float32', rng.seed());
  }

  /**
   * One discriminator update on `batch` against G(z) for fresh z, and after every k-th one a
   * generator update on fresh z (k = discriminatorSteps). Each optimizer changes only its own
   * network's variables. gLoss is the generator update's loss when there is one, else the
   * generator loss on this step's fake logits; dReal and dFake are those of the D update.
   */
  step(batch: Batch): LossTerms {
    const n = batch.x.shape[0];
    const { generator: kind, labelSmoothing } = this.spec.loss;
    // G runs in training mode (batch norm uses batch statistics, as in the G update), but its output is a constant here.
    const fake = tf.tidy(() => this.generate(this.noise(n), true));
    let kept: Record<'dReal' | 'dFake' | 'gLoss', tf.Scalar> | undefined;
    const dLoss = this.dOptimizer.minimize(() => {
      const realLogits = this.discriminate(batch.x, true), fakeLogits = this.discriminate(fake, true);
      kept = { dReal: tf.keep(meanProbability(realLogits)), dFake: tf.keep(meanProbability(fakeLogits)), gLoss: tf.keep(generatorLoss(fakeLogits, kind)) };
      return discriminatorLoss(realLogits, fakeLogits, labelSmoothing);
    }, true, trainable(this.discriminator)) as tf.Scalar;
    fake.dispose();
    this.counters.dUpdates++;
    const { dReal, dFake } = kept!;
    let gLoss = kept!.gLoss;
    if (this.counters.dUpdates % Math.max(1, Math.round(this.spec.training.discriminatorSteps)) === 0) {
      gLoss.dispose();
      const z = this.noise(n);
      gLoss = this.gOptimizer.minimize(() => generatorLoss(this.discriminate(this.generate(z, true), true), kind), true, trainable(this.generator)) as tf.Scalar;
      z.dispose();
      this.counters.gUpdates++;
    }
    return { dLoss, gLoss, dReal, dFake };
  }

  /** The loss terms on `batch` against G(z) for fresh z, both networks in inference mode, no update. */
  evaluate(batch: Batch): LossTerms {
    return tf.tidy(() => {
      const realLogits = this.discriminate(batch.x);
      const fakeLogits = this.discriminate(this.generate(this.noise(batch.x.shape[0], this.evalRng)));
      return {
        dLoss: discriminatorLoss(realLogits, fakeLogits, this.spec.loss.labelSmoothing),
        gLoss: generatorLoss(fakeLogits, this.spec.loss.generator),
        dReal: meanProbability(realLogits),
        dFake: meanProbability(fakeLogits),
      };
    });
  }

  /** G(z) for `n` fresh z ~ N(0, I), in inference mode: images in [0, 1] or points. */
  sample(n: number): tf.Tensor2D {
    return tf.tidy(() => this.generate(this.noise(n, this.evalRng)));
  }

  /** Images: samples from the fixed noise. 2-D points: the plane over D(x) and the divergence metrics. */
  views(heldout: DeviceData, _options: ViewOptions): Promise<View[]> {
    return ganViews(this, heldout);
  }

  /** DISCRIMINATOR_WINNING after COLLAPSE_STEPS consecutive steps with D(x) > 0.95 and D(G(z)) < 0.05. */
  watch(rows: readonly StepRow[]): string | undefined {
    return this.monitor.watch(rows);
  }


  /** The generator and the discriminator. */
  get networks(): Readonly<Record<string, tfl.LayersModel>> {
    return { generator: this.generator, discriminator: this.discriminator };
  }

  /** Trainable parameters of both networks (batch norm's moving statistics excluded). */
  get parameterCount(): number {
    return [this.generator, this.discriminator].reduce((sum, m) => sum + m.trainableWeights.reduce((s, w) => s + (w.shape as number[]).reduce((a, b) => a * b, 1), 0), 0);
  }

  /** Frees networks, optimizer state and the fixed noise. */
  dispose(): void {
    this.generator.dispose();
    this.discriminator.dispose();
    this.dOptimizer?.dispose();
    this.gOptimizer?.dispose();
    this.fixedZ?.dispose();
  }
}
