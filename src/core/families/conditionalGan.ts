/**
 * Conditional GANs: the class label y, one-hot encoded as c = onehot(y), steers the generator.
 * - CGAN (Mirza & Osindero, "Conditional Generative Adversarial Nets", 2014): both networks see c
 *   concatenated to their input, G(concat(z, c)) and D(concat(x, c)); D outputs one logit.
 * - AC-GAN (Odena, Olah & Shlens, "Conditional Image Synthesis with Auxiliary Classifier GANs",
 *   2017): G(concat(z, c)); D sees x alone and outputs 1 + classes logits, real/fake then class.
 * Both train with Goodfellow et al.'s alternating updates (Algorithm 1): k discriminator steps,
 * then one generator step, each with its own optimizer over its own network's variables.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Batch, DeviceData } from '../data/deviceData';
import type { DataShape, GenerativeModel, LossTerms, ViewOptions } from '../family';
import { discriminatorLoss, generatorLoss, meanProbability } from '../ganLosses';
import type { StepRow } from '../loop';
import { CollapseMonitor } from '../metrics';
import { takesImages } from '../modelfile/layers';
import type { ModelSpec } from '../modelfile/types';
import { OptimizerSet } from '../optimizers';
import { Rng } from '../rng';
import type { ChartSpec, FormulaSpec, View } from '../views';
import { conditionalCharts, conditionalFormula, conditionalViews, GRID_COLUMNS, SAMPLE_GRID, type ConditionalLike } from './conditionalViews';
import { buildSeededSequential, dropoutRngs } from './seededDropout';

/** The conditional GAN families. */
export type ConditionalFamily = 'cgan' | 'acgan';

/** Mean softmax cross-entropy of class logits [n, classes] against integer labels [n]: −mean log softmax(l)_y. */
export function auxiliaryClassLoss(classLogits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const target = tf.oneHot(tf.cast(labels, 'int32'), classLogits.shape[1]);
    return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(classLogits)), 1))) as tf.Scalar;
  });
}

/** Fraction of rows whose largest class logit is at the label: the auxiliary classifier's accuracy. */
export function classAccuracy(classLogits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(classLogits, 1), tf.cast(labels, 'int32')), 'float32')) as tf.Scalar);
}

/** The discriminator's outputs on one batch: the real/fake logit [n] and, for AC-GAN, class logits [n, classes]. */
interface Judgement {
  logit: tf.Tensor1D;
  classLogits?: tf.Tensor2D;
}

/** A CGAN or AC-GAN with generator and discriminator built from the model file's layer lists. */
export class ConditionalGan implements GenerativeModel, ConditionalLike {
  readonly family: ConditionalFamily;
  readonly lossTerms: readonly string[];
  readonly charts: readonly ChartSpec[];
  readonly formula: FormulaSpec;
  readonly generator: tfl.Sequential;
  readonly discriminator: tfl.Sequential;
  /** Size of the noise z. */
  readonly latentDim: number;
  /** Number of classes, the size of the one-hot conditioning vector c. */
  readonly classes: number;
  /** Values per example (height·width·channels). */
  readonly features: number;
  /** Fixed noise for the class grid and interpolation, [GRID_COLUMNS, latent]: the same z in every row. */
  readonly fixedZ: tf.Tensor2D;
  /** Fixed noise and classes of the samples grid, drawn once so the grid is comparable over time. */
  readonly sampleZ: tf.Tensor2D;
  /** The classes requested in the samples grid, [SAMPLE_GRID] int32. */
  readonly sampleLabels: tf.Tensor1D;
  private readonly dOptimizer: tf.Optimizer;
  private readonly gOptimizer: tf.Optimizer;
  private readonly dVars: tf.Variable[];
  private readonly gVars: tf.Variable[];
  private readonly rng: Rng;
  /** The random generators training draws from (see GenerativeModel), the dropout masks' included. */
  get rngs(): readonly Rng[] {
    return [this.rng, this.evalRng, ...dropoutRngs(this.generator, this.discriminator)];
  }
  /** Noise for evaluate() and sample(), apart from training's, so evaluating does not change training. */
  private readonly evalRng: Rng;
  private readonly imageDiscriminator: boolean;
  private readonly monitor = new CollapseMonitor();
  /** Discriminator updates so far (see GenerativeModel.counters). */
  readonly counters = { dUpdates: 0 };
  /** The optimizers (see GenerativeModel). */
  readonly optimizers: OptimizerSet;

