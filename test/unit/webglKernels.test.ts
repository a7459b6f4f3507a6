/**
 * The WebGL kernels of src/core/kernels/webglMatMul.ts and webglAdam.ts, as far as Node can check
 * them: the matMul shader's texel reads and swizzles emulated on packed 2×2 texels against a plain
 * product, the Adam shader's formula evaluated against tf.train.adam, and FusedAdam falling back to
 * tfjs's Adam where the kernel is missing. On the GPU itself, `npx tsx bench/browserCompare.ts
 * --rounds 0 --check` compares both kernels with tfjs's in headless Chromium.
 */
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { ADAM_KERNEL, FusedAdam, adamShader, registerWebglAdam } from '../../src/core/kernels/webglAdam';
import { matMulPlan, matMulShader, registerWebglMatMul, type OperandPlan } from '../../src/core/kernels/webglMatMul';
import { Rng } from '../../src/core/rng';
import { testBackend } from './setup';

type Vec4 = [number, number, number, number];

/** A rows×cols row-major matrix as tfjs packs it: texel (r, c) holds (2r, 2c), (2r, 2c+1), (2r+1, 2c), (2r+1, 2c+1). */
function pack(m: Float64Array, rows: number, cols: number): Vec4[][] {
  const at = (r: number, c: number) => m[r * cols + c];
  return Array.from({ length: rows / 2 }, (_, r) => Array.from({ length: cols / 2 }, (_, c) => [at(2 * r, 2 * c), at(2 * r, 2 * c + 1), at(2 * r + 1, 2 * c), at(2 * r + 1, 2 * c + 1)] as Vec4));
}

const swizzle = (v: Vec4, s: string): Vec4 => Array.from(s, (ch) => v['xyzw'.indexOf(ch)]) as Vec4;

/** The texel the shader reads (x, y from OperandPlan.at) for loop index i and output texel o. */
const fetch = (tex: Vec4[][], p: OperandPlan, i: number, o: number): Vec4 => (p.at === 'ki' ? tex[o][i] : tex[i][o]);

/** The shader's loop, run on packed texels: C (m×n) = op(A)·op(B). */
function emulate(a: Vec4[][], b: Vec4[][], m: number, k: number, n: number, tA: boolean, tB: boolean): Float64Array {
  const plan = matMulPlan(tA, tB), out = new Float64Array(m * n);
  for (let r = 0; r < m / 2; r++) {
    for (let c = 0; c < n / 2; c++) {
      const acc: Vec4 = [0, 0, 0, 0];
      for (let i = 0; i < k / 2; i++) {
        const av = fetch(a, plan.a, i, r), bv = fetch(b, plan.b, i, c);
        for (const s of [0, 1]) {
          const x = swizzle(av, plan.a.swizzles[s]), y = swizzle(bv, plan.b.swizzles[s]);
          for (let j = 0; j < 4; j++) acc[j] += x[j] * y[j];
        }
      }
      [out[2 * r * n + 2 * c], out[2 * r * n + 2 * c + 1], out[(2 * r + 1) * n + 2 * c], out[(2 * r + 1) * n + 2 * c + 1]] = acc;
    }
  }
  return out;
}

