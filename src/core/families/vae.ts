/**
 * Variational autoencoder (Kingma & Welling, "Auto-Encoding Variational Bayes", 2014):
 * encoder q(z|x) = N(μ(x), diag σ²(x)), prior p(z) = N(0, I), and a Bernoulli decoder
 * p(x|z) = Bern(σ(logits(z))) or a Gaussian one p(x|z) = N(μ(z), σ²I) with fixed σ.
 * Trained on −ELBO = E_q[−log p(x|z)] + w·KL(q(z|x) ‖ p(z)) with one reparameterized sample,
 * where w = β (β-VAE, Higgins et al. 2017), reached linearly over the KL warm-up steps.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Batch, DeviceData } from '../data/deviceData';
import type { DataShape, GenerativeModel, LossTerms, ViewOptions } from '../family';
import { bernoulliNllFromLogits, gaussianKlToStandard, gaussianNll, klWeight, reparameterize } from '../losses';
import { takesImages } from '../modelfile/layers';
import type { ModelSpec } from '../modelfile/types';
import { OptimizerSet } from '../optimizers';
import { Rng } from '../rng';
import type { ChartSpec, FormulaSpec, View } from '../views';
import { vaeViews, type VaeLike } from './vaeViews';
import { buildSeededSequential, dropoutRngs } from './seededDropout';

export { VAE_DEFAULTS, vaeSpec, type VaeConfig } from './vaeConfig';

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

/** The VAE's charts: −ELBO with its reconstruction term, and the KL term. */
export const VAE_CHARTS: readonly ChartSpec[] = [
  {
    id: 'loss', title: 'Loss (nats per image)', yLabel: 'nats', series: [
      { term: 'negElbo', source: 'train', name: 'train −ELBO' },
      { term: 'recon', source: 'train', name: 'train reconstruction' },
      { term: 'negElbo', source: 'heldout', name: 'held-out −ELBO (per epoch)' },
    ],
  },
  {
    id: 'kl', title: 'KL term (nats per image)', yLabel: 'nats', series: [
      { term: 'kl', source: 'train', name: 'train KL' },
      { term: 'kl', source: 'heldout', name: 'held-out KL (per epoch)' },
    ],
  },
];

/** A VAE with MLP encoder and decoder. */
export class Vae implements GenerativeModel, VaeLike {
  readonly family = 'vae';
  readonly lossTerms = ['loss', 'negElbo', 'recon', 'kl'] as const;
  readonly charts = VAE_CHARTS;
  readonly formula: FormulaSpec = { template: '−ELBO = reconstruction + KL: {0} = {1} + {2}', terms: ['negElbo', 'recon', 'kl'] };
  /** Optimization steps taken, for the KL warm-up. */
  steps = 0;
  readonly encoder: tfl.Sequential;
  readonly decoder: tfl.Sequential;
  readonly fixedZ: tf.Tensor2D;
  readonly latentDim: number;
  private readonly optimizer: tf.Optimizer;
  private readonly rng: Rng;
  /** The random generators training draws from (see GenerativeModel), the dropout masks' included. */
  get rngs(): readonly Rng[] {
    return [this.rng, ...dropoutRngs(this.encoder, this.decoder)];
  }
  private readonly imageInput: boolean;
  private readonly shape: DataShape;
  /** The optimizers (see GenerativeModel). */
  readonly optimizers: OptimizerSet;

  /** Builds the networks of `spec` and its optimizer for data of `shape`. */
  constructor(readonly spec: ModelSpec, shape: DataShape) {
    const features = shape.height * shape.width * shape.channels;
    this.shape = shape;
    this.latentDim = spec.latentDim;
    this.rng = new Rng(spec.training.seed);
    const enc = spec.networks.encoder, dec = spec.networks.decoder;
    if (!enc || !dec) throw new Error('a VAE needs "encoder" and "decoder" networks');
    this.imageInput = takesImages(enc);
    this.encoder = buildSeededSequential('encoder', enc, this.imageInput ? [shape.height, shape.width, shape.channels] : [features], this.rng.seed());
    this.decoder = buildSeededSequential('decoder', dec, [spec.latentDim], this.rng.seed());
    this.optimizers = new OptimizerSet(spec.optimizer);
    this.optimizer = this.optimizers.all[0];
    this.fixedZ = tf.randomNormal([SAMPLE_GRID, spec.latentDim], 0, 1, 'float32', this.rng.seed());
  }

  /** μ and log σ² of q(z|x). */
  encode(x: tf.Tensor2D): { mu: tf.Tensor2D; logVar: tf.Tensor2D } {
    return tf.tidy(() => {
      const input = this.imageInput ? tf.reshape(x, [x.shape[0], this.shape.height, this.shape.width, this.shape.channels]) : x;
      const h = this.encoder.apply(input) as tf.Tensor2D;
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
    return tf.tidy(() => {
      const out = this.decoder.apply(z) as tf.Tensor;
      return tf.reshape(out, [z.shape[0], -1]) as tf.Tensor2D;
    });
  }

  /** The decoder's mean E[x|z]: σ(logits) for a Bernoulli decoder, the output itself for a Gaussian one. */
  decodeMean(z: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => (this.gaussian ? this.decodeLogits(z) : tf.sigmoid(this.decodeLogits(z))));
  }

  private get gaussian(): boolean {
    return this.spec.loss.reconstruction === 'gaussian';
  }

  /** The KL weight w at the current step: β, reached linearly over the warm-up. */
  get klWeight(): number {
    return klWeight(this.spec.loss.beta, this.steps, this.spec.loss.klWarmup);
  }

  /** Loss terms for inputs `x` with reparameterization noise `eps` ~ N(0, I). */
  terms(x: tf.Tensor2D, eps: tf.Tensor2D): VaeTerms {
    return tf.tidy(() => {
      const { mu, logVar } = this.encode(x);
      const z = reparameterize(mu, logVar, eps);
      const out = this.decodeLogits(z);
      const nll = this.gaussian ? gaussianNll(out, x, this.spec.loss.sigma) : bernoulliNllFromLogits(out, x);
      const recon = tf.mean(nll) as tf.Scalar;
      const kl = tf.mean(gaussianKlToStandard(mu, logVar)) as tf.Scalar;
      return { loss: tf.add(recon, tf.mul(this.klWeight, kl)) as tf.Scalar, negElbo: tf.add(recon, kl) as tf.Scalar, recon, kl };
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
    this.steps++;
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

  /** Samples, reconstructions, traversal/manifold, the latent scatter and an interpolation. */
  views(heldout: DeviceData, options: ViewOptions): Promise<View[]> {
    return vaeViews(this, heldout, options);
  }


  /** The encoder and the decoder. */
  get networks(): Readonly<Record<string, tfl.LayersModel>> {
    return { encoder: this.encoder, decoder: this.decoder };
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
