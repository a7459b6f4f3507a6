/**
 * RealNVP (Dinh, Sohl-Dickstein & Bengio, "Density estimation using Real NVP", ICLR 2017): an
 * invertible f: x → z made of affine coupling layers with alternating masks m, a base density
 * N(0, I), and the exact log-likelihood by the change of variables (their eq. 3):
 *   log p(x) = log N(f(x); 0, I) + Σ_k log|det ∂f_k/∂x_{k−1}|.
 * One coupling (their eqs. 4–8; the masked form is their eq. 9, §3.4):
 *   y = m⊙x + (1 − m)⊙(x⊙exp(s(m⊙x)) + t(m⊙x)),   log|det ∂y/∂x| = Σ_j (1 − m_j)·s_j(m⊙x),
 *   inverse: x = m⊙y + (1 − m)⊙((y − t(m⊙y))⊙exp(−s(m⊙y))).
 * s and t come from one network per coupling (the model file's "coupling" hidden layers, then a
 * zero-initialized dense layer of 2·D units, so that the flow starts as the identity), with
 * s = S_MAX·tanh(raw s): a fixed bound S_MAX = 1 keeps exp(s) within [1/e, e] per layer, for
 * stability (the paper bounds s with tanh times a learned scale; a fixed one keeps every weight in
 * the saved networks, and 8 couplings still scale each coordinate by up to e^±4; on two moons
 * S_MAX = 1 trained faster and steadier than 2 or 3). Masks alternate from one coupling to the
 * next: for points, m_j = (j + k) mod 2 (on 2-D points the coordinates take turns); for images, a
 * checkerboard m_{r,c} = (r + c + k) mod 2 on the flattened image. No batch norm, no multi-scale
 * squeeze: MLP couplings, small enough to train in the panel.
 * Images are dequantized (u = 255·x + U(0, 1), pixel units in [0, 256)) and modelled in logit
 * space (the paper's §4.1): h = logit(α + (1 − 2α)·u/256), α = 0.05, whose log-Jacobian is part
 * of f, so that the NLL in nats bounds the discrete 8-bit NLL and bits/dim = NLL / (D·ln 2).
 * Points are modelled as they are (the toy sets are not standardized).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Batch, DeviceData } from '../data/deviceData';
import type { DataShape, GenerativeModel, LossTerms, ViewOptions } from '../family';
import { inferShapes, takesImages } from '../modelfile/layers';
import type { LayerSpec, ModelSpec } from '../modelfile/types';
import { OptimizerSet } from '../optimizers';
import { Rng } from '../rng';
import type { ChartSpec, View } from '../views';
import { couplingMasks } from './realnvpMasks';
import { REALNVP_BITS_CHART, REALNVP_FORMULA, REALNVP_LOSS_CHART, realNvpViews, type RealNvpLike } from './realnvpViews';
import { buildSeededSequential, dropoutRngs } from './seededDropout';

export { REALNVP_BITS_CHART, REALNVP_FORMULA, REALNVP_LOSS_CHART, REALNVP_LAYER_NAMES, REALNVP_VIEW_TITLES } from './realnvpViews';

/** The bound on s per coupling: s = S_MAX·tanh(raw), so each layer scales a coordinate by a factor within e^±S_MAX. */
export const S_MAX = 1;
/** The logit transform's margin α (Dinh et al. §4.1): h = logit(α + (1 − 2α)·u/256). */
export const LOGIT_ALPHA = 0.05;
/** Levels of an 8-bit pixel: dequantized pixels lie in [0, 256). */
const LEVELS = 256;
const LOG_2PI = Math.log(2 * Math.PI);
/** Samples drawn from the fixed noise in the views: an 8×8 image grid, or 1000 points. */
const FIXED_IMAGES = 64, FIXED_POINTS = 1000;

