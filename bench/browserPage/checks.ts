/**
 * Equal results for GenLab's WebGL kernels and every variant of variants.ts against TensorFlow.js's own kernels, on random
 * float32 inputs: the largest absolute difference over the largest absolute reference value.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerFastMatMul } from '../../src/core/kernels/matmul';
import { registerWebglMatMul } from '../../src/core/kernels/webglMatMul';
import { FusedAdam, registerWebglAdam } from '../../src/core/kernels/webglAdam';
import type { Variant } from './variants';

/** max |a − b| / max |b| over all elements. */
export async function relativeError(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const [x, y] = await Promise.all([a.data(), b.data()]);
  let diff = 0, scale = 0;
  for (let i = 0; i < y.length; i++) {
    diff = Math.max(diff, Math.abs(x[i] - y[i]));
    scale = Math.max(scale, Math.abs(y[i]));
  }
  return diff / (scale || 1);
}

/** The relative error of each transpose combination of the VAE's largest product, `register`'s kernels against tfjs's. */
async function checkMatMul(register: () => () => void): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const cases = [['plain', false, false], ['transposeA', true, false], ['transposeB', false, true], ['both', true, true]] as const;
  const inputs = cases.map(([, tA, tB]) => [tf.randomNormal(tA ? [784, 128] : [128, 784], 0, 1, 'float32', 1), tf.randomNormal(tB ? [400, 784] : [784, 400], 0, 1, 'float32', 2)]);
  const bias = tf.randomNormal([400], 0, 1, 'float32', 3);
  const products = (fused: boolean) => cases.map((_, i) => (fused ? tf.fused.matMul({ a: inputs[i][0], b: inputs[i][1], transposeA: cases[i][1], transposeB: cases[i][2], bias, activation: 'relu' }) : tf.matMul(inputs[i][0], inputs[i][1], cases[i][1], cases[i][2])));
  const own = [...products(false), ...products(true)];
  const restore = register();
  const fast = [...products(false), ...products(true)];
  restore();
  for (let i = 0; i < own.length; i++) out[`matMul ${cases[i % 4][0]}${i >= 4 ? ' fused+bias+relu' : ''}`] = await relativeError(fast[i], own[i]);
  tf.dispose([...own, ...fast, ...inputs.flat(), bias]);
  return out;
}

/**
 * FusedAdam against tf.train.adam: three steps on weights of the VAE's shapes (and odd ones),
 * with the same random gradients; compares the weights' total changes and both moments.
 */
async function checkAdam(): Promise<Record<string, number>> {
  registerWebglAdam();
  const shapes = [[784, 400], [400], [20, 400], [3, 5], []];
  const init = shapes.map((s, i) => tf.randomNormal(s, 0, 1, 'float32', 10 + i));
  const grads = [0, 1, 2].map((step) => shapes.map((s, i) => tf.randomNormal(s, 0, 0.1, 'float32', 100 * step + i)));
  const train = async (optimizer: tf.AdamOptimizer, tag: string) => {
    const vars = init.map((t, i) => tf.variable(t, true, `${tag}${i}`));
    grads.forEach((g) => optimizer.applyGradients(Object.fromEntries(vars.map((v, i) => [v.name, g[i]])) as tf.NamedTensorMap as never));
    const weights = await optimizer.getWeights();
    return { changes: vars.map((v, i) => tf.sub(v, init[i])), moments: weights.slice(1).map((w) => w.tensor), dispose: () => { tf.dispose(vars); optimizer.dispose(); } };
  };
  const ref = await train(tf.train.adam(1e-3) as tf.AdamOptimizer, 'ref'), fused = await train(new FusedAdam(1e-3, 0.9, 0.999), 'fused');
  const out: Record<string, number> = {};
  for (let i = 0; i < shapes.length; i++) out[`Adam Δw [${shapes[i]}]`] = await relativeError(fused.changes[i], ref.changes[i]);
  for (let i = 0; i < ref.moments.length; i++) out[`Adam ${i < shapes.length ? 'm' : 'v'} [${shapes[i % shapes.length]}]`] = await relativeError(fused.moments[i], ref.moments[i]);
  tf.dispose([...init, ...grads.flat(), ...ref.changes, ...fused.changes]);
  ref.dispose(); fused.dispose();
  return out;
}

/** Relative errors of GenLab's WebGL kernels (unless `variant` swaps them for tfjs's) and of `variant`'s own changes, on `backend`. */
export async function checkVariants(backend: string, variant: Variant): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  if (variant.explicitTransposes) Object.assign(out, await checkMatMul(() => registerFastMatMul(backend)));
  if (backend === 'webgl' && !variant.stockMatMul) {
    registerWebglMatMul()(); // tfjs's own first, as the reference
    Object.assign(out, await checkMatMul(registerWebglMatMul));
    registerWebglMatMul();
  }
  if (backend === 'webgl' && !variant.stockAdam) Object.assign(out, await checkAdam());
  return out;
}