  /** Builds both networks of `spec` and their optimizers for labelled data of `shape`. */
  constructor(readonly spec: ModelSpec, readonly shape: DataShape) {
    if (spec.family !== 'cgan' && spec.family !== 'acgan') throw new Error(`ConditionalGan trains "cgan" and "acgan", not "${spec.family}"`);
    const g = spec.networks.generator, d = spec.networks.discriminator;
    if (!g || !d) throw new Error(`a ${spec.family.toUpperCase()} needs "generator" and "discriminator" networks`);
    if (shape.classes < 2) throw new Error(`a ${spec.family.toUpperCase()} needs labelled data with at least 2 classes`);
    this.family = spec.family;
    this.latentDim = spec.latentDim;
    this.classes = shape.classes;
    this.features = shape.height * shape.width * shape.channels;
    this.rng = new Rng(spec.training.seed);
    const acgan = this.family === 'acgan';
    this.lossTerms = acgan ? ['dLoss', 'gLoss', 'dReal', 'dFake', 'accReal', 'accFake'] : ['dLoss', 'gLoss', 'dReal', 'dFake'];
    this.charts = conditionalCharts(this.family);
    this.formula = conditionalFormula(this.family, spec.loss.generator, spec.loss.labelSmoothing);

    this.generator = buildSeededSequential('generator', g, [this.latentDim + this.classes], this.rng.seed());
    this.imageDiscriminator = takesImages(d);
    const extra = acgan ? 0 : this.classes; // CGAN appends c to D's input (as label planes for a convolutional D)
    const dInput = this.imageDiscriminator ? [shape.height, shape.width, shape.channels + extra] : [this.features + extra];
    this.discriminator = buildSeededSequential('discriminator', d, dInput, this.rng.seed());
    this.checkOutputs(acgan ? 1 + this.classes : 1);
    this.dVars = this.discriminator.trainableWeights.map((w) => w.read() as tf.Variable);
    this.gVars = this.generator.trainableWeights.map((w) => w.read() as tf.Variable);

    this.optimizers = new OptimizerSet(spec.optimizer, 2);
    [this.dOptimizer, this.gOptimizer] = this.optimizers.all;
    this.fixedZ = tf.randomNormal([GRID_COLUMNS, this.latentDim], 0, 1, 'float32', this.rng.seed());
    this.sampleZ = tf.randomNormal([SAMPLE_GRID, this.latentDim], 0, 1, 'float32', this.rng.seed());
    this.sampleLabels = tf.tensor1d(this.randomClasses(SAMPLE_GRID, this.rng), 'int32');
    this.evalRng = new Rng(this.rng.seed());
  }

  /** Throws (after freeing both networks) unless G outputs `features` values and D `dUnits` logits per example. */
  private checkOutputs(dUnits: number): void {
    const size = (m: tfl.Sequential) => (m.outputs[0].shape.slice(1) as number[]).reduce((a, b) => a * b, 1);
    const fail = (message: string) => {
      this.generator.dispose();
      this.discriminator.dispose();
      throw new Error(message);
    };
    if (size(this.generator) !== this.features) fail(`the generator must output ${this.features} values per example (the data's size), not ${size(this.generator)}`);
    if (size(this.discriminator) !== dUnits) fail(`the ${this.family.toUpperCase()} discriminator must output ${dUnits} logit${dUnits > 1 ? 's' : ''}, not ${size(this.discriminator)}`);
  }

  /** The one-hot conditioning vectors c = onehot(y), [n, classes] float32. */
  condition(labels: tf.Tensor1D): tf.Tensor2D {
    return tf.tidy(() => tf.cast(tf.oneHot(tf.cast(labels, 'int32'), this.classes), 'float32') as tf.Tensor2D);
  }

