/**
 * The tensor functions and layer plumbing shared by the character-level GPT's custom layers
 * (transformerLayers.ts and attention.ts): GPT-2's initializer, a matMul and an embedding lookup
 * whose gradients are plain matMuls with explicit transposes (fast on the wasm backend, where
 * tf.matMul's transpose flags and the CPU-borrowed gather gradient are 10–100× slower), the affine
 * map x·W + b, and GELU.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerVariable } from '@tensorflow/tfjs-layers';

/** The options every tf.layers layer takes (name, trainable, …), which each custom layer's options extend. */
export type BaseArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/** GPT-2's weight initialization: N(0, 0.02²) (residual projections are scaled further by the caller). */
export const INIT_STD = 0.02;

/** The one input tensor of a layer, whether tf.layers hands it over alone or in a list. */
export const soleInput = (inputs: tf.Tensor | tf.Tensor[]): tf.Tensor => (Array.isArray(inputs) ? inputs[0] : inputs);
/** The one input shape of a layer, whether tf.layers hands it over alone or in a list. */
export const soleShape = (s: tfl.Shape | tfl.Shape[]): tfl.Shape => (Array.isArray(s[0]) ? s[0] : s) as tfl.Shape;
/** The initializer N(0, stddev²) with a fixed seed, so runs repeat exactly. */
export const seededNormal = (stddev: number, seed: number) => tfl.initializers.randomNormal({ mean: 0, stddev, seed });

/** Swaps the last two axes. */
function transposeLast(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
  return tf.transpose(x, perm);
}

/**
 * a·b for a [..., m, k] and b [..., k, n] of the same rank, with the gradients
 * ∂/∂a = dy·bᵀ and ∂/∂b = aᵀ·dy computed with explicit transposes (tf.matMul's own gradient uses
 * its transpose flags, about 10× slower on wasm).
 */
export const matMulFast = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = Array.isArray(dy) ? dy[0] : dy;
      return [tf.matMul(g, transposeLast(saved[1])), tf.matMul(transposeLast(saved[0]), g)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** E[ids] for a table E [V, C] and int32 ids [N], with ∂/∂E = onehot(ids)ᵀ·dy (no scatter, which wasm lacks). */
export const embeddingLookup = tf.customGrad(((table: tf.Tensor, ids: tf.Tensor, save: tf.GradSaveFunc) => {
  save([ids]);
  return {
    value: tf.gather(table, ids),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = Array.isArray(dy) ? dy[0] : dy;
      return [tf.matMul(tf.transpose(tf.oneHot(saved[0] as tf.Tensor1D, table.shape[0])), g), tf.zeros(saved[0].shape)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (table: tf.Tensor, ids: tf.Tensor) => tf.Tensor;

/** x·W + b over the last axis of x [..., in], W [in, out], through a 2-D matMul. */
export function affine(x: tf.Tensor, kernel: LayerVariable, bias: LayerVariable): tf.Tensor {
  const [n, out] = kernel.shape as number[];
  const flat = tf.reshape(x, [-1, n]);
  return tf.reshape(tf.add(matMulFast(flat, kernel.read()), bias.read()), [...x.shape.slice(0, -1), out]);
}

/** GELU(x) = x·Φ(x) = ½·x·(1 + erf(x/√2)) (Hendrycks & Gimpel 2016), the exact form nanoGPT uses. */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))));
}
