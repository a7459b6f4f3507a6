/**
 * Denoising diffusion probabilistic models (Ho, Jain & Abbeel, "Denoising Diffusion Probabilistic
 * Models", 2020). A fixed forward process adds Gaussian noise over T steps,
 * x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε (ddpmSchedule.ts), and a network ε_θ(x_t, t) learns to predict ε.
 *
 * Training (their Algorithm 1): x_0 from the data, t ~ U{1..T}, ε ~ N(0, I), and a gradient step on
 * the simplified loss L_simple = ‖ε − ε_θ(x_t, t)‖², reported as the mean over the dimensions and the
 * batch (a mean squared error per dimension, as in their code's mean_flat; multiply by the number of
 * dimensions for the per-example sum).
 * Sampling (Algorithm 2, ancestral): x_T ~ N(0, I), then for t = T..1
 * x_{t−1} = 1/√α_t · (x_t − β_t/√(1 − ᾱ_t) · ε_θ(x_t, t)) + σ_t z with σ_t² = β_t and z ~ N(0, I)
 * (z = 0 at t = 1).
 *
 * The denoiser sees x_t with a sinusoidal embedding of t (TIME_EMBEDDING_DIMS values): concatenated
 * for vectors ([features + E] in, [features] out), or broadcast as E extra channels for images
 * ([h, w, c + E] in, [h, w, c] out). Images are scaled from [0, 1] to [−1, 1] for the diffusion and
 * back for samples and views; points are diffused as they are (the toy sets lie within ±3).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Batch, DeviceData } from '../data/deviceData';
import type { DataShape, GenerativeModel, LossTerms, ViewOptions } from '../family';
import type { StepRow } from '../loop';
import { TIME_EMBEDDING_DIMS } from '../modelfile/defaults';
import { takesImages } from '../modelfile/layers';
import type { ModelSpec } from '../modelfile/types';
import { OptimizerSet } from '../optimizers';
import { Rng } from '../rng';
import type { ChartSpec, ControlSpec, FormulaSpec, View } from '../views';
import { noiseSchedule, timeEmbeddingTable, type NoiseSchedule } from './ddpmSchedule';
import { ddpmViews, TIME_CONTROL, TrajectoryCache, type DdpmLike } from './ddpmViews';
import { GAN_DIVERGENCE_CHART } from './gan';
import { buildSeededSequential, dropoutRngs } from './seededDropout';

/** The denoising loss per step and on held-out data per epoch. */
export const DDPM_LOSS_CHART: ChartSpec = {
  id: 'loss', title: 'Denoising loss ‖ε − ε_θ(x_t, t)‖²', yLabel: 'mean squared error per dimension', series: [
    { term: 'loss', source: 'train', name: 'train loss' },
    { term: 'loss', source: 'heldout', name: 'held-out loss (per epoch)' },
  ],
};

/** The simplified objective, {0} = loss. */
export const DDPM_FORMULA: FormulaSpec = { template: 'L_simple = ‖ε − ε_θ(√ᾱ_t x_0 + √(1 − ᾱ_t) ε, t)‖² = {0}', terms: ['loss'] };

/** ᾱ_T above this leaves more than a tenth of x_0's scale in x_T, so x_T ~ N(0, I) is the wrong start for sampling. */
export const MAX_TERMINAL_ALPHA_BAR = 0.01;

/** The warning watch() gives for a schedule whose x_T still holds much of the data. */
export const TERMINAL_SIGNAL_WARNING = 'The noise schedule leaves part of the data in x_T (ᾱ_T is far from 0), so sampling, which starts from x_T ~ N(0, I), starts from the wrong distribution: raise diffusion.betaEnd or diffusion.steps, or use the cosine schedule.';

/** Steps between yields to the event loop while sampling inside views(), so no single task runs long. */
const YIELD_EVERY = 25;