  /** G(concat(z, c)) flattened to [n, features], for any conditioning vectors c (one-hot or mixed). */
  generateFrom(z: tf.Tensor2D, c: tf.Tensor2D, training = false): tf.Tensor2D {
    return tf.tidy(() => {
      const out = this.generator.apply(tf.concat([z, c], 1), { training }) as tf.Tensor;
      return tf.reshape(out, [z.shape[0], this.features]) as tf.Tensor2D;
    });
  }

  /** Generated examples of the requested classes `labels` from noise `z`, [n, features]. */
  generate(z: tf.Tensor2D, labels: tf.Tensor1D, training = false): tf.Tensor2D {
    return tf.tidy(() => this.generateFrom(z, this.condition(labels), training));
  }

  /** The discriminator on x [n, features] with labels y (CGAN: D(concat(x, c)); AC-GAN: D(x), split into real/fake and class logits). */
  discriminate(x: tf.Tensor2D, labels: tf.Tensor1D, training = false): Judgement {
    return tf.tidy(() => {
      const n = x.shape[0];
      const s = this.shape;
      let input: tf.Tensor = this.imageDiscriminator ? tf.reshape(x, [n, s.height, s.width, s.channels]) : x;
      if (this.family === 'cgan') {
        const c = this.condition(labels);
        input = this.imageDiscriminator
          ? tf.concat([input, tf.tile(tf.reshape(c, [n, 1, 1, this.classes]), [1, s.height, s.width, 1])], 3)
          : tf.concat([input, c], 1);
      }
      const out = tf.reshape(this.discriminator.apply(input, { training }) as tf.Tensor, [n, -1]) as tf.Tensor2D;
      const logit = tf.reshape(tf.slice(out, [0, 0], [n, 1]), [n]) as tf.Tensor1D;
      return this.family === 'acgan' ? { logit, classLogits: tf.slice(out, [0, 1], [n, this.classes]) } : { logit };
    });
  }

  /**
   * Every loss term of one discriminator pass over real x (labels y) and generated `fake` (requested labels yFake).
   * AC-GAN (Odena et al. 2017, eqs. 2–3): L_S = E[log P(S=real | X_real)] + E[log P(S=fake | X_fake)],
   * L_C = E[log P(C=c | X_real)] + E[log P(C=c | X_fake)]; D maximizes L_S + L_C, G maximizes L_C − L_S.
   * As losses to minimize: dLoss = (GAN D loss = −L_S) + CE(real, y) + CE(fake, yFake),
   * gLoss = (GAN G loss, minimax or non-saturating) + CE(fake, yFake); CGAN has the GAN terms alone.
   */
  terms(x: tf.Tensor2D, y: tf.Tensor1D, fake: tf.Tensor2D, yFake: tf.Tensor1D, training = false): Record<string, tf.Scalar> {
    return tf.tidy(() => {
      const real = this.discriminate(x, y, training), gen = this.discriminate(fake, yFake, training);
      let dLoss = discriminatorLoss(real.logit, gen.logit, this.spec.loss.labelSmoothing);
      let gLoss = generatorLoss(gen.logit, this.spec.loss.generator);
      const out: Record<string, tf.Scalar> = { dReal: meanProbability(real.logit), dFake: meanProbability(gen.logit) };
      if (real.classLogits && gen.classLogits) {
        const ceFake = auxiliaryClassLoss(gen.classLogits, yFake);
        dLoss = tf.add(dLoss, tf.add(auxiliaryClassLoss(real.classLogits, y), ceFake)) as tf.Scalar;
        gLoss = tf.add(gLoss, ceFake) as tf.Scalar;
        out.accReal = classAccuracy(real.classLogits, y);
        out.accFake = classAccuracy(gen.classLogits, yFake);
      }
      return { dLoss, gLoss, ...out };
    });
  }

