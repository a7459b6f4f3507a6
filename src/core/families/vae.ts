/**
 * Variational autoencoder (Kingma & Welling, "Auto-Encoding Variational Bayes", 2014):
 * encoder q(z|x) = N(μ(x), diag σ²(x)), prior p(z) = N(0, I), Bernoulli decoder p(x|z).
 * Trained on −ELBO = E_q[−log p(x|z)] + β·KL(q(z|x) ‖ p(z)) with one reparameterized sample.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Batch, DeviceData } from '../data/deviceData';
import type { DataShape, GenerativeModel, LossTerms, ViewOptions } from '../family';
import { bernoulliNllFromLogits, gaussianKlToStandard, reparameterize } from '../losses';
import { mlp } from '../nets';
import { Rng } from '../rng';
import type { View } from '../views';
import { vaeViews, type VaeLike } from './vaeViews';
import type { VaeConfig } from './vaeConfig';

export { VAE_DEFAULTS, type VaeConfig } from './vaeConfig';

/** Per-batch means of the VAE's loss terms, in nats per example. */
export interface VaeTerms {
  /** The optimized objective, recon + β·kl. */
  loss: tf.Scalar;
  /** −ELBO = recon + kl. */
  negElbo: tf.Scalar;
  recon: tf.Scalar;
  kl: tf.Scalar;
}

const SAMPLE_GRID = 64;

/** A VAE with MLP encoder and decoder. */
export class Vae implements GenerativeModel, VaeLike {
  readonly family = 'vae';
  readonly lossTerms = ['loss', 'negElbo', 'recon', 'kl'] as const;
  readonly encoder: tfl.Sequential;
  readonly decoder: tfl.Sequential;
  readonly fixedZ: tf.Tensor2D;
  readonly latentDim: number;
  private readonly optimizer: tf.AdamOptimizer;
  private readonly rng: Rng;
  private lr: number;

  /** Builds the networks and the Adam optimizer for data of `shape`. */
  constructor(readonly config: VaeConfig, shape: DataShape) {
    const features = shape.height * shape.width * shape.channels;
    this.latentDim = config.latentDim;
    this.rng = new Rng(config.seed);
    this.encoder = mlp('encoder', features, [
      { units: config.hiddenUnits, activation: 'relu' }, { units: 2 * config.latentDim },
    ], this.rng.seed());
    this.decoder = mlp('decoder', config.latentDim, [
      { units: config.hiddenUnits, activation: 'relu' }, { units: features },
    ], this.rng.seed());
    this.lr = config.learningRate;
    this.optimizer = tf.train.adam(config.learningRate);
    this.fixedZ = tf.randomNormal([SAMPLE_GRID, config.latentDim], 0, 1, 'float32', this.rng.seed());
  }

  /** μ and log σ² of q(z|x). */
  encode(x: tf.Tensor2D): { mu: tf.Tensor2D; logVar: tf.Tensor2D } {
    return tf.tidy(() => {
      const h = this.encoder.apply(x) as tf.Tensor2D;
      const n = x.shape[0];
      return { mu: tf.slice(h, [0, 0], [n, this.latentDim]), logVar: tf.slice(h, [0, this.latentDim], [n, this.latentDim]) };
    });
  }

  /** Posterior means μ(x). */
  encodeMean(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.encode(x).mu);
  }

  /** Decoder logits for z. */
  decodeLogits(z: tf.Tensor2D): tf.Tensor2D {
    return this.decoder.apply(z) as tf.Tensor2D;
  }

  /** Decoder means σ(logits): the expected image for z. */
  decodeMean(z: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.sigmoid(this.decodeLogits(z)));
  }

  /** Loss terms for inputs `x` with reparameterization noise `eps` ~ N(0, I). */
  terms(x: tf.Tensor2D, eps: tf.Tensor2D): VaeTerms {
    return tf.tidy(() => {
      const { mu, logVar } = this.encode(x);
      const z = reparameterize(mu, logVar, eps);
      const recon = tf.mean(bernoulliNllFromLogits(this.decodeLogits(z), x)) as tf.Scalar;
      const kl = tf.mean(gaussianKlToStandard(mu, logVar)) as tf.Scalar;
      return { loss: tf.add(recon, tf.mul(this.config.beta, kl)) as tf.Scalar, negElbo: tf.add(recon, kl) as tf.Scalar, recon, kl };
    });
  }

  private noise(n: number): tf.Tensor2D {
    return tf.randomNormal([n, this.latentDim], 0, 1, 'float32', this.rng.seed());
  }

  /** One Adam step on −ELBO (β-weighted). */
  step(batch: Batch): LossTerms {
    let kept: LossTerms = {};
    const eps = this.noise(batch.x.shape[0]);
    const loss = this.optimizer.minimize(() => {
      const t = this.terms(batch.x, eps);
      kept = { negElbo: tf.keep(t.negElbo), recon: tf.keep(t.recon), kl: tf.keep(t.kl) };
      return t.loss;
    }, true) as tf.Scalar;
    eps.dispose();
    return { loss, ...kept };
  }

  /** The loss terms on `batch`, with fresh noise, and no update. */
  evaluate(batch: Batch): LossTerms {
    return tf.tidy(() => {
      const t = this.terms(batch.x, this.noise(batch.x.shape[0]));
      return { loss: t.loss, negElbo: t.negElbo, recon: t.recon, kl: t.kl };
    });
  }

  /** Decoded means of z ~ N(0, I). */
  sample(n: number): tf.Tensor2D {
    return tf.tidy(() => this.decodeMean(this.noise(n)));
  }

  /** Samples, reconstructions, traversal/manifold and the latent scatter. */
  views(heldout: DeviceData, options: ViewOptions): Promise<View[]> {
    return vaeViews(this, heldout, options.focusIndex);
  }

  /** The current learning rate. */
  get learningRate(): number {
    return this.lr;
  }

  /** Adam reads its learning rate at every update, so this changes it without touching the moments. */
  setLearningRate(lr: number): void {
    if (!(lr > 0) || !Number.isFinite(lr)) throw new Error(`learning rate must be a positive number, got ${lr}`);
    this.lr = lr;
    (this.optimizer as unknown as { learningRate: number }).learningRate = lr;
  }

  /** Trainable parameters of both networks. */
  get parameterCount(): number {
    return this.encoder.countParams() + this.decoder.countParams();
  }

  /** Frees networks, optimizer state and the fixed noise. */
  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
    this.optimizer.dispose();
    this.fixedZ.dispose();
  }
}