/** The host's timer: browsers and Node both have it, but the core compiles without either's types. */
declare function setTimeout(callback: () => void, ms: number): unknown;
const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** A DDPM with the spec's denoiser network ε_θ. */
export class Ddpm implements GenerativeModel, DdpmLike {
  readonly family = 'diffusion';
  readonly lossTerms = ['loss'] as const;
  readonly charts: readonly ChartSpec[];
  readonly formula = DDPM_FORMULA;
  readonly controls: readonly ControlSpec[];
  readonly schedule: NoiseSchedule;
  readonly denoiser: tfl.Sequential;
  readonly shape: DataShape;
  readonly features: number;
  /** Seed of the views' sampling noise, fixed so the strip changes only as the network learns. */
  readonly viewSeed: number;
  /** Optimization steps taken: the views resample whenever this changes. */
  steps = 0;
  /** The views' sampling trajectory, kept between calls (see ddpmViews.ts). */
  readonly cache = new TrajectoryCache();
  private readonly images: boolean;
  private readonly imageInput: boolean;
  /** Row t = sinusoidal embedding of t, [T + 1, E]. */
  private readonly embeddings: tf.Tensor2D;
  /** √ᾱ_t and √(1 − ᾱ_t) for t = 0..T, [T + 1, 1]. */
  private readonly signalScale: tf.Tensor2D;
  private readonly noiseScale: tf.Tensor2D;
  private readonly optimizer: tf.Optimizer;
  private readonly rng: Rng;
  /** The random generators training draws from (see GenerativeModel), the dropout masks' included. */
  get rngs(): readonly Rng[] {
    return [this.rng, this.evalRng, ...dropoutRngs(this.denoiser)];
  }
  /** Noise and time steps for evaluate() and sample(), apart from training's. */
  private readonly evalRng: Rng;
  /** The optimizers (see GenerativeModel). */
  readonly optimizers: OptimizerSet;

  /** Builds the denoiser of `spec` and its optimizer for data of `shape` (images or points). */
  constructor(readonly spec: ModelSpec, shape: DataShape) {
    if (shape.kind === 'text') throw new Error('a diffusion model needs images or points, not text');
    const network = spec.networks.denoiser;
    if (!network) throw new Error('a diffusion model needs a "denoiser" network');
    this.shape = shape;
    this.images = shape.kind !== 'points';
    this.features = shape.height * shape.width * shape.channels;
    this.schedule = noiseSchedule(spec.diffusion);
    this.rng = new Rng(spec.training.seed);
    this.imageInput = takesImages(network);
    const E = TIME_EMBEDDING_DIMS;
    const input = this.imageInput ? [shape.height, shape.width, shape.channels + E] : [this.features + E];
    this.denoiser = buildSeededSequential('denoiser', network, input, this.rng.seed());
    const out = this.denoiser.outputs[0].shape.slice(1) as number[];
    if (out.reduce((a, b) => a * b, 1) !== this.features) {
      this.denoiser.dispose();
      throw new Error(`the denoiser outputs [${out.join(', ')}] but ε has ${this.features} values per example (${this.imageInput ? `[${shape.height}, ${shape.width}, ${shape.channels}]` : `[${this.features}]`})`);
    }
    const T = this.schedule.steps;
    this.embeddings = tf.tensor2d(timeEmbeddingTable(T, E), [T + 1, E]);
    this.signalScale = tf.tensor2d(Float32Array.from(this.schedule.alphaBars, (a) => Math.sqrt(a)), [T + 1, 1]);
    this.noiseScale = tf.tensor2d(Float32Array.from(this.schedule.alphaBars, (a) => Math.sqrt(1 - a)), [T + 1, 1]);
    this.optimizers = new OptimizerSet(spec.optimizer);
    this.optimizer = this.optimizers.all[0];
    this.viewSeed = this.rng.seed();
    this.evalRng = new Rng(this.rng.seed());
    const plane = !this.images && this.features === 2;
    this.charts = plane ? [DDPM_LOSS_CHART, GAN_DIVERGENCE_CHART] : [DDPM_LOSS_CHART];
    this.controls = [{ id: TIME_CONTROL, label: 'Sampling step t', kind: 'range', min: 0, max: T, step: 1, default: 0 }];
  }

  /** Data → diffusion space: images from [0, 1] to [−1, 1], points as they are. */
  toDiffusion(x: tf.Tensor2D): tf.Tensor2D {
    return this.images ? tf.tidy(() => tf.sub(tf.mul(x, 2), 1) as tf.Tensor2D) : tf.clone(x);
  }

