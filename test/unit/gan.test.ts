import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { sliceData, splitData } from '../../src/core/data/dataset';
import { DeviceData } from '../../src/core/data/deviceData';
import { TOY_EXTENT, toyDataset, toyModes, toyModeStd } from '../../src/core/data/toy';
import { COLLAPSE_STEPS, CollapseMonitor, DISCRIMINATOR_WINNING, Gan } from '../../src/core/families/gan';
import { PLANE_RES } from '../../src/core/families/ganViews';
import { discriminatorLoss, generatorLoss, meanProbability } from '../../src/core/ganLosses';
import { Trainer, type StepRow } from '../../src/core/loop';
import { gridJsDivergence, modesCovered } from '../../src/core/metrics';
import { BUNDLED_SHAPES, resolveModelFile } from '../../src/core/modelfile/defaults';
import type { ModelFile } from '../../src/core/modelfile/types';
import type { ImagesView, MetricsView, PlaneView } from '../../src/core/views';
import { loadBundledMnist } from '../../src/node/bundledData';
import { testBackend } from './setup';

const ring = BUNDLED_SHAPES.ring, mnist = BUNDLED_SHAPES.mnist;
const sig = (l: number) => 1 / (1 + Math.exp(-l));
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const value = (t: tf.Scalar) => { const v = t.dataSync()[0]; t.dispose(); return v; };
const ganOn = (shape = ring, file: Partial<ModelFile> = {}) => new Gan(resolveModelFile({ family: 'gan', ...file }, shape), shape);
const snapshot = (model: { trainableWeights: { read(): tf.Tensor }[] }) => model.trainableWeights.map((w) => Float32Array.from(w.read().dataSync()));
const moved = (a: Float32Array[], b: Float32Array[]) => a.some((w, i) => w.some((v, j) => v !== b[i][j]));
const rows = (from: number, count: number, dReal: number, dFake: number): StepRow[] =>
  Array.from({ length: count }, (_, i) => ({ step: from + i, epoch: 0, values: { dLoss: 0, gLoss: 0, dReal, dFake } }));

/** Ring points for the tests: 2,000 examples, 10% held out. */
function ringData(): { train: DeviceData; heldout: DeviceData } {
  const { train, heldout } = splitData(toyDataset('ring', 2000, 3), 0.1);
  return { train: new DeviceData(train), heldout: new DeviceData(heldout) };
}

describe('GAN losses (src/core/ganLosses.ts) against hand computation', () => {
  before(testBackend);
  const real = [0.5, -1.2, 2], fake = [1.5, -0.3, -2.5];

  it('discriminator loss −mean log D(x) − mean log(1 − D(G(z))), without and with one-sided label smoothing', () => {
    const plain = mean(real.map((l) => -Math.log(sig(l)))) + mean(fake.map((l) => -Math.log(1 - sig(l))));
    assert.ok(Math.abs(value(discriminatorLoss(tf.tensor1d(real), tf.tensor1d(fake))) - plain) < 1e-5);
    const s = 0.1;
    const smoothed = mean(real.map((l) => -(1 - s) * Math.log(sig(l)) - s * Math.log(1 - sig(l)))) + mean(fake.map((l) => -Math.log(1 - sig(l))));
    assert.ok(Math.abs(value(discriminatorLoss(tf.tensor1d(real), tf.tensor1d(fake), s)) - smoothed) < 1e-5);
    assert.ok(smoothed > plain); // a real target of 0.9 penalizes confident D(x) on these logits
  });

  it('generator losses: minimax mean log(1 − D(G(z))) and non-saturating −mean log D(G(z)); mean D', () => {
    assert.ok(Math.abs(value(generatorLoss(tf.tensor1d(fake), 'minimax')) - mean(fake.map((l) => Math.log(1 - sig(l))))) < 1e-5);
    assert.ok(Math.abs(value(generatorLoss(tf.tensor1d(fake), 'non-saturating')) - mean(fake.map((l) => -Math.log(sig(l))))) < 1e-5);
    assert.ok(Math.abs(value(meanProbability(tf.tensor1d(real))) - mean(real.map(sig))) < 1e-6);
    // Stable where the naive formula overflows: D(G(z)) = σ(−40) gives −log D = 40.
    assert.ok(Math.abs(value(generatorLoss(tf.tensor1d([-40]), 'non-saturating')) - 40) < 1e-3);
  });
});

