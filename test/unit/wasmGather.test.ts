import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { registerRowGather } from '../../src/core/kernels/wasmGather';
import { useNodeBackend } from '../../src/node/backend';
import { Rng } from '../../src/core/rng';

/** GatherV2 through tfjs-backend-wasm's own kernel (restored for the call) and through GenLab's row copy. */
async function both(f: () => tf.Tensor): Promise<{ own: tf.TypedArray | string; fast: tf.TypedArray | string; shapes: number[][] }> {
  const run = async () => {
    try {
      const t = f();
      const v = await t.data();
      const shape = t.shape;
      t.dispose();
      return { v, shape };
    } catch (e) {
      return { v: (e as Error).message, shape: [] };
    }
  };
  const restore = registerRowGather('wasm');
  restore();
  const own = await run();
  registerRowGather('wasm');
  const fast = await run();
  return { own: own.v as tf.TypedArray | string, fast: fast.v as tf.TypedArray | string, shapes: [own.shape, fast.shape] };
}

describe('wasm row gather (src/core/kernels/wasmGather.ts)', () => {
  before(async () => {
    await useNodeBackend('wasm');
  });
  after(() => {
    registerRowGather('wasm'); // as completeKernels leaves it
  });

  it('gives tfjs\'s results exactly for rows of 1-, 2- and 3-D tensors, float32, int32 and bool, repeated indices, 2-D indices', async () => {
    const rng = new Rng(3);
    const cases: Array<{ x: () => tf.Tensor; idx: () => tf.Tensor; axis?: number }> = [
      { x: () => tf.tensor2d(Float32Array.from({ length: 600 * 784 }, () => rng.normal()), [600, 784]), idx: () => tf.tensor1d([5, 0, 599, 5, 77], 'int32') },
      { x: () => tf.tensor1d([1, 2, 3, 4]), idx: () => tf.tensor1d([3, 1], 'int32') },
      { x: () => tf.tensor3d(Float32Array.from({ length: 4 * 3 * 2 }, (_, i) => i), [4, 3, 2]), idx: () => tf.tensor2d([[1, 2], [3, 0]], [2, 2], 'int32') },
      { x: () => tf.tensor2d(Int32Array.from({ length: 20 }, (_, i) => i * 7), [10, 2], 'int32'), idx: () => tf.tensor1d([9, 9, 0], 'int32') },
      { x: () => tf.tensor2d([true, false, false, true], [2, 2], 'bool'), idx: () => tf.tensor1d([1, 0], 'int32') },
      { x: () => tf.tensor2d([[1, 2, 3], [4, 5, 6]]), idx: () => tf.tensor1d([2, 0], 'int32'), axis: 1 }, // not rows: tfjs's own kernel
      { x: () => tf.tensor2d([[1, 2, 3], [4, 5, 6]]), idx: () => tf.tensor1d([1, 0], 'int32'), axis: -2 },
      { x: () => tf.tensor2d([[1, 2], [3, 4]]), idx: () => tf.tensor1d([], 'int32') },
    ];
    for (const [n, c] of cases.entries()) {
      const x = c.x(), idx = c.idx();
      const r = await both(() => tf.gather(x, idx, c.axis ?? 0));
      tf.dispose([x, idx]);
      assert.deepEqual(r.shapes[1], r.shapes[0], `case ${n}: shape`);
      assert.deepEqual(Array.from(r.fast as tf.TypedArray), Array.from(r.own as tf.TypedArray), `case ${n}: values`);
    }
  });

  it('refuses an index out of range as tfjs does, and leaks nothing', async () => {
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    for (const bad of [3, -1]) {
      const idx = tf.tensor1d([0, bad], 'int32');
      const before = tf.memory().numTensors;
      const r = await both(() => tf.gather(x, idx));
      assert.equal(r.fast, `GatherV2: the index value ${bad} is not in [0, 2]`);
      assert.equal(r.fast, r.own);
      assert.equal(tf.memory().numTensors, before);
      idx.dispose();
    }
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) tf.tidy(() => tf.gather(x, tf.tensor1d([2, 1], 'int32')).dataSync());
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
  });

  it('is what the wasm backend uses once GenLab sets it up', async () => {
    await useNodeBackend('wasm');
    assert.ok((tf.getKernel('GatherV2', 'wasm') as { genlabRowGatherOriginal?: unknown }).genlabRowGatherOriginal);
  });
});