  /** Diffusion space → data: images back to [0, 1] (clipped), points as they are. */
  toData(x: tf.Tensor2D): tf.Tensor2D {
    return this.images ? tf.tidy(() => tf.clipByValue(tf.div(tf.add(x, 1), 2), 0, 1) as tf.Tensor2D) : tf.clone(x);
  }

  /** ε_θ(x_t, t) for flat x_t [n, features] and int32 steps t [n], as [n, features]. */
  predictNoise(xt: tf.Tensor2D, t: tf.Tensor1D, training = false): tf.Tensor2D {
    return tf.tidy(() => {
      const n = xt.shape[0];
      const emb = tf.gather(this.embeddings, t);
      let input: tf.Tensor;
      if (this.imageInput) {
        const { height: h, width: w, channels: c } = this.shape;
        const channels = tf.tile(tf.reshape(emb, [n, 1, 1, TIME_EMBEDDING_DIMS]), [1, h, w, 1]); // e(t) at every pixel
        input = tf.concat([tf.reshape(xt, [n, h, w, c]), channels], 3);
      } else {
        input = tf.concat([xt, emb], 1);
      }
      return tf.reshape(this.denoiser.apply(input, { training }) as tf.Tensor, [n, this.features]) as tf.Tensor2D;
    });
  }