describe('GAN', () => {
  before(testBackend);

  it('a discriminator update changes only D, a generator update only G (trainable weights)', () => {
    const gan = ganOn(ring, { training: { discriminatorSteps: 1 } });
    const log: string[] = [];
    for (const [name, key] of [['D', 'dOptimizer'], ['G', 'gOptimizer']] as const) {
      const opt = (gan as unknown as Record<string, tf.Optimizer>)[key];
      const minimize = opt.minimize.bind(opt);
      opt.minimize = ((f, returnCost, varList) => {
        const g0 = snapshot(gan.generator), d0 = snapshot(gan.discriminator);
        const cost = minimize(f, returnCost, varList);
        const gMoved = moved(g0, snapshot(gan.generator)), dMoved = moved(d0, snapshot(gan.discriminator));
        log.push(`${name}: G ${gMoved ? 'moved' : 'kept'}, D ${dMoved ? 'moved' : 'kept'}`);
        return cost;
      }) as tf.Optimizer['minimize'];
    }
    const batch = { x: tf.randomNormal([32, 2], 0, 1, 'float32', 5) as tf.Tensor2D, y: tf.zeros([32], 'int32') as tf.Tensor1D };
    for (let i = 0; i < 2; i++) tf.dispose(Object.values(gan.step(batch)));
    assert.deepEqual(log, ['D: G kept, D moved', 'G: G moved, D kept', 'D: G kept, D moved', 'G: G moved, D kept']);
    tf.dispose([batch.x, batch.y]);
    gan.dispose();
  });

  it('k = 3 takes three discriminator updates per generator update', () => {
    const gan = ganOn(ring, { training: { discriminatorSteps: 3 } });
    const order: string[] = [];
    for (const [name, key] of [['D', 'dOptimizer'], ['G', 'gOptimizer']] as const) {
      const opt = (gan as unknown as Record<string, tf.Optimizer>)[key];
      const minimize = opt.minimize.bind(opt);
      opt.minimize = ((f, returnCost, varList) => { order.push(name); return minimize(f, returnCost, varList); }) as tf.Optimizer['minimize'];
    }
    const batch = { x: tf.randomNormal([16, 2], 0, 1, 'float32', 6) as tf.Tensor2D, y: tf.zeros([16], 'int32') as tf.Tensor1D };
    for (let i = 0; i < 9; i++) tf.dispose(Object.values(gan.step(batch)));
    assert.equal(order.join(''), 'DDDGDDDGDDDG');
    assert.deepEqual([gan.counters.dUpdates, gan.counters.gUpdates], [9, 3]);
    tf.dispose([batch.x, batch.y]);
    gan.dispose();
  });

  it('gan on the ring: no tensor leak over 200 Trainer steps with an epoch end, views and evaluation', async () => {
    const { train, heldout } = ringData();
    const gan = ganOn(ring, { training: { batchSize: 64, discriminatorSteps: 2 } });
    let epochs = 0;
    const trainer = new Trainer(gan, train, heldout, { batchSize: 64, readEvery: 10, seed: 2 }, { onEpoch: () => epochs++ });
    await trainer.runSteps(10);
    await trainer.flush();
    await gan.views(heldout, { focusIndex: 0 });
    tf.dispose(gan.sample(5));
    const at10 = tf.memory().numTensors;
    await trainer.runSteps(200); // 28 batches of 64 per epoch: several epoch ends, each with an evaluation
    await trainer.flush();
    await gan.views(heldout, { focusIndex: 0 });
    tf.dispose(gan.sample(5));
    assert.ok(epochs >= 1, `expected an epoch end, got ${epochs}`);
    assert.equal(tf.memory().numTensors, at10);
    trainer.dispose(); gan.dispose(); train.dispose(); heldout.dispose();
  });

  it('dcgan on an MNIST subset: batch norm trains on batch statistics, infers with moving ones, and leaks nothing', async function () {
    this.timeout(120000);
    const { train: t, heldout: h } = splitData(sliceData(loadBundledMnist('.'), 0, 200), 0.2);
    const train = new DeviceData(t), heldout = new DeviceData(h);
    const gan = new Gan(resolveModelFile({ family: 'dcgan', training: { batchSize: 8 } }, mnist), mnist);
    assert.ok(gan.generator.layers.some((l) => l.getClassName() === 'BatchNormalization'));
    const movingMean = () => (gan.generator.layers.find((l) => l.getClassName() === 'BatchNormalization')!.getWeights()[2].dataSync() as Float32Array).slice();
    const z = tf.randomNormal([8, gan.latentDim], 0, 1, 'float32', 9) as tf.Tensor2D;
    const [inferA, inferB, trainMode] = [gan.generate(z), gan.generate(z), gan.generate(z, true)];
    assert.equal(tf.max(tf.abs(tf.sub(inferA, inferB))).dataSync()[0], 0, 'inference mode is deterministic');
    assert.ok(tf.max(tf.abs(tf.sub(inferA, trainMode))).dataSync()[0] > 1e-4, 'training mode normalizes with batch statistics');
    tf.dispose([inferA, inferB, trainMode]);

    let epochs = 0;
    const trainer = new Trainer(gan, train, heldout, { batchSize: 8, readEvery: 5, seed: 2 }, { onEpoch: () => epochs++ });
    const mean0 = movingMean();
    await trainer.runSteps(5);
    await trainer.flush();
    assert.ok(moved([mean0], [movingMean()]), 'a training step updates the moving mean');
    await gan.views(heldout, { focusIndex: 0 });
    const at5 = tf.memory().numTensors;
    const mean5 = movingMean();
    const views = await gan.views(heldout, { focusIndex: 0 }); // inference only: statistics stay
    assert.ok(!moved([mean5], [movingMean()]), 'views do not touch the moving statistics');
    await trainer.runSteps(95); // 20 batches of 8 per epoch: 100 steps in all, five epoch ends with evaluations
    await trainer.flush();
    await gan.views(heldout, { focusIndex: 0 });
    assert.equal(epochs, 5);
    assert.equal(tf.memory().numTensors, at5);
    const samples = views[0] as ImagesView;
    assert.deepEqual([samples.kind, samples.id, samples.count, samples.height, samples.width, samples.channels, samples.pixels.length], ['images', 'samples', 64, 28, 28, 1, 64 * 784]);
    assert.ok(samples.pixels.every((p) => p >= 0 && p <= 1));
    assert.deepEqual(gan.charts.map((c) => c.id), ['loss', 'discriminator']);
    const s = gan.sample(3);
    assert.deepEqual(s.shape, [3, 784]);
    s.dispose(); z.dispose();
    trainer.dispose(); gan.dispose(); train.dispose(); heldout.dispose();
  });

  it('2-D views: the plane over D(x) with real and generated layers, and the divergence metrics', async () => {
    const { train, heldout } = ringData();
    const gan = ganOn(ring);
    const trainer = new Trainer(gan, train, heldout, { batchSize: 64, readEvery: 10, seed: 2 });
    await trainer.runSteps(20);
    await trainer.flush();
    const views = await gan.views(heldout, { focusIndex: 0 });
    assert.deepEqual(views.map((v) => [v.id, v.kind]), [['plane', 'plane'], ['divergence', 'metrics']]);
    const plane = views[0] as PlaneView, metrics = views[1] as MetricsView;
    assert.deepEqual(plane.extent, TOY_EXTENT);
    assert.equal(plane.heat!.res, PLANE_RES);
    assert.equal(plane.heat!.values.length, PLANE_RES * PLANE_RES);
    assert.ok(plane.heat!.values.every((v) => v >= 0 && v <= 1));
    assert.deepEqual(plane.layers.map((l) => [l.name, l.points.length]), [['real', 2 * heldout.count], ['generated', 2 * 1000]]);
    const js = gridJsDivergence(plane.layers[0].points, plane.layers[1].points, TOY_EXTENT);
    assert.equal(metrics.values.jsDivergence, js);
    assert.ok(js > 0 && js <= Math.LN2);
    assert.equal(metrics.values.modes, modesCovered(plane.layers[1].points, toyModes('ring'), toyModeStd('ring')).covered);
    assert.deepEqual(gan.charts.map((c) => c.id), ['loss', 'discriminator', 'divergence']);
    assert.deepEqual(gan.charts[2].series, [{ term: 'jsDivergence', source: 'metric', name: 'JS divergence' }]);
    assert.deepEqual(gan.lossTerms, ['dLoss', 'gLoss', 'dReal', 'dFake']);
    // The same fixed noise gives the same generated cloud until the next step.
    const again = (await gan.views(heldout, { focusIndex: 0 }))[0] as PlaneView;
    assert.deepEqual(again.layers[1].points, plane.layers[1].points);
    trainer.dispose(); gan.dispose(); train.dispose(); heldout.dispose();
  });

  it('formula per generator loss and smoothing; learning rate and optimizer settings reach both optimizers', () => {
    const ns = ganOn(ring), mm = ganOn(ring, { loss: { generator: 'minimax', labelSmoothing: 0.1 } });
    assert.equal(ns.formula.template, 'L_D = −log D(x) − log(1 − D(G(z))) = {0}; L_G = −log D(G(z)) = {1}');
    assert.equal(mm.formula.template, 'L_D = −(1 − s)·log D(x) − s·log(1 − D(x)) − log(1 − D(G(z))) = {0}; L_G = log(1 − D(G(z))) = {1}');
    const opts = ['dOptimizer', 'gOptimizer'].map((k) => (ns as unknown as Record<string, { learningRate: number; beta1: number }>)[k]);
    ns.optimizers.setLearningRate(3e-4);
    assert.deepEqual(opts.map((o) => o.learningRate), [3e-4, 3e-4]);
    ns.optimizers.setOptimizer({ type: 'adam', learningRate: 5e-4, beta1: 0.3 });
    assert.deepEqual(opts.map((o) => [o.learningRate, o.beta1]), [[5e-4, 0.3], [5e-4, 0.3]]);
    assert.equal(ns.optimizers.learningRate, 5e-4);
    assert.throws(() => ns.optimizers.setOptimizer({ type: 'sgd', learningRate: 0.1 }), /restart/);
    assert.throws(() => ns.optimizers.setLearningRate(0));
    ns.dispose(); mm.dispose();
  });
});

