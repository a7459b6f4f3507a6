/**
 * The baseline to beat: the MLP VAE written the plain TensorFlow.js way, as tfjs-examples'
 * fashion-mnist-vae does: tf.layers Dense networks, tf.train.adam().minimize, and the loss read
 * back after every step. Nothing of GenLab is imported, so the backend keeps its own kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ISSUE_VAE, type VaeSizes } from './issueVae';

/**
 * The images as one float32 tensor in [0, 1], scaled on the CPU before upload as tfjs-examples'
 * MNIST loaders do (mnist-node/data.js: `array[i] = buffer.readUInt8(index++) / 255`).
 */
export function plainImages(pixels: Uint8Array, count: number, features: number): tf.Tensor2D {
  const scaled = new Float32Array(pixels.length);
  for (let i = 0; i < scaled.length; i++) scaled[i] = pixels[i] / 255;
  return tf.tensor2d(scaled, [count, features], 'float32');
}

/** A Bernoulli-decoder VAE trained step by step with Adam, reading its loss every step. */
export class PlainVae {
  private readonly encoder: tfl.Sequential;
  private readonly decoder: tfl.Sequential;
  private readonly optimizer = tf.train.adam(1e-3);

  /** Builds both networks (Glorot-uniform kernels, zero biases: tf.layers' defaults). */
  constructor(readonly sizes: VaeSizes = ISSUE_VAE) {
    const { features, hidden, latent } = sizes;
    this.encoder = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [features], units: hidden, activation: 'relu' }), tfl.layers.dense({ units: 2 * latent })] });
    this.decoder = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [latent], units: hidden, activation: 'relu' }), tfl.layers.dense({ units: features })] });
  }

  /** −ELBO averaged over the batch `x` (values in [0, 1] as Bernoulli targets), one reparameterized sample. */
  loss(x: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => {
      const n = x.shape[0], d = this.sizes.latent;
      const h = this.encoder.apply(x) as tf.Tensor2D;
      const mu = tf.slice(h, [0, 0], [n, d]), logVar = tf.slice(h, [0, d], [n, d]);
      const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), tf.randomNormal([n, d])));
      const logits = this.decoder.apply(z) as tf.Tensor2D;
      const recon = tf.div(tf.losses.sigmoidCrossEntropy(x, logits, undefined, 0, tf.Reduction.SUM), n);
      const kl = tf.mul(-0.5, tf.mean(tf.sum(tf.sub(tf.sub(tf.add(logVar, 1), tf.square(mu)), tf.exp(logVar)), 1)));
      return tf.add(recon, kl) as tf.Scalar;
    });
  }

  /** One Adam step on the batch `x`; returns the loss, read back at once. */
  step(x: tf.Tensor2D): number {
    const loss = this.optimizer.minimize(() => this.loss(x), true) as tf.Scalar;
    const value = loss.dataSync()[0];
    loss.dispose();
    return value;
  }

  /** Frees the networks and the optimizer's moments. */
  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
    this.optimizer.dispose();
  }
}