  /** q(x_t | x_0) in closed form: x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε, per row with its own t. */
  diffuse(x0: tf.Tensor2D, t: tf.Tensor1D, eps: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.add(tf.mul(tf.gather(this.signalScale, t), x0), tf.mul(tf.gather(this.noiseScale, t), eps)) as tf.Tensor2D);
  }

  /** L_simple = mean over rows and dimensions of (ε − ε_θ(x_t, t))², for diffusion-space x_0. */
  denoisingLoss(x0: tf.Tensor2D, t: tf.Tensor1D, eps: tf.Tensor2D, training = false): tf.Scalar {
    return tf.tidy(() => tf.mean(tf.squaredDifference(eps, this.predictNoise(this.diffuse(x0, t, eps), t, training))) as tf.Scalar);
  }

  /** `n` time steps t ~ U{1..T} from `rng`. */
  private times(n: number, rng: Rng): tf.Tensor1D {
    const T = this.schedule.steps;
    return tf.tensor1d(Int32Array.from({ length: n }, () => 1 + Math.min(T - 1, Math.floor(rng.next() * T))), 'int32');
  }

  /** One optimizer step on L_simple (Algorithm 1) with fresh t and ε. */
  step(batch: Batch): LossTerms {
    const n = batch.x.shape[0];
    const x0 = this.toDiffusion(batch.x);
    const t = this.times(n, this.rng);
    const eps = tf.randomNormal([n, this.features], 0, 1, 'float32', this.rng.seed()) as tf.Tensor2D;
    const variables = this.denoiser.trainableWeights.map((w) => w.read() as tf.Variable);
    const loss = this.optimizer.minimize(() => this.denoisingLoss(x0, t, eps, true), true, variables) as tf.Scalar;
    tf.dispose([x0, t, eps]);
    this.steps++;
    return { loss };
  }

  /** L_simple on `batch` with fresh t and ε (from the evaluation noise), no update. */
  evaluate(batch: Batch): LossTerms {
    const n = batch.x.shape[0];
    const t = this.times(n, this.evalRng);
    const loss = tf.tidy(() => this.denoisingLoss(this.toDiffusion(batch.x), t, tf.randomNormal([n, this.features], 0, 1, 'float32', this.evalRng.seed()) as tf.Tensor2D));
    t.dispose();
    return { loss };
  }

  /**
   * One ancestral step from x_t (Algorithm 2): x_{t−1} = 1/√α_t · (x_t − β_t/√(1 − ᾱ_t) · ε_θ) + √β_t z
   * (no noise at t = 1), and the prediction x̂_0 = (x_t − √(1 − ᾱ_t) ε_θ)/√ᾱ_t it implies.
   */
  reverseStep(xt: tf.Tensor2D, t: number, z: tf.Tensor2D | null): { prev: tf.Tensor2D; x0: tf.Tensor2D } {
    return tf.tidy(() => {
      const { betas, alphas, alphaBars } = this.schedule;
      const eps = this.predictNoise(xt, tf.fill([xt.shape[0]], t, 'int32') as tf.Tensor1D);
      const x0 = tf.div(tf.sub(xt, tf.mul(eps, Math.sqrt(1 - alphaBars[t]))), Math.sqrt(alphaBars[t])) as tf.Tensor2D;
      const mean = tf.div(tf.sub(xt, tf.mul(eps, betas[t] / Math.sqrt(1 - alphaBars[t]))), Math.sqrt(alphas[t]));
      const prev = (t > 1 && z ? tf.add(mean, tf.mul(z, Math.sqrt(betas[t]))) : mean) as tf.Tensor2D;
      return { prev, x0 };
    });
  }

  /**
   * Runs Algorithm 2 for `n` samples with noise from `seedOf` (x_T from seedOf(T + 1), z_t from
   * seedOf(t)), calling `visit(t, x_t, x̂_0)` for t = T..0 (x̂_0 = x_0 at t = 0; the callback may
   * tf.keep what it needs). Returns x_0 in diffusion space. Yields to the event loop every few steps when `yielding`.
   */
  async ancestral(n: number, seedOf: (t: number) => number, visit: (t: number, xt: tf.Tensor2D, x0: tf.Tensor2D) => void, yielding = true): Promise<tf.Tensor2D> {
    let x = tf.randomNormal([n, this.features], 0, 1, 'float32', seedOf(this.schedule.steps + 1)) as tf.Tensor2D;
    for (let t = this.schedule.steps; t >= 1; t--) {
      const { prev, x0 } = tf.tidy(() => {
        const z = t > 1 ? (tf.randomNormal([n, this.features], 0, 1, 'float32', seedOf(t)) as tf.Tensor2D) : null;
        return this.reverseStep(x, t, z);
      });
      tf.tidy(() => visit(t, x, x0));
      tf.dispose([x, x0]);
      x = prev;
      if (yielding && t % YIELD_EVERY === 0) await yieldToEventLoop();
    }
    tf.tidy(() => visit(0, x, x));
    return x;
  }

  /** `n` samples by ancestral sampling with fresh noise (T network evaluations): images in [0, 1], or points. */
  sample(n: number): tf.Tensor2D {
    const noise = () => tf.randomNormal([n, this.features], 0, 1, 'float32', this.evalRng.seed()) as tf.Tensor2D;
    let x = noise();
    for (let t = this.schedule.steps; t >= 1; t--) {
      const next = tf.tidy(() => this.reverseStep(x, t, t > 1 ? noise() : null).prev);
      x.dispose();
      x = next;
    }
    const out = this.toData(x);
    x.dispose();
    return out;
  }

  /** The denoising strip, the predicted x̂_0 at those steps, x_t at the slider's t, and for 2-D points the divergence. */
  views(heldout: DeviceData, options: ViewOptions): Promise<View[]> {
    return ddpmViews(this, heldout, options);
  }

  /** TERMINAL_SIGNAL_WARNING while ᾱ_T > MAX_TERMINAL_ALPHA_BAR (a property of the schedule, not of training). */
  watch(_rows: readonly StepRow[]): string | undefined {
    return this.schedule.alphaBars[this.schedule.steps] > MAX_TERMINAL_ALPHA_BAR ? TERMINAL_SIGNAL_WARNING : undefined;
  }


  /** The denoiser ε_θ. */
  get networks(): Readonly<Record<string, tfl.LayersModel>> {
    return { denoiser: this.denoiser };
  }

  /** Trainable parameters of the denoiser. */
  get parameterCount(): number {
    return this.denoiser.countParams();
  }

  /** Frees the denoiser, the optimizer state, the schedule's tensors and the views' cache. */
  dispose(): void {
    this.denoiser.dispose();
    this.optimizer.dispose();
    tf.dispose([this.embeddings, this.signalScale, this.noiseScale]);
    this.cache.dispose();
  }
}