/** A RealNVP flow with MLP (or convolutional) coupling networks. */
export class RealNvp implements GenerativeModel, RealNvpLike {
  readonly family = 'flow';
  readonly lossTerms: readonly string[];
  readonly charts: readonly ChartSpec[];
  readonly formula = REALNVP_FORMULA;
  readonly shape: DataShape;
  /** Features per example, D. */
  readonly features: number;
  /** Whether the data are images (dequantized, logit space) rather than points. */
  readonly image: boolean;
  /** One s,t network per coupling, applied to m⊙x. */
  readonly couplings: tfl.Sequential[];
  /** Noise drawn once, so the sample grid (or cloud) is comparable over time. */
  readonly fixedZ: tf.Tensor2D;
  /** m_k, [1, D]: 1 where coupling k passes the coordinate through. */
  private readonly masks: tf.Tensor2D[];
  /** S_MAX·(1 − m_k), [1, D]: bounds s and zeroes it where m = 1. */
  private readonly scaleBounds: tf.Tensor2D[];
  /** 1 − m_k, [1, D]: zeroes t where m = 1. */
  private readonly freeMasks: tf.Tensor2D[];
  /** Whether the coupling networks take images [h, w, c] (they start with a 2-D layer) rather than flat vectors. */
  private readonly imageInput: boolean;
  /** Whether they end in a per-pixel conv2d of 2·channels (s then t) rather than a dense layer of 2·D. */
  private readonly perPixelOutput: boolean;
  private readonly optimizer: tf.Optimizer;
  private readonly rng: Rng;
  /** The random generators training draws from (see GenerativeModel), the dropout masks' included. */
  get rngs(): readonly Rng[] {
    return [this.rng, ...dropoutRngs(...this.couplings)];
  }
  /** The optimizers (see GenerativeModel). */
  readonly optimizers: OptimizerSet;

  /** Builds `spec.flow.couplings` coupling networks from `spec.networks.coupling` for data of `shape`. */
  constructor(readonly spec: ModelSpec, shape: DataShape) {
    const hidden = spec.networks.coupling;
    if (!hidden) throw new Error('a flow needs a "coupling" network');
    if (shape.kind === 'text') throw new Error('a flow models points or images, not text');
    const count = spec.flow.couplings;
    if (!(Number.isInteger(count) && count >= 1)) throw new Error(`a flow needs at least one coupling layer, got ${count}`);
    this.shape = shape;
    this.features = shape.height * shape.width * shape.channels;
    this.image = shape.kind !== 'points';
    this.lossTerms = this.image ? ['loss', 'priorNll', 'logDet', 'bitsPerDim'] : ['loss', 'priorNll', 'logDet'];
    this.charts = this.image ? [REALNVP_LOSS_CHART, REALNVP_BITS_CHART] : [REALNVP_LOSS_CHART];
    this.rng = new Rng(spec.training.seed);
    this.imageInput = this.image && takesImages(hidden);
    const input = this.imageInput ? [shape.height, shape.width, shape.channels] : [this.features];
    const shapes = inferShapes(hidden, input);
    const last = shapes.length ? shapes[shapes.length - 1] : input;
    this.perPixelOutput = last.length === 3 && last[0] === shape.height && last[1] === shape.width;
    const layers = [...hidden, ...this.outputLayers(last)];
    this.couplings = Array.from({ length: count }, (_, k) => buildSeededSequential(`coupling${k + 1}`, layers, input, this.rng.seed()));
    const masks = couplingMasks(shape, count);
    this.masks = masks.map((m) => tf.tensor2d(m, [1, this.features]));
    this.freeMasks = masks.map((m) => tf.tensor2d(m.map((v) => 1 - v), [1, this.features]));
    this.scaleBounds = masks.map((m) => tf.tensor2d(m.map((v) => S_MAX * (1 - v)), [1, this.features]));
    this.optimizers = new OptimizerSet(spec.optimizer);
    this.optimizer = this.optimizers.all[0];
    const n = this.image ? FIXED_IMAGES : FIXED_POINTS;
    this.fixedZ = tf.randomNormal([n, this.features], 0, 1, 'float32', this.rng.seed());
  }

  /**
   * The zero-initialized output of each s,t network after hidden layers ending in shape `last`, so
   * that s = t = 0 at the start: a conv2d of 2·channels (s then t per pixel) after full-size
   * feature maps; otherwise dense(2·D), after a flatten if needed.
   */
  private outputLayers(last: readonly number[]): LayerSpec[] {
    if (this.perPixelOutput) return [{ type: 'conv2d', filters: 2 * this.shape.channels, kernelSize: 3, padding: 'same', kernelInitializer: 'zeros' }];
    return [...(last.length > 1 ? [{ type: 'flatten' }] : []), { type: 'dense', units: 2 * this.features, kernelInitializer: 'zeros' }];
  }

