import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { splitData, type ImageSet } from '../../src/core/data/dataset';
import { DeviceData } from '../../src/core/data/deviceData';
import { toyDataset } from '../../src/core/data/toy';
import type { DataShape } from '../../src/core/family';
import { RealNvp } from '../../src/core/families/realnvp';
import { couplingMasks } from '../../src/core/families/realnvpMasks';
import { REALNVP_LAYER_NAMES } from '../../src/core/families/realnvpViews';
import { Trainer } from '../../src/core/loop';
import { BUNDLED_SHAPES, resolveModelFile } from '../../src/core/modelfile/defaults';
import type { ModelFile } from '../../src/core/modelfile/types';
import { Rng } from '../../src/core/rng';
import type { ImagesView, PlaneView } from '../../src/core/views';
import { testBackend } from './setup';

const POINTS = BUNDLED_SHAPES.moons;
const mlp = (units: number) => [{ type: 'dense', units, activation: 'relu' }, { type: 'dense', units, activation: 'relu' }];

/** A flow on `shape` from a partial model file. */
function flowOf(shape: DataShape, file: Partial<ModelFile> = {}): RealNvp {
  return new RealNvp(resolveModelFile({ family: 'flow', data: 'moons', ...file }, shape), shape);
}

/** Replaces the zero-initialized output layer of every coupling by N(0, std²) weights, so the flow is not the identity. */
function perturb(flow: RealNvp, std: number, seed = 5): void {
  flow.couplings.forEach((net, k) => {
    const out = net.layers[net.layers.length - 1];
    out.setWeights(out.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, std, 'float32', seed + 10 * k + i)));
  });
}

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

/** log|det| of 2×2 Jacobians of f at `x` [n, 2] by central differences with step h. */
function numericLogDet(flow: RealNvp, x: Float32Array, h: number): number[] {
  const n = x.length / 2;
  const shifted = new Float32Array(n * 4 * 2);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 2; j++) {
      for (const [s, sign] of [[0, 1], [1, -1]]) {
        const row = (i * 4 + j * 2 + s) * 2;
        shifted[row] = x[2 * i]; shifted[row + 1] = x[2 * i + 1];
        shifted[row + j] += sign * h;
      }
    }
  }
  const z = tf.tidy(() => flow.forward(tf.tensor2d(shifted, [n * 4, 2])).z.dataSync());
  return Array.from({ length: n }, (_, i) => {
    // J[a][j] = ∂z_a/∂x_j ≈ (z_a(x + h e_j) − z_a(x − h e_j)) / 2h
    const col = (j: number, a: number) => (z[(i * 4 + j * 2) * 2 + a] - z[(i * 4 + j * 2 + 1) * 2 + a]) / (2 * h);
    return Math.log(Math.abs(col(0, 0) * col(1, 1) - col(1, 0) * col(0, 1)));
  });
}

/** ∫ p(x) dx over the square [−half, half]² by the midpoint rule on a res×res grid. */
function integrate(flow: RealNvp, half: number, res: number): number {
  const cell = (2 * half) / res;
  const grid = new Float32Array(res * res * 2);
  for (let r = 0; r < res; r++) {
    for (let c = 0; c < res; c++) {
      grid[2 * (r * res + c)] = -half + (c + 0.5) * cell;
      grid[2 * (r * res + c) + 1] = -half + (r + 0.5) * cell;
    }
  }
  return tf.tidy(() => tf.sum(tf.exp(flow.logProb(tf.tensor2d(grid, [res * res, 2])))).dataSync()[0]) * cell * cell;
}

/** `count` random 6×6 grey images with labels. */
function tinyImages(count: number, seed: number): ImageSet {
  const rng = new Rng(seed);
  const pixels = Uint8Array.from({ length: count * 36 }, () => Math.floor(rng.next() * 256));
  return { name: 'tiny', count, height: 6, width: 6, pixels, labels: new Uint8Array(count) };
}
const TINY: DataShape = { height: 6, width: 6, channels: 1, classes: 1 };

