import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients'; // tf.grads below; GenLab gets them from tfjs-layers
import { hasFastMatMul, registerFastMatMul } from '../../src/core/kernels/matmul';
import { Rng } from '../../src/core/rng';
import { testBackend } from './setup';

/** Seeded standard-normal values. */
function randn(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** max |got − want| / max |want|: the error relative to the result's scale. */
function relError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  assert.equal(got.length, want.length);
  let diff = 0, scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return diff / scale;
}

/** Runs `f` on backend `name` and reads its results back as arrays. */
async function on(name: string, f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(name);
  const out = f();
  const values = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(out);
  return values;
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** One product per case: shapes of a and b as stored, and the transposes. */
const CASES: Array<{ a: number[]; b: number[]; tA: boolean; tB: boolean }> = [];
for (const tA of [false, true]) {
  for (const tB of [false, true]) {
    // 2-D, the dense layer's gradient shapes: a is m×k or k×m, b is k×n or n×k.
    CASES.push({ a: tA ? [67, 33] : [33, 67], b: tB ? [45, 67] : [67, 45], tA, tB });
    // Batched 3-D, and a batch of one broadcast against three.
    CASES.push({ a: tA ? [3, 19, 11] : [3, 11, 19], b: tB ? [3, 13, 19] : [3, 19, 13], tA, tB });
    CASES.push({ a: tA ? [3, 19, 11] : [3, 11, 19], b: tB ? [1, 13, 19] : [1, 19, 13], tA, tB });
    // A vector operand.
    CASES.push({ a: tA ? [29, 1] : [1, 29], b: tB ? [7, 29] : [29, 7], tA, tB });
  }
}
// A small a against a large transposed b: computed as (b·aᵀ)ᵀ, 2-D and batched.
CASES.push({ a: [4, 67], b: [90, 67], tA: false, tB: true }, { a: [3, 4, 19], b: [3, 50, 19], tA: false, tB: true });

describe('fast transposed matMul (kernels/matmul.ts)', () => {
  let restore: () => void = () => undefined;
  let wasFast = false;
  let previous = 'wasm';

  before(async () => {
    previous = await testBackend();
    await tf.setBackend('wasm');
    wasFast = hasFastMatMul('wasm');
    restore = registerFastMatMul('wasm');
  });

  after(async () => {
    if (!wasFast) restore();
    await tf.setBackend(previous);
  });

  it('is installed on wasm and leaves cpu alone', () => {
    assert.ok(hasFastMatMul('wasm'));
    assert.ok(!hasFastMatMul('cpu'));
  });

  it('equals the cpu kernel for all four transpose combinations, 2-D, batched and broadcast', async () => {
    for (const [i, c] of CASES.entries()) {
      const av = randn(size(c.a), 10 + i), bv = randn(size(c.b), 100 + i);
      const product = () => [tf.matMul(tf.tensor(av, c.a), tf.tensor(bv, c.b), c.tA, c.tB)];
      const [want] = await on('cpu', product);
      const [got] = await on('wasm', product);
      const err = relError(got, want);
      assert.ok(err < 1e-4, `a ${c.a} tA=${c.tA}, b ${c.b} tB=${c.tB}: relative error ${err}`);
    }
  });

  it('keeps each operand\'s layout apart: one vector as B both plain and transposed', async () => {
    // tfjs-backend-wasm caches its XNNPACK product per B tensor id, whatever B's shape: a transposed
    // operand must get an id of its own, or the second product reuses the first one's operator.
    const vv = randn(32, 12), xv = randn(8 * 32, 13), yv = randn(8, 14);
    const products = () => {
      const v = tf.tensor2d(vv, [32, 1]);
      return [tf.matMul(tf.tensor2d(xv, [8, 32]), v), tf.matMul(tf.tensor2d(yv, [8, 1]), v, false, true)];
    };
    const want = await on('cpu', products);
    const got = await on('wasm', products);
    got.forEach((g, i) => assert.ok(relError(g, want[i]) < 1e-4, `product ${i}: relative error ${relError(g, want[i])}`));
  });

  it('equals the cpu kernel for fused products (bias and ReLU) with transposes', async () => {
    for (const [tA, tB] of [[true, false], [false, true], [true, true]]) {
      const av = randn(40 * 24, 1), bv = randn(40 * 16, 2), biasv = randn(16, 3);
      const product = () => [tf.fused.matMul({
        a: tf.tensor2d(av, tA ? [40, 24] : [24, 40]), b: tf.tensor2d(bv, tB ? [16, 40] : [40, 16]),
        transposeA: tA, transposeB: tB, bias: tf.tensor1d(biasv), activation: 'relu',
      })];
      const [want] = await on('cpu', product);
      const [got] = await on('wasm', product);
      assert.ok(relError(got, want) < 1e-4, `fused tA=${tA} tB=${tB}: relative error ${relError(got, want)}`);
    }
  });

  it('gives a dense layer the same gradients as the cpu kernel', async () => {
    const xv = randn(32 * 50, 4), wv = randn(50 * 20, 5), bv = randn(20, 6), gv = randn(32 * 20, 7);
    const grads = () => {
      const x = tf.tensor2d(xv, [32, 50]), w = tf.tensor2d(wv, [50, 20]), b = tf.tensor1d(bv), g = tf.tensor2d(gv, [32, 20]);
      // L = Σ g ⊙ relu(x·W + b), as tfjs-layers' Dense computes it (a fused product).
      const loss = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(g, tf.fused.matMul({ a: xi as tf.Tensor2D, b: wi as tf.Tensor2D, bias: bi, activation: 'relu' })));
      return tf.grads(loss)([x, w, b]);
    };
    const want = await on('cpu', grads);
    const got = await on('wasm', grads);
    ['dx', 'dW', 'db'].forEach((name, i) => {
      const err = relError(got[i], want[i]);
      assert.ok(err < 1e-4, `${name}: relative error ${err}`);
    });
  });

  it('hands the backend product untransposed operands only', async () => {
    // A spy under the fast kernel records the attributes that reach the backend's own product.
    restore();
    const own = tf.getKernel('BatchMatMul', 'wasm');
    const seen: string[] = [];
    tf.unregisterKernel('BatchMatMul', 'wasm');
    tf.registerKernel({ ...own, kernelFunc: (args) => {
      const a = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
      seen.push(`${a.transposeA}/${a.transposeB}`);
      return own.kernelFunc(args);
    } });
    const undo = registerFastMatMul('wasm');
    try {
      await tf.setBackend('wasm');
      tf.tidy(() => {
        tf.matMul(tf.ones([5, 3]), tf.ones([5, 4]), true, false);
        tf.matMul(tf.ones([3, 5]), tf.ones([4, 5]), false, true);
        tf.matMul(tf.ones([2, 5, 3]), tf.ones([2, 4, 5]), true, true);
      });
    } finally {
      undo();
      tf.unregisterKernel('BatchMatMul', 'wasm');
      tf.registerKernel(own);
      restore = registerFastMatMul('wasm');
    }
    assert.deepEqual(seen, ['false/false', 'false/false', 'false/false']);
  });

  it('frees its transposed copies: no tensors or backend data left behind', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend();
    const a = tf.tensor(randn(3 * 40 * 30, 8), [3, 40, 30]), b = tf.tensor(randn(3 * 20 * 40, 9), [3, 20, 40]);
    const small = tf.tensor(randn(3 * 2 * 40, 10), [3, 2, 40]); // small·bᵀ goes through (b·smallᵀ)ᵀ
    const round = () => {
      tf.dispose(tf.matMul(small, b, false, true));
      tf.dispose(tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x, y, false, true)))([small, b]));
      tf.dispose(tf.matMul(a, b, true, true));
      tf.dispose(tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x, y, true, true)))([a, b]));
      tf.dispose(tf.fused.matMul({ a: a as tf.Tensor3D, b: b as tf.Tensor3D, transposeA: true, transposeB: true }));
    };
    round(); // first use may set up constants
    const before = { tensors: tf.memory().numTensors, data: backend.numDataIds() };
    for (let i = 0; i < 5; i++) round();
    assert.deepEqual({ tensors: tf.memory().numTensors, data: backend.numDataIds() }, before);
    tf.dispose([a, b, small]);
  });

  it('restores the backend kernels on request', () => {
    restore();
    assert.ok(!hasFastMatMul('wasm'));
    restore = registerFastMatMul('wasm');
    assert.ok(hasFastMatMul('wasm'));
    registerFastMatMul('wasm'); // a second call changes nothing
    assert.ok(hasFastMatMul('wasm'));
  });
});