describe('GAN collapse monitor', () => {
  it(`warns after ${COLLAPSE_STEPS} consecutive steps with D(x) > 0.95 and D(G(z)) < 0.05, counting across calls`, () => {
    const m = new CollapseMonitor();
    assert.equal(m.watch(rows(1, 100, 0.99, 0.01)), undefined);
    assert.equal(m.watch(rows(101, COLLAPSE_STEPS - 101, 0.99, 0.01)), undefined); // 199 steps
    assert.equal(m.watch(rows(1, 150, 0.99, 0.01)), undefined, 'rows already seen do not count twice');
    assert.equal(m.watch(rows(COLLAPSE_STEPS, 1, 0.99, 0.01)), DISCRIMINATOR_WINNING);
    assert.equal(m.watch(rows(COLLAPSE_STEPS + 1, 10, 0.97, 0.03)), DISCRIMINATOR_WINNING);
    assert.equal(m.watch(rows(COLLAPSE_STEPS + 11, 1, 0.9, 0.01)), undefined, 'one ordinary step ends the run');
  });

  it('stays quiet for a balanced game, a fooled discriminator or one threshold alone', () => {
    for (const [real, fake] of [[0.5, 0.5], [0.99, 0.2], [0.8, 0.01], [0.02, 0.98], [Number.NaN, Number.NaN]]) {
      const m = new CollapseMonitor();
      assert.equal(m.watch(rows(1, 2 * COLLAPSE_STEPS, real, fake)), undefined, `D(x) ${real}, D(G(z)) ${fake}`);
    }
    const flicker = new CollapseMonitor();
    const mixed = rows(1, 3 * COLLAPSE_STEPS, 0.99, 0.01).map((r) => (r.step % 150 === 0 ? { ...r, values: { ...r.values, dFake: 0.3 } } : r));
    assert.equal(flicker.watch(mixed), undefined);
  });

  it('a Gan watches its own rows', async () => {
    await testBackend();
    const gan = ganOn(ring);
    assert.equal(gan.watch(rows(1, COLLAPSE_STEPS, 0.999, 0.001)), DISCRIMINATOR_WINNING);
    gan.dispose();
  });
});

