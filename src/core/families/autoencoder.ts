/**
 * The deterministic autoencoder (Hinton & Salakhutdinov, "Reducing the Dimensionality of Data with
 * Neural Networks", Science 2006): an encoder z = f(x) to a small code and a decoder x̂ = g(z),
 * trained to reconstruct the input. Its uses in the lecture: dimensionality reduction,
 * visualization of the codes, and anomaly detection by reconstruction error.
 *
 * Reconstruction loss per example, averaged over the batch (spec.loss.reconstruction):
 * - 'bernoulli' (inputs in [0, 1], e.g. images): x̂ = σ(logits), loss = binary cross-entropy
 *   −Σ_i [x_i log x̂_i + (1 − x_i) log(1 − x̂_i)] in nats, computed stably from the logits;
 * - 'gaussian' (real-valued inputs, e.g. 2-D points): x̂ = the decoder's output (identity),
 *   loss = squared error Σ_i (x_i − x̂_i)² summed over features (spec.loss.sigma is not used).
 * With spec.tiedWeights the decoder applies the transposes of the encoder's kernels (tiedDense.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Batch, DeviceData } from '../data/deviceData';
import type { DataShape, GenerativeModel, LossTerms, ViewOptions } from '../family';
import { bernoulliNllFromLogits, squaredError } from '../losses';
import { takesImages } from '../modelfile/layers';
import type { ModelSpec } from '../modelfile/types';
import { OptimizerSet } from '../optimizers';
import { Rng } from '../rng';
import type { ChartSpec, FormulaSpec, View } from '../views';
import { autoencoderViews, type AutoencoderLike } from './autoencoderViews';
import { buildTiedDecoder } from './tiedDense';
import { buildSeededSequential, dropoutRngs } from './seededDropout';

/** The autoencoder's loss chart; the y label names the unit of the reconstruction loss. */
export function autoencoderCharts(reconstruction: 'bernoulli' | 'gaussian'): ChartSpec[] {
  return [{
    id: 'loss', title: 'Reconstruction loss per example', yLabel: reconstruction === 'bernoulli' ? 'nats' : 'squared error',
    series: [
      { term: 'loss', source: 'train', name: 'train reconstruction' },
      { term: 'loss', source: 'heldout', name: 'held-out reconstruction (per epoch)' },
    ],
  }];
}

/** The formula of the loss for each kind of input, with x̂ the reconstruction. */
export const AUTOENCODER_FORMULAS: Readonly<Record<'bernoulli' | 'gaussian', FormulaSpec>> = {
  bernoulli: { template: 'Reconstruction loss −Σ [x log x̂ + (1 − x) log(1 − x̂)]: {0}', terms: ['loss'] },
  gaussian: { template: 'Reconstruction loss Σ (x − x̂)²: {0}', terms: ['loss'] },
};

/** An autoencoder with networks from the model file, optionally with tied weights. */
export class Autoencoder implements GenerativeModel, AutoencoderLike {
  readonly family = 'autoencoder';
  /** 'loss' is the optimized reconstruction loss; 'recon' is the same value, named as in the VAE. */
  readonly lossTerms = ['loss', 'recon'] as const;
  readonly charts: readonly ChartSpec[];
  readonly formula: FormulaSpec;
  readonly encoder: tfl.Sequential;
  /** The decoder: layers from the model file, or TiedDense layers reading the encoder's kernels. */
  readonly decoder: tfl.Sequential;
  readonly latentDim: number;
  readonly reconstruction: 'bernoulli' | 'gaussian';
  readonly tied: boolean;
  readonly features: number;
  private readonly optimizer: tf.Optimizer;
  private readonly trainable: tf.Variable[];
  private readonly rng: Rng;
  /** The random generators training draws from (see GenerativeModel), the dropout masks' included. */
  get rngs(): readonly Rng[] {
    return [this.rng, ...dropoutRngs(this.encoder, this.decoder)];
  }
  private readonly imageInput: boolean;
  private readonly shape: DataShape;
  /** Mean and standard deviation per code dimension over the latest training batch, for sample(). */
  private codeStats?: { mean: tf.Tensor2D; std: tf.Tensor2D };
  /** The optimizers (see GenerativeModel). */
  readonly optimizers: OptimizerSet;

  /** Builds the networks of `spec` and its optimizer for data of `shape`. */
  constructor(readonly spec: ModelSpec, shape: DataShape) {
    this.features = shape.height * shape.width * shape.channels;
    this.shape = shape;
    this.latentDim = spec.latentDim;
    this.reconstruction = spec.loss.reconstruction;
    this.tied = spec.tiedWeights;
    this.charts = autoencoderCharts(this.reconstruction);
    this.formula = AUTOENCODER_FORMULAS[this.reconstruction];
    this.rng = new Rng(spec.training.seed);
    const enc = spec.networks.encoder, dec = spec.networks.decoder;
    if (!enc || (!dec && !this.tied)) throw new Error('an autoencoder needs "encoder" and "decoder" networks');
    // A leading flatten (allowed before tied dense layers) needs the image shape, as convolutions do.
    this.imageInput = takesImages(enc) || enc[0]?.type === 'flatten';
    this.encoder = buildSeededSequential('encoder', enc, this.imageInput ? [shape.height, shape.width, shape.channels] : [this.features], this.rng.seed());
    const decoderSeed = this.rng.seed(); // drawn either way, so later random draws do not depend on tiedWeights
    try {
      this.decoder = this.tied ? buildTiedDecoder('decoder', this.encoder, this.latentDim) : buildSeededSequential('decoder', dec, [this.latentDim], decoderSeed);
    } catch (e) {
      this.encoder.dispose();
      throw e;
    }
    this.trainable = uniqueVariables([this.encoder, this.decoder], true);
    this.optimizers = new OptimizerSet(spec.optimizer);
    this.optimizer = this.optimizers.all[0];
  }