  /** s = S_MAX·tanh(raw)⊙(1 − m) and t⊙(1 − m) of coupling `k` for masked input `xm`: both zero where m = 1. */
  private scaleShift(k: number, xm: tf.Tensor2D): { s: tf.Tensor2D; t: tf.Tensor2D } {
    const n = xm.shape[0], d = this.features, c = this.shape.channels;
    const out = this.couplings[k].apply(this.imageInput ? tf.reshape(xm, [n, this.shape.height, this.shape.width, c]) : xm) as tf.Tensor;
    let raw: tf.Tensor2D, t: tf.Tensor2D;
    if (this.perPixelOutput) {
      const perPixel = tf.reshape(out, [n, d / c, 2 * c]);
      raw = tf.reshape(tf.slice(perPixel, [0, 0, 0], [n, d / c, c]), [n, d]);
      t = tf.reshape(tf.slice(perPixel, [0, 0, c], [n, d / c, c]), [n, d]);
    } else {
      [raw, t] = tf.split(out as tf.Tensor2D, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    }
    return { s: tf.mul(tf.tanh(raw), this.scaleBounds[k]), t: tf.mul(t, this.freeMasks[k]) };
  }

  /**
   * The couplings forward, x → z, with Σ_k log|det ∂f_k| per example:
   * y = m⊙x + (1 − m)⊙(x⊙exp(s) + t), log|det| = Σ_j (1 − m_j)·s_j. As s and t are already zero
   * where m = 1 (so exp(s) = 1 there), this is y = x⊙exp(s) + t, log|det| = Σ_j s_j.
   */
  forward(x: tf.Tensor2D): { z: tf.Tensor2D; logDet: tf.Tensor1D } {
    return tf.tidy(() => {
      let h = x;
      let logDet: tf.Tensor1D | undefined;
      this.couplings.forEach((_, k) => {
        const { s, t } = this.scaleShift(k, tf.mul(h, this.masks[k]) as tf.Tensor2D);
        h = tf.add(tf.mul(h, tf.exp(s)), t) as tf.Tensor2D;
        logDet = (logDet ? tf.add(logDet, tf.sum(s, 1)) : tf.sum(s, 1)) as tf.Tensor1D;
      });
      return { z: h, logDet: logDet as tf.Tensor1D };
    });
  }

  /**
   * The couplings inverted, z → x, last coupling first: x = m⊙y + (1 − m)⊙((y − t)⊙exp(−s)) with
   * s, t computed from m⊙y = m⊙x; with s, t zero where m = 1, x = (y − t)⊙exp(−s).
   */
  inverse(z: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      let h = z;
      for (let k = this.couplings.length - 1; k >= 0; k--) {
        const { s, t } = this.scaleShift(k, tf.mul(h, this.masks[k]) as tf.Tensor2D);
        h = tf.mul(tf.sub(h, t), tf.exp(tf.neg(s))) as tf.Tensor2D;
      }
      return h;
    });
  }

  /**
   * Data → the flow's input space, with its log-Jacobian per example. Points pass unchanged.
   * Images: u = 255·x + noise (noise ~ U(0, 1) dequantizes, 0.5 is the bin's centre), then
   * h = logit(p), p = α + (1 − 2α)·u/256, and log|dh/du| = log((1 − 2α)/256) − log p − log(1 − p).
   */
  preprocess(x: tf.Tensor2D, noise?: tf.Tensor2D | number): { h: tf.Tensor2D; logDet: tf.Tensor1D } {
    return tf.tidy(() => {
      if (!this.image) return { h: x, logDet: tf.zeros([x.shape[0]]) as tf.Tensor1D };
      const u = tf.add(tf.mul(x, LEVELS - 1), noise ?? 0.5);
      const p = tf.add(LOGIT_ALPHA, tf.mul((1 - 2 * LOGIT_ALPHA) / LEVELS, u));
      const logP = tf.log(p), log1mP = tf.log(tf.sub(1, p));
      const perDim = tf.sub(tf.sub(Math.log((1 - 2 * LOGIT_ALPHA) / LEVELS), logP), log1mP);
      return { h: tf.sub(logP, log1mP) as tf.Tensor2D, logDet: tf.sum(perDim, 1) as tf.Tensor1D };
    });
  }

  /** The flow's input space → data: for images p = σ(h), u = 256·(p − α)/(1 − 2α), x = (u − ½)/255 clipped to [0, 1]. */
  postprocess(h: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      if (!this.image) return h;
      const u = tf.mul(LEVELS / (1 - 2 * LOGIT_ALPHA), tf.sub(tf.sigmoid(h), LOGIT_ALPHA));
      return tf.clipByValue(tf.div(tf.sub(u, 0.5), LEVELS - 1), 0, 1) as tf.Tensor2D;
    });
  }

  /** f(x): data to latent (images at the bin centres, no noise). */
  encode(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.forward(this.preprocess(x).h).z);
  }

  /** f⁻¹(z): latent to data. */
  decode(z: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.postprocess(this.inverse(z)));
  }

  /**
   * log p(x) per example, in nats: log N(z; 0, I) + log|det ∂f/∂x| with z = f(x) and
   * log N(z; 0, I) = −½‖z‖² − (D/2)·log 2π. For images x is dequantized with `noise` (default ½).
   */
  logProb(x: tf.Tensor2D, noise?: tf.Tensor2D | number): tf.Tensor1D {
    return tf.tidy(() => {
      const t = this.perExample(x, noise);
      return tf.sub(t.logDet, t.priorNll) as tf.Tensor1D;
    });
  }

  /** −log N(f(x); 0, I) and log|det ∂f/∂x| per example (the latter including the logit transform for images). */
  private perExample(x: tf.Tensor2D, noise?: tf.Tensor2D | number): { priorNll: tf.Tensor1D; logDet: tf.Tensor1D } {
    return tf.tidy(() => {
      const pre = this.preprocess(x, noise);
      const { z, logDet } = this.forward(pre.h);
      const priorNll = tf.add(tf.mul(0.5, tf.sum(tf.square(z), 1)), 0.5 * this.features * LOG_2PI) as tf.Tensor1D;
      return { priorNll, logDet: tf.add(logDet, pre.logDet) as tf.Tensor1D };
    });
  }

  /** Batch means: loss = −log p(x) = priorNll − logDet (nats per example), and bits/dim for images. */
  terms(x: tf.Tensor2D, noise?: tf.Tensor2D | number): LossTerms {
    return tf.tidy((): LossTerms => {
      const t = this.perExample(x, noise);
      const priorNll = tf.mean(t.priorNll) as tf.Scalar, logDet = tf.mean(t.logDet) as tf.Scalar;
      const loss = tf.sub(priorNll, logDet) as tf.Scalar;
      if (!this.image) return { loss, priorNll, logDet };
      return { loss, priorNll, logDet, bitsPerDim: tf.div(loss, this.features * Math.LN2) as tf.Scalar };
    });
  }

  /** Dequantization noise U(0, 1) for images (none for points). */
  private noise(x: tf.Tensor2D): tf.Tensor2D | undefined {
    return this.image ? tf.randomUniform(x.shape, 0, 1, 'float32', this.rng.seed()) : undefined;
  }

  /** One optimizer step on the mean NLL. */
  step(batch: Batch): LossTerms {
    const noise = this.noise(batch.x);
    let kept: LossTerms = {};
    const loss = this.optimizer.minimize(() => {
      const { loss, ...rest } = this.terms(batch.x, noise);
      kept = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, tf.keep(v)]));
      return loss;
    }, true) as tf.Scalar;
    noise?.dispose();
    return { loss, ...kept };
  }

  /** The loss terms on `batch` (fresh dequantization noise for images), without an update. */
  evaluate(batch: Batch): LossTerms {
    return tf.tidy(() => this.terms(batch.x, this.noise(batch.x)));
  }

  /** x = f⁻¹(z), z ~ N(0, I). */
  sample(n: number): tf.Tensor2D {
    return tf.tidy(() => this.decode(tf.randomNormal([n, this.features], 0, 1, 'float32', this.rng.seed())));
  }

  /** Density, samples and the x ↔ z maps for 2-D points; samples and f⁻¹(f(x)) for images. */
  views(heldout: DeviceData, options: ViewOptions): Promise<View[]> {
    return realNvpViews(this, heldout, options);
  }


  /** The coupling networks, coupling1 … couplingK (applied in that order from x to z). */
  get networks(): Readonly<Record<string, tfl.LayersModel>> {
    return Object.fromEntries(this.couplings.map((c, k) => [`coupling${k + 1}`, c]));
  }

  /** Trainable parameters of every coupling network. */
  get parameterCount(): number {
    return this.couplings.reduce((sum, c) => sum + c.countParams(), 0);
  }

  /** Frees the networks, the masks, the optimizer state and the fixed noise. */
  dispose(): void {
    this.couplings.forEach((c) => c.dispose());
    tf.dispose([...this.masks, ...this.freeMasks, ...this.scaleBounds]);
    this.optimizer.dispose();
    this.fixedZ.dispose();
  }
}