  /** The generator's loss on fresh noise z with requested labels yFake (the objective of a G update). */
  generatorObjective(z: tf.Tensor2D, yFake: tf.Tensor1D): tf.Scalar {
    return tf.tidy(() => {
      const gen = this.discriminate(this.generate(z, yFake, true), yFake, true);
      const gan = generatorLoss(gen.logit, this.spec.loss.generator);
      return (gen.classLogits ? tf.add(gan, auxiliaryClassLoss(gen.classLogits, yFake)) : gan) as tf.Scalar;
    });
  }

  /** `n` classes drawn uniformly. */
  private randomClasses(n: number, rng: Rng): Int32Array {
    return Int32Array.from({ length: n }, () => Math.min(this.classes - 1, Math.floor(rng.next() * this.classes)));
  }

  /** Fresh z ~ N(0, I) and uniformly drawn classes for `n` generated examples. */
  private noise(n: number, rng = this.rng): { z: tf.Tensor2D; labels: tf.Tensor1D } {
    return { z: tf.randomNormal([n, this.latentDim], 0, 1, 'float32', rng.seed()), labels: tf.tensor1d(this.randomClasses(n, rng), 'int32') };
  }

  /**
   * One discriminator update on `batch` (real x with its labels, generated data of uniformly drawn
   * classes) and, after every k-th one (k = discriminatorSteps), one generator update on fresh noise.
   * gLoss is the G update's loss when one ran, else G's loss on this step's generated batch.
   */
  step(batch: Batch): LossTerms {
    const n = batch.x.shape[0];
    const d = this.noise(n);
    const fake = this.generate(d.z, d.labels, true);
    let kept: LossTerms = {};
    const dLoss = this.dOptimizer.minimize(() => {
      const { dLoss: loss, ...rest } = this.terms(batch.x, batch.y, fake, d.labels, true);
      kept = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, tf.keep(v)]));
      return loss;
    }, true, this.dVars) as tf.Scalar;
    tf.dispose([fake, d.z, d.labels]);
    this.counters.dUpdates++;
    if (this.counters.dUpdates % Math.max(1, this.spec.training.discriminatorSteps) === 0) {
      const g = this.noise(n);
      const gLoss = this.gOptimizer.minimize(() => this.generatorObjective(g.z, g.labels), true, this.gVars) as tf.Scalar;
      tf.dispose([g.z, g.labels, kept.gLoss]);
      kept.gLoss = gLoss;
    }
    return { dLoss, ...kept };
  }

  /** The loss terms on `batch` against fresh generated data, without any update. */
  evaluate(batch: Batch): LossTerms {
    return tf.tidy(() => {
      const { z, labels } = this.noise(batch.x.shape[0], this.evalRng);
      return this.terms(batch.x, batch.y, this.generate(z, labels), labels);
    });
  }

  /** `n` generated examples of uniformly drawn classes, [n, features]. */
  sample(n: number): tf.Tensor2D {
    return tf.tidy(() => {
      const { z, labels } = this.noise(n, this.evalRng);
      return this.generate(z, labels);
    });
  }

  /** The shared GAN warning: the discriminator winning (D(G(z)) near 0 for long), judged from step rows. */
  watch(rows: readonly StepRow[]): string | undefined {
    return this.monitor.watch(rows);
  }

  /** Samples, the class grid and the class interpolation (see conditionalViews). */
  views(heldout: DeviceData, _options: ViewOptions): Promise<View[]> {
    return conditionalViews(this, heldout);
  }


  /** The generator and the discriminator. */
  get networks(): Readonly<Record<string, tfl.LayersModel>> {
    return { generator: this.generator, discriminator: this.discriminator };
  }

  /** Trainable parameters of both networks. */
  get parameterCount(): number {
    return this.generator.countParams() + this.discriminator.countParams();
  }

  /** Frees both networks, both optimizers' state and the fixed noise. */
  dispose(): void {
    this.generator.dispose();
    this.discriminator.dispose();
    this.dOptimizer.dispose();
    this.gOptimizer.dispose();
    tf.dispose([this.fixedZ, this.sampleZ, this.sampleLabels]);
  }
}
