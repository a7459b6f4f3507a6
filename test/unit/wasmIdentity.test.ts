import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { registerSharedIdentity } from '../../src/core/kernels/wasmIdentity';
import { useNodeBackend } from '../../src/node/backend';

describe('wasm Identity that shares memory (src/core/kernels/wasmIdentity.ts)', () => {
  before(async () => {
    await useNodeBackend('wasm');
  });
  after(() => {
    registerSharedIdentity('wasm'); // as completeKernels leaves it
  });

  it('clones without a copy, and each tensor outlives the other', async () => {
    const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const buffers = tf.memory().numDataBuffers;
    const y = tf.clone(x);
    assert.equal(tf.memory().numDataBuffers, buffers, 'a clone took a buffer of its own');
    x.dispose();
    assert.deepEqual(Array.from(await y.data()), [1, 2, 3, 4, 5, 6]);
    const z = tf.clone(y);
    y.dispose();
    assert.deepEqual(Array.from(await z.data()), [1, 2, 3, 4, 5, 6]);
    z.dispose();
    assert.equal(tf.memory().numDataBuffers, buffers - 1, 'the buffer was not freed with its last tensor');
  });

  it('gives the same gradients as the copying kernel, and leaks nothing over steps', async () => {
    const grads = () => {
      const w = tf.tensor2d([[0.5, -1], [2, 0.25], [1, 1]]), b = tf.tensor1d([0.1, -0.2]);
      const x = tf.tensor2d([[1, 2, 3], [-1, 0.5, 2]]);
      const g = tf.grads((w2: tf.Tensor, b2: tf.Tensor) => tf.sum(tf.sigmoid(tf.add(tf.matMul(x, w2 as tf.Tensor2D), b2))))([w, b]);
      const out = g.map((t) => Array.from(t.dataSync()));
      tf.dispose([w, b, x, ...g]);
      return out;
    };
    const restore = registerSharedIdentity('wasm');
    restore();
    const copying = grads();
    registerSharedIdentity('wasm');
    const before = tf.memory();
    const shared = grads();
    for (let i = 0; i < 5; i++) grads();
    assert.deepEqual(shared, copying);
    assert.equal(tf.memory().numTensors, before.numTensors);
    assert.equal(tf.memory().numBytes, before.numBytes);
    assert.equal(tf.memory().numDataBuffers, before.numDataBuffers);
  });

  it('leaves strings to the backend\'s own kernel', async () => {
    const s = tf.tensor1d(['a', 'b'], 'string'), c = tf.clone(s);
    assert.deepEqual(await c.data(), ['a', 'b']);
    tf.dispose([s, c]);
  });
});
