/**
 * GAN losses on discriminator logits l (D = σ(l)), in nats per example, from Goodfellow et al.
 * "Generative Adversarial Nets" (2014): D maximizes log D(x) + log(1 − D(G(z))); G minimizes
 * log(1 − D(G(z))) (minimax) or −log D(G(z)) (non-saturating, their §3 heuristic).
 * Identities used: −log σ(l) = softplus(−l) and −log(1 − σ(l)) = softplus(l).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GeneratorLoss } from './modelfile/types';

/**
 * The discriminator's loss, mean over the batch:
 * −[(1 − s)·log D(x) + s·log(1 − D(x))] − log(1 − D(G(z))), with one-sided label smoothing s
 * (the target for real data is 1 − s; Salimans et al. 2016, §3.4).
 */
export function discriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor, labelSmoothing = 0): tf.Scalar {
  return tf.tidy(() => {
    const real = tf.add(tf.mul(1 - labelSmoothing, tf.softplus(tf.neg(realLogits))), tf.mul(labelSmoothing, tf.softplus(realLogits)));
    return tf.add(tf.mean(real), tf.mean(tf.softplus(fakeLogits))) as tf.Scalar;
  });
}

/** The generator's loss, mean over the batch: log(1 − D(G(z))) = −softplus(l) (minimax) or −log D(G(z)) = softplus(−l) (non-saturating). */
export function generatorLoss(fakeLogits: tf.Tensor, kind: GeneratorLoss): tf.Scalar {
  return tf.tidy(() => (kind === 'minimax' ? tf.neg(tf.mean(tf.softplus(fakeLogits))) : tf.mean(tf.softplus(tf.neg(fakeLogits)))) as tf.Scalar);
}

/** Mean D = σ(l) over the batch: D(x) on real data, D(G(z)) on generated data. */
export function meanProbability(logits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.sigmoid(logits)) as tf.Scalar);
}
