import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients'; // tf.grad below; GenLab gets them from tfjs-layers
import { bernoulliNllFromLogits, gaussianKlToStandard, gaussianNll, klWeight, reparameterize, squaredError } from '../../src/core/losses';
import { testBackend } from './setup';

describe('losses', () => {
  before(testBackend);

  it('Bernoulli NLL from logits matches binary cross-entropy computed by hand', async () => {
    const logits = [[2.0, -1.0, 0.0], [-30, 30, 0.5]];
    const x = [[1, 0, 0.3], [0, 1, 1]];
    const sig = (l: number) => 1 / (1 + Math.exp(-l));
    const expected = logits.map((row, i) => row.reduce((s, l, j) => {
      const p = sig(l);
      const t = x[i][j];
      // −[t log p + (1 − t) log(1 − p)], with the saturated cases written out to avoid log(0)
      const logP = l > 20 ? -Math.exp(-l) : Math.log(p);
      const log1mP = l < -20 ? -Math.exp(l) : Math.log(1 - p);
      return s - (t * logP + (1 - t) * log1mP);
    }, 0));
    const got = await bernoulliNllFromLogits(tf.tensor2d(logits), tf.tensor2d(x)).data();
    expected.forEach((e, i) => assert.ok(Math.abs(got[i] - e) < 1e-4 * Math.max(1, Math.abs(e)), `row ${i}: ${got[i]} vs ${e}`));
  });

  it('Bernoulli NLL\'s written-out gradient σ(l) − x matches central differences, with saturated logits and upstream weights', async () => {
    const l = tf.tensor2d([[2.0, -1.0, 0.0, 40], [-40, 3.5, 0.5, -0.2]]);
    const x = tf.tensor2d([[1, 0, 0.3, 0], [0, 1, 1, 0.5]]);
    const w = tf.tensor1d([0.7, -2]);
    const f = (t: tf.Tensor) => tf.sum(tf.mul(bernoulliNllFromLogits(t as tf.Tensor2D, x), w));
    const g = await tf.grad(f)(l).array() as number[][];
    const lv = await l.array(), xv = await x.array(), wv = await w.array();
    const nll = (v: number, t: number) => Math.max(v, 0) - v * t + Math.log1p(Math.exp(-Math.abs(v)));
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 4; j++) {
        const h = 1e-3, v = lv[i][j];
        const numeric = wv[i] * (nll(v + h, xv[i][j]) - nll(v - h, xv[i][j])) / (2 * h);
        assert.ok(Math.abs(g[i][j] - numeric) < 1e-3, `∂/∂l[${i}][${j}] = ${g[i][j]}, central difference ${numeric}`);
      }
    }
    tf.dispose([l, x, w]);
  });

  it('analytic KL(q‖N(0,I)) matches a Monte-Carlo estimate', async () => {
    const mu = [[0.5, -1.2, 0.0]];
    const logVar = [[-0.7, 0.4, 1.1]];
    const analytic = (await gaussianKlToStandard(tf.tensor2d(mu), tf.tensor2d(logVar)).data())[0];
    // KL = E_q[log q(z) − log p(z)], estimated from 200,000 reparameterized samples.
    const n = 200000, d = 3;
    const mc = tf.tidy(() => {
      const m = tf.tensor2d(mu), lv = tf.tensor2d(logVar);
      const eps = tf.randomNormal([n, d], 0, 1, 'float32', 7) as tf.Tensor2D;
      const z = reparameterize(tf.tile(m, [n, 1]) as tf.Tensor2D, tf.tile(lv, [n, 1]) as tf.Tensor2D, eps);
      const logQ = tf.sum(tf.mul(-0.5, tf.add(tf.add(lv, tf.square(eps)), Math.log(2 * Math.PI))), 1);
      const logP = tf.sum(tf.mul(-0.5, tf.add(tf.square(z), Math.log(2 * Math.PI))), 1);
      return tf.mean(tf.sub(logQ, logP));
    });
    const estimate = (await mc.data())[0];
    // Standard error of this estimate is about 0.004; allow 0.03.
    assert.ok(Math.abs(estimate - analytic) < 0.03, `analytic ${analytic} vs Monte Carlo ${estimate}`);
    assert.ok(analytic > 0.5, `KL should be clearly positive here, got ${analytic}`);
  });

  it('KL is zero exactly at the prior', async () => {
    const kl = await gaussianKlToStandard(tf.zeros([2, 4]) as tf.Tensor2D, tf.zeros([2, 4]) as tf.Tensor2D).data();
    assert.ok(Array.from(kl).every((v) => v === 0), `got ${Array.from(kl)}`);
  });

  it('Gaussian NLL with fixed σ matches −log N(x; μ, σ²I) computed by hand', async () => {
    const mean = [[0.2, 0.9, -1.0], [0, 0, 0]];
    const x = [[0.0, 1.0, 0.5], [1, -2, 0.25]];
    for (const sigma of [0.1, 1, 2.5]) {
      const expected = x.map((row, i) => row.reduce((s, v, j) => s + ((v - mean[i][j]) ** 2) / (2 * sigma ** 2) + 0.5 * Math.log(2 * Math.PI * sigma ** 2), 0));
      const got = await gaussianNll(tf.tensor2d(mean), tf.tensor2d(x), sigma).data();
      expected.forEach((e, i) => assert.ok(Math.abs(got[i] - e) < 1e-3 * Math.max(1, Math.abs(e)), `σ ${sigma}, row ${i}: ${got[i]} vs ${e}`));
    }
  });

  it('squared error sums (x − x̂)² over features', async () => {
    const got = await squaredError(tf.tensor2d([[1, 2, 3], [0, 0, 0]]), tf.tensor2d([[1, 0, 4], [0.5, -0.5, 2]])).data();
    assert.deepEqual([...got].map((v) => Number(v.toFixed(5))), [5, 4.5]);
  });

  it('KL warm-up rises linearly from 0 to β, then stays at β', () => {
    assert.equal(klWeight(2, 0, 100), 0);
    assert.equal(klWeight(2, 25, 100), 0.5);
    assert.equal(klWeight(2, 100, 100), 2);
    assert.equal(klWeight(2, 5000, 100), 2);
    assert.equal(klWeight(0.5, 0, 0), 0.5, 'no warm-up: β from the start');
  });
});