describe('RealNVP', () => {
  before(testBackend);

  it('masks alternate: coordinates take turns on points, a checkerboard on images', () => {
    assert.deepEqual(couplingMasks(POINTS, 3).map((m) => Array.from(m)), [[0, 1], [1, 0], [0, 1]]);
    const [a, b] = couplingMasks({ height: 3, width: 3, channels: 1, classes: 1 }, 2);
    assert.deepEqual(Array.from(a), [0, 1, 0, 1, 0, 1, 0, 1, 0]);
    assert.deepEqual(Array.from(b), [1, 0, 1, 0, 1, 0, 1, 0, 1]);
  });

  it('starts as the identity: f(x) = x and log-det 0 with the zero-initialized output layers', () => {
    const flow = flowOf(POINTS);
    const x = tf.randomNormal([16, 2], 0, 1, 'float32', 1) as tf.Tensor2D;
    const { z, logDet } = flow.forward(x);
    assert.equal(maxAbsDiff(z, x), 0);
    assert.equal(maxAbsDiff(logDet, tf.zeros([16])), 0);
    tf.dispose([x, z, logDet]);
    flow.dispose();
  });

  it('inverse(forward(x)) ≈ x for a random non-identity flow: on points, and on images with MLP or convolutional couplings', () => {
    // Random weights make a flow ill-conditioned as they grow (errors grow through every t(·) on the way back): moderate ones.
    const conv = [{ type: 'conv2d', filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }];
    const strided = [{ type: 'conv2d', filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }];
    const couplings = [[POINTS, {}, 0.5], [TINY, { networks: { coupling: mlp(32) } }, 0.1], [TINY, { networks: { coupling: conv } }, 0.1], [TINY, { networks: { coupling: strided } }, 0.1]] as const;
    for (const [shape, file, std] of couplings) {
      const flow = flowOf(shape, file);
      perturb(flow, std);
      const d = shape.height * shape.width;
      const x = tf.randomNormal([64, d], 0, 2, 'float32', 2) as tf.Tensor2D;
      const { z, logDet } = flow.forward(x);
      assert.ok(maxAbsDiff(z, x) > 0.1, 'the perturbed flow should not be the identity');
      assert.ok(tf.tidy(() => tf.max(tf.abs(logDet)).dataSync()[0]) > 0.1, 'the perturbed flow should change volume');
      const back = flow.inverse(z);
      const err = maxAbsDiff(back, x);
      assert.ok(err < 1e-4, `max |f⁻¹(f(x)) − x| = ${err} on ${d}-D inputs`);
      tf.dispose([x, z, logDet, back]);
      flow.dispose();
    }
  });

  it('images: decode(encode(x)) gives back the pixels (dequantization bin centres, logit space)', () => {
    const flow = flowOf(TINY, { networks: { coupling: mlp(16) } });
    perturb(flow, 0.5);
    const data = new DeviceData(tinyImages(8, 3));
    const back = flow.decode(flow.encode(data.x));
    const err = maxAbsDiff(back, data.x);
    assert.ok(err < 1e-3, `max pixel error ${err}`);
    back.dispose(); data.dispose(); flow.dispose();
  });

  it('the log-determinant matches log|det J| of a central-difference Jacobian on random 2-D inputs', () => {
    const flow = flowOf(POINTS);
    perturb(flow, 0.3);
    const x = tf.randomNormal([20, 2], 0, 1.5, 'float32', 4) as tf.Tensor2D;
    const analytic = tf.tidy(() => flow.forward(x).logDet.dataSync());
    const numeric = numericLogDet(flow, x.dataSync() as Float32Array, 1e-2);
    const spread = Math.max(...analytic) - Math.min(...analytic);
    assert.ok(spread > 0.1, `log-dets should vary over inputs (spread ${spread})`);
    analytic.forEach((a, i) => assert.ok(Math.abs(a - numeric[i]) < 2e-3, `input ${i}: analytic ${a} vs numeric ${numeric[i]}`));
    x.dispose();
    flow.dispose();
  });

  it('p(x) of a random flow integrates to 1 over the plane (midpoint rule on [−16, 16]²)', () => {
    const flow = flowOf(POINTS, { flow: { couplings: 4 }, networks: { coupling: mlp(16) } });
    perturb(flow, 0.5);
    const mass = integrate(flow, 16, 640);
    assert.ok(Math.abs(mass - 1) < 0.003, `∫ p(x) dx = ${mass}`);
    flow.dispose();
  });

  it('two moons: held-out NLL falls below 2.2 nats within 600 steps (4 couplings of 2×64), and p(x) still integrates to 1', async function () {
    this.timeout(120000);
    const { train, heldout } = splitData(toyDataset('moons', 10000, 1), 0.1);
    const trainData = new DeviceData(train), heldoutData = new DeviceData(heldout);
    const flow = flowOf(POINTS, { flow: { couplings: 4 }, networks: { coupling: mlp(64) } });
    const trainer = new Trainer(flow, trainData, heldoutData, { batchSize: 128, readEvery: 50, seed: 1 });
    const before = (await trainer.evaluate(heldoutData)).loss;
    const started = performance.now();
    await trainer.runSteps(600);
    await trainer.flush();
    const after = (await trainer.evaluate(heldoutData)).loss;
    const secs = (performance.now() - started) / 1000;
    const mass = integrate(flow, 4, 240);
    console.log(`      held-out NLL ${before.toFixed(3)} → ${after.toFixed(3)} nats after 600 steps of 128 (${secs.toFixed(1)} s); ∫ p = ${mass.toFixed(4)} on [−4, 4]²`);
    // A Gaussian fitted to the moons has NLL ≈ 2.82 nats: below 2.2 needs a non-linear flow.
    assert.ok(after < 2.2, `held-out NLL ${after}`);
    assert.ok(mass > 0.97 && mass < 1.01, `∫ p(x) dx over [−4, 4]² = ${mass}`);
    trainer.dispose(); flow.dispose(); trainData.dispose(); heldoutData.dispose();
  });

  it('frees every tensor: numTensors is the same before and after 200 steps across epoch ends and views', async () => {
    const { train, heldout } = splitData(toyDataset('moons', 1000, 2), 0.2);
    const trainData = new DeviceData(train), heldoutData = new DeviceData(heldout);
    const flow = flowOf(POINTS, { flow: { couplings: 4 }, networks: { coupling: mlp(16) } });
    let epochs = 0;
    const trainer = new Trainer(flow, trainData, heldoutData, { batchSize: 32, readEvery: 7, seed: 2 }, { onEpoch: () => epochs++ });
    await trainer.runSteps(5);
    await trainer.flush();
    await flow.views(heldoutData, { focusIndex: 0 });
    tf.dispose(flow.sample(4));
    const at5 = tf.memory().numTensors;
    await trainer.runSteps(200); // 25 batches per epoch: crosses 8 epoch ends, each with an evaluation
    await trainer.flush();
    await flow.views(heldoutData, { focusIndex: 0 });
    tf.dispose(flow.sample(4));
    assert.equal(epochs, 8);
    assert.equal(tf.memory().numTensors, at5);
    trainer.dispose(); flow.dispose(); trainData.dispose(); heldoutData.dispose();
  });

  it('2-D views: density, samples, dataToLatent and latentToData planes with their layers', async () => {
    const flow = flowOf(POINTS, { flow: { couplings: 2 }, networks: { coupling: mlp(8) } });
    perturb(flow, 0.3);
    const heldout = new DeviceData(toyDataset('moons', 300, 3));
    const views = await flow.views(heldout, { focusIndex: 0 });
    assert.deepEqual(views.map((v) => [v.id, v.kind]), [['density', 'plane'], ['samples', 'plane'], ['dataToLatent', 'plane'], ['latentToData', 'plane']]);
    const planes = views as PlaneView[];
    const n = REALNVP_LAYER_NAMES;
    assert.deepEqual(planes.map((p) => p.layers.map((l) => l.name)), [[n.data], [n.data, n.samples], [n.latent], [n.data, n.decoded]]);
    assert.equal(planes[0].heat?.label, 'p(x)');
    assert.equal(planes[2].heat?.label, n.prior);
    for (const p of planes) {
      for (const l of p.layers) assert.ok(l.points.length > 0 && l.points.every(Number.isFinite), `${p.id}/${l.name}`);
      if (p.heat) {
        assert.equal(p.heat.values.length, p.heat.res ** 2);
        assert.ok(p.heat.max > 0 && p.heat.values.every((v) => v >= 0 && v <= p.heat!.max));
      }
    }
    // dataToLatent holds f(x) of the first held-out points.
    const z = tf.tidy(() => flow.encode(tf.slice(heldout.x, [0, 0], [300, 2])).dataSync());
    assert.ok(planes[2].layers[0].points.every((v, i) => Math.abs(v - z[i]) < 1e-5));
    heldout.dispose(); flow.dispose();
  });

  it('image views: samples from fixed z and f⁻¹(f(x)); loss terms include bits/dim', async () => {
    const flow = flowOf(TINY, { networks: { coupling: mlp(16) } });
    assert.deepEqual(flow.lossTerms, ['loss', 'priorNll', 'logDet', 'bitsPerDim']);
    assert.deepEqual(flow.charts.map((c) => c.id), ['loss', 'bitsPerDim']);
    const heldout = new DeviceData(tinyImages(12, 4));
    const views = await flow.views(heldout, { focusIndex: 0 }) as ImagesView[];
    assert.deepEqual(views.map((v) => [v.id, v.kind, v.count]), [['samples', 'images', 64], ['reconstructions', 'images', 20]]);
    assert.ok(views.every((v) => v.pixels.length === v.count * 36 && v.pixels.every((p) => p >= 0 && p <= 1)));
    const terms = flow.evaluate({ x: heldout.x, y: heldout.y });
    const [loss, bits] = [terms.loss.dataSync()[0], terms.bitsPerDim.dataSync()[0]];
    assert.ok(Math.abs(bits - loss / (36 * Math.LN2)) < 1e-4, `bits/dim ${bits} vs ${loss} nats`);
    // The identity flow on uniform noise pixels: a finite NLL of a few bits per dimension.
    assert.ok(bits > 1 && bits < 20, `bits/dim ${bits}`);
    tf.dispose(Object.values(terms));
    heldout.dispose(); flow.dispose();
  });
});