describe('webgl kernels (Node-side checks)', () => {
  before(testBackend);

  it('reads packed operands like tfjs, for every transpose combination', () => {
    const rng = new Rng(7), [m, k, n] = [4, 6, 8];
    for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]]) {
      const a = Float64Array.from({ length: m * k }, () => rng.normal()), b = Float64Array.from({ length: k * n }, () => rng.normal());
      const [ar, ac, br, bc] = [tA ? k : m, tA ? m : k, tB ? n : k, tB ? k : n];
      const want = tf.tidy(() => tf.matMul(tf.tensor2d(Float32Array.from(a), [ar, ac]), tf.tensor2d(Float32Array.from(b), [br, bc]), tA, tB).dataSync());
      const got = emulate(pack(a, ar, ac), pack(b, br, bc), m, k, n, tA, tB);
      const err = Math.max(...Array.from(got, (g, i) => Math.abs(g - want[i]))) / Math.max(...Array.from(want, Math.abs));
      assert.ok(err < 1e-6, `transposeA ${tA}, transposeB ${tB}: relative error ${err}`);
    }
  });

  it('writes the shared loop, the bias and the activation only as asked', () => {
    const s = matMulShader(392, false, true, true, true, { a: [392, 64], b: [392, 200] });
    assert.match(s, /i < 392;/);
    assert.match(s, /aAt = \(vec2\(0, r\) \+ 0\.5\) \/ vec2\(392, 64\), aStep = vec2\(1, 0\) \/ vec2\(392, 64\)/);
    assert.match(s, /bAt = \(vec2\(0, c\) \+ 0\.5\) \/ vec2\(392, 200\), bStep = vec2\(1, 0\) \/ vec2\(392, 200\)/);
    assert.match(s, /getBiasAtOutCoords\(\)/);
    assert.match(s, /result = activation\(result\)/);
    const bare = matMulShader(10, true, false, false, false, { a: [2, 10], b: [3, 10] });
    assert.doesNotMatch(bare, /getBias|activation/);
  });

  it('computes tfjs Adam\'s update in its shader formula', async () => {
    const names = ['beta1', 'oneMinusBeta1', 'beta2', 'oneMinusBeta2', 'epsilon', 'negativeLearningRate'];
    // The float (unpacked) shader as JavaScript: the packed one differs only in vec4 and .x.
    const asJs = (which: 0 | 1 | 2) => new Function('inp', ...names, adamShader(which, false)
      .replace('void main() {', '').replace(/float (\w+) =/g, 'const $1 =').replace(/sqrt\(/g, 'Math.sqrt(')
      .replace(/get(\w+?)(AtOutCoords)?\(\)/g, (_s, n: string) => `inp.${n[0].toLowerCase()}${n.slice(1)}`)
      .replace(/setOutput\(([\s\S]*)\);\s*\}\s*$/, 'return $1;')) as (...args: unknown[]) => number;
    for (const w of [0, 1, 2] as const) assert.equal(adamShader(w, true).replace(/vec4/g, 'float').replace(/\)\.x/g, ')'), adamShader(w, false));
    const lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-7, grads = [0.3, -1.2, 0.05];
    // Uniforms and the β powers are float32 on the GPU, as in tfjs (β2 = 0.999 is 0.99900001287 there).
    const f = Math.fround, state = { value: 0, m: 0, v: 0, accBeta1: f(b1), accBeta2: f(b2) };
    for (const grad of grads) {
      const u = [b1, 1 - b1, b2, 1 - b2, eps, -lr].map(f), inp = { ...state, grad };
      [state.m, state.v, state.value] = [asJs(0)(inp, ...u), asJs(1)(inp, ...u), asJs(2)(inp, ...u)];
      state.accBeta1 = f(state.accBeta1 * f(b1)); state.accBeta2 = f(state.accBeta2 * f(b2));
    }
    const x = tf.variable(tf.scalar(0)), adam = tf.train.adam(lr, b1, b2, eps);
    for (const g of grads) adam.applyGradients([{ name: x.name, tensor: tf.scalar(g) }]);
    const want = x.dataSync()[0];
    assert.ok(Math.abs(state.value - want) / Math.abs(want) < 1e-5, `shader formula ${state.value}, tf.train.adam ${want}`);
    x.dispose(); adam.dispose();
  });

  it('is tfjs\'s Adam, bit for bit, where the fused kernel is missing', async () => {
    registerWebglAdam(); // no webgl backend in Node: registers nothing
    assert.equal(tf.getKernel(ADAM_KERNEL, tf.getBackend()), undefined);
    const run = async (optimizer: tf.Optimizer, tag: string) => {
      const w = tf.variable(tf.tensor2d([[1, -2, 3], [0.5, 0, -1]]), true, `w${tag}`);
      for (const s of [1, 2, 3]) optimizer.applyGradients({ [w.name]: tf.mul(tf.tensor2d([[0.1, -0.2, 0.3], [1, 0, -3]]), s) });
      const moments = (await optimizer.getWeights()).slice(1).map((x) => Array.from(x.tensor.dataSync()));
      const out = { w: Array.from(w.dataSync()), moments };
      w.dispose(); optimizer.dispose();
      return out;
    };
    assert.deepEqual(await run(new FusedAdam(0.01, 0.9, 0.999), 'fused'), await run(tf.train.adam(0.01, 0.9, 0.999), 'own'));
  });

  it('registers no matMul kernels without a webgl backend', () => {
    const restore = registerWebglMatMul();
    assert.equal(tf.getKernel('BatchMatMul', 'webgl'), undefined);
    restore();
  });
});