describe('toy-data metrics', () => {
  const extent = TOY_EXTENT;
  it('grid JS divergence: 0 for identical sets, ln 2 for disjoint ones, symmetric, small for two samples of the ring', () => {
    const a = toyDataset('ring', 1000, 1).points, b = toyDataset('ring', 1000, 2).points;
    assert.ok(gridJsDivergence(a, a, extent) < 1e-12);
    const left = new Float32Array(2000).map((_, i) => (i % 2 === 0 ? -2 : 0.5 * Math.sin(i)));
    const right = new Float32Array(2000).map((_, i) => (i % 2 === 0 ? 2 : 0.5 * Math.cos(i)));
    assert.ok(Math.abs(gridJsDivergence(left, right, extent) - Math.LN2) < 0.01, `${gridJsDivergence(left, right, extent)}`);
    assert.ok(Math.abs(gridJsDivergence(a, left, extent) - gridJsDivergence(left, a, extent)) < 1e-12);
    const floor = gridJsDivergence(a, b, extent);
    assert.ok(floor > 0 && floor < 0.05, `two samples of the ring: ${floor}`);
    // Points outside the extent land in edge cells: far away on the left equals just inside the left edge.
    assert.ok(Math.abs(gridJsDivergence(new Float32Array([-100, 0]), new Float32Array([-2.99, 0]), extent)) < 1e-12);
  });

  it('modes covered: a mode needs ≥ 1% of the points within 3σ; high quality is the fraction within 3σ of some mode', () => {
    const modes = toyModes('ring'), std = toyModeStd('ring');
    const pts: number[] = [];
    modes.slice(0, 6).forEach(([x, y]) => { for (let i = 0; i < 150; i++) pts.push(x + std * Math.cos(i), y + std * Math.sin(i)); }); // within 1σ
    for (let i = 0; i < 5; i++) pts.push(modes[6][0], modes[6][1]); // 5 of 1,000 points: under 1%
    for (let i = 0; i < 95; i++) pts.push(0, 0); // far from every mode
    const c = modesCovered(new Float32Array(pts), modes, std);
    assert.equal(c.covered, 6);
    assert.deepEqual(c.counts, [150, 150, 150, 150, 150, 150, 5, 0]);
    assert.ok(Math.abs(c.highQuality - 905 / 1000) < 1e-12);
    assert.equal(modesCovered(new Float32Array(pts), modes, std, { minFraction: 0.005 }).covered, 7);
    assert.equal(modesCovered(new Float32Array(pts), modes, std, { radius: 0.5 }).covered, 0);
    assert.equal(modesCovered(toyDataset('ring', 2000, 4).points, modes, std).covered, 8);
  });
});