  /** The codes z = f(x), [n, latentDim]; `training` switches dropout and batch normalization to training mode. */
  encode(x: tf.Tensor2D, training = false): tf.Tensor2D {
    return tf.tidy(() => {
      const input = this.imageInput ? tf.reshape(x, [x.shape[0], this.shape.height, this.shape.width, this.shape.channels]) : x;
      return tf.reshape(this.encoder.apply(input, { training }) as tf.Tensor, [x.shape[0], -1]) as tf.Tensor2D;
    });
  }

  /** The decoder's raw output for codes z, [n, features]: logits (bernoulli) or the reconstruction itself (gaussian). */
  decodeRaw(z: tf.Tensor2D, training = false): tf.Tensor2D {
    return tf.tidy(() => tf.reshape(this.decoder.apply(z, { training }) as tf.Tensor, [z.shape[0], -1]) as tf.Tensor2D);
  }

  /** The reconstruction in data space for codes z: σ(logits) for bernoulli, the output for gaussian. */
  decode(z: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => (this.reconstruction === 'bernoulli' ? tf.sigmoid(this.decodeRaw(z)) : this.decodeRaw(z)));
  }

  /** x̂ = g(f(x)) in data space. */
  reconstruct(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.decode(this.encode(x)));
  }

  /** Reconstruction loss of each example given the decoder's raw output, [n]. */
  private lossOf(raw: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor1D {
    return this.reconstruction === 'bernoulli' ? bernoulliNllFromLogits(raw, x) : squaredError(raw, x);
  }

  /** Reconstruction loss of each example of `x`, [n]: nats (bernoulli) or squared error (gaussian). */
  perExampleLoss(x: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => this.lossOf(this.decodeRaw(this.encode(x)), x));
  }

  /** Mean reconstruction loss over `x`, and the codes (networks in training mode if `training`). */
  terms(x: tf.Tensor2D, training = false): { loss: tf.Scalar; z: tf.Tensor2D } {
    return tf.tidy(() => {
      const z = this.encode(x, training);
      return { loss: tf.mean(this.lossOf(this.decodeRaw(z, training), x)) as tf.Scalar, z };
    });
  }

  /** One optimizer step on the mean reconstruction loss; also records the batch's code statistics for sample(). */
  step(batch: Batch): LossTerms {
    let stats: { mean: tf.Tensor2D; std: tf.Tensor2D } | undefined;
    const loss = this.optimizer.minimize(() => {
      const t = this.terms(batch.x, true);
      const m = tf.moments(t.z, 0, true) // not part of the loss, so no gradient flows through it;
      stats = { mean: tf.keep(m.mean as tf.Tensor2D), std: tf.keep(tf.sqrt(m.variance) as tf.Tensor2D) };
      return t.loss;
    }, true, this.trainable) as tf.Scalar;
    if (stats) {
      if (this.codeStats) tf.dispose([this.codeStats.mean, this.codeStats.std]);
      this.codeStats = stats;
    }
    return { loss, recon: tf.clone(loss) };
  }

  /** The loss terms on `batch`, without any update. */
  evaluate(batch: Batch): LossTerms {
    return tf.tidy(() => {
      const { loss } = this.terms(batch.x);
      return { loss, recon: tf.clone(loss) };
    });
  }

  /**
   * An autoencoder has no prior over codes. We decode z ~ N(m, diag s²), with m and s the mean and
   * standard deviation per code dimension over the latest training batch (N(0, I) before any step).
   * Samples are in data space: σ(logits) for bernoulli, the decoder output for gaussian.
   */
  sample(n: number): tf.Tensor2D {
    return tf.tidy(() => {
      const eps = tf.randomNormal([n, this.latentDim], 0, 1, 'float32', this.rng.seed()) as tf.Tensor2D;
      const z = this.codeStats ? tf.add(this.codeStats.mean, tf.mul(this.codeStats.std, eps)) as tf.Tensor2D : eps;
      return this.decode(z);
    });
  }

  /** Reconstructions, latent scatter, error histogram and anomalies. */
  views(heldout: DeviceData, _options: ViewOptions): Promise<View[]> {
    return autoencoderViews(this, heldout);
  }


  /** The encoder and the decoder (with tied weights, the saved decoder carries the encoder's kernels it uses). */
  get networks(): Readonly<Record<string, tfl.LayersModel>> {
    return { encoder: this.encoder, decoder: this.decoder };
  }

  /** Trainable parameters, each shared variable counted once (tied kernels belong to the encoder). */
  get parameterCount(): number {
    return this.trainable.reduce((n, v) => n + v.size, 0);
  }

  /** Frees networks, optimizer state and the code statistics. */
  dispose(): void {
    this.decoder.dispose(); // a tied decoder frees only its biases
    this.encoder.dispose();
    this.optimizer.dispose();
    if (this.codeStats) tf.dispose([this.codeStats.mean, this.codeStats.std]);
  }
}

/** The distinct variables of `models` (a variable shared by two models appears once), trainable ones only if asked. */
export function uniqueVariables(models: readonly tfl.LayersModel[], trainableOnly: boolean): tf.Variable[] {
  const seen = new Set<tf.Variable>();
  for (const m of models) {
    for (const w of trainableOnly ? m.trainableWeights : m.weights) seen.add(w.read() as tf.Variable);
  }
  return [...seen];
}
