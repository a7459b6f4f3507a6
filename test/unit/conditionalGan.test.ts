import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { DeviceData } from '../../src/core/data/deviceData';
import { sliceData, splitData } from '../../src/core/data/dataset';
import { toyDataset } from '../../src/core/data/toy';
import { auxiliaryClassLoss, classAccuracy, ConditionalGan } from '../../src/core/families/conditionalGan';
import { interpolationConditioning } from '../../src/core/families/conditionalViews';
import { Trainer, type StepRow } from '../../src/core/loop';
import { DISCRIMINATOR_WINNING } from '../../src/core/metrics';
import { resolveModelFile } from '../../src/core/modelfile/defaults';
import type { LayerSpec, ModelFile } from '../../src/core/modelfile/types';
import type { ImagesView, PlaneView } from '../../src/core/views';
import { loadBundledMnist } from '../../src/node/bundledData';
import { conditionalAccuracy, stabilizedNetworks, trainMnistClassifier } from '../support/mnistClassifier';
import { testBackend } from './setup';

const mnist = { height: 28, width: 28, channels: 1, classes: 10 };
const tiny = { height: 2, width: 2, channels: 1, classes: 3 };

/** Small MLP networks, so that tests run in seconds. */
function smallNets(family: 'cgan' | 'acgan', features: number, classes: number, hidden = 16): Record<string, LayerSpec[]> {
  return {
    generator: [{ type: 'dense', units: hidden, activation: 'relu' }, { type: 'dense', units: features, activation: 'sigmoid' }],
    discriminator: [{ type: 'dense', units: hidden }, { type: 'leakyReLU', alpha: 0.2 }, { type: 'dense', units: family === 'acgan' ? 1 + classes : 1 }],
  };
}

function build(family: 'cgan' | 'acgan', shape = mnist, file: Partial<ModelFile> = {}): ConditionalGan {
  const features = shape.height * shape.width * shape.channels;
  const spec = resolveModelFile({ family, latentDim: 4, networks: smallNets(family, features, shape.classes), ...file }, shape);
  return new ConditionalGan(spec, shape);
}

const weights = (m: { getWeights(): tf.Tensor[] }) => m.getWeights().map((w) => Array.from(w.dataSync()));
const same = (a: number[][], b: number[][]) => a.every((w, i) => w.every((v, j) => v === b[i][j]));

const softplus = (l: number) => Math.max(l, 0) + Math.log1p(Math.exp(-Math.abs(l)));
const logSumExp = (v: number[]) => {
  const m = Math.max(...v);
  return m + Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0));
};
const argMax = (v: number[]) => v.indexOf(Math.max(...v));

describe('conditional GANs (CGAN, AC-GAN)', () => {
  before(testBackend);

  it('feeds the one-hot class to G (latent + classes) and, in a CGAN, to D (features + classes); an AC-GAN D outputs 1 + classes logits', () => {
    for (const family of ['cgan', 'acgan'] as const) {
      const spec = resolveModelFile({ family }, mnist); // the default networks
      const gan = new ConditionalGan(spec, mnist);
      assert.deepEqual(gan.generator.inputs[0].shape, [null, spec.latentDim + 10], `${family} generator input`);
      assert.deepEqual(gan.generator.outputs[0].shape, [null, 784], `${family} generator output`);
      assert.deepEqual(gan.discriminator.inputs[0].shape, [null, family === 'cgan' ? 784 + 10 : 784], `${family} discriminator input`);
      assert.deepEqual(gan.discriminator.outputs[0].shape, [null, family === 'cgan' ? 1 : 11], `${family} discriminator output`);
      assert.deepEqual(gan.lossTerms, family === 'cgan' ? ['dLoss', 'gLoss', 'dReal', 'dFake'] : ['dLoss', 'gLoss', 'dReal', 'dFake', 'accReal', 'accFake']);
      assert.deepEqual(gan.charts.map((c) => c.id), family === 'cgan' ? ['loss', 'discriminator'] : ['loss', 'discriminator', 'accuracy']);
      assert.ok(gan.formula.template.includes('{0}') && gan.formula.template.includes('{1}'));
      gan.dispose();
    }
    // A convolutional CGAN discriminator gets the class as constant label planes: [28, 28, 1 + 10].
    const conv = build('cgan', mnist, { networks: { ...smallNets('cgan', 784, 10), discriminator: [{ type: 'conv2d', filters: 4, kernelSize: 4, strides: 2, padding: 'same' }, { type: 'flatten' }, { type: 'dense', units: 1 }] } });
    assert.deepEqual(conv.discriminator.inputs[0].shape, [null, 28, 28, 11]);
    tf.dispose(Object.values(conv.evaluate({ x: tf.zeros([2, 784]) as tf.Tensor2D, y: tf.tensor1d([3, 7], 'int32') })));
    conv.dispose();
    assert.throws(() => build('acgan', mnist, { networks: smallNets('cgan', 784, 10) }), /must output 11 logits/);
  });

  it('computes the auxiliary cross-entropy and accuracy as by hand', () => {
    const logits = [[1, 2, 0], [0, 0, 3], [2, -1, 0.5], [0.1, 0.2, 0.3]], labels = [1, 0, 0, 1];
    const byHand = logits.reduce((s, l, i) => s + logSumExp(l) - l[labels[i]], 0) / logits.length;
    const accByHand = logits.filter((l, i) => argMax(l) === labels[i]).length / logits.length; // rows 0 and 2: 0.5
    const l = tf.tensor2d(logits), y = tf.tensor1d(labels, 'int32');
    assert.ok(Math.abs(auxiliaryClassLoss(l, y).dataSync()[0] - byHand) < 1e-5);
    assert.equal(classAccuracy(l, y).dataSync()[0], accByHand);
    assert.equal(accByHand, 0.5);
    tf.dispose([l, y]);
  });

  it('AC-GAN terms: D loss = GAN loss + CE(real) + CE(fake), G loss = GAN loss + CE(fake), accuracies, as by hand', () => {
    for (const generator of ['non-saturating', 'minimax'] as const) {
      const gan = build('acgan', tiny, { loss: { generator, labelSmoothing: 0.1 } });
      const x = tf.tensor2d([[0, 1, 1, 0], [1, 0, 0, 1], [0.5, 0.5, 0, 0], [1, 1, 1, 1]]), y = tf.tensor1d([0, 1, 2, 1], 'int32');
      const fake = tf.tensor2d([[0.2, 0.3, 0.1, 0.9], [0.7, 0.1, 0.4, 0.4], [0, 0, 1, 1], [0.3, 0.3, 0.3, 0.3]]), yFake = tf.tensor1d([2, 2, 0, 1], 'int32');
      const raw = (t: tf.Tensor2D) => (gan.discriminator.apply(t) as tf.Tensor).arraySync() as number[][];
      const real = raw(x), gen = raw(fake), ys = [0, 1, 2, 1], yfs = [2, 2, 0, 1];
      const mean = (f: (i: number) => number) => [0, 1, 2, 3].reduce((s, i) => s + f(i), 0) / 4;
      const ce = (rows: number[][], labels: number[]) => mean((i) => logSumExp(rows[i].slice(1)) - rows[i][1 + labels[i]]);
      const s = 0.1;
      const ganD = mean((i) => (1 - s) * softplus(-real[i][0]) + s * softplus(real[i][0])) + mean((i) => softplus(gen[i][0]));
      const ganG = generator === 'minimax' ? -mean((i) => softplus(gen[i][0])) : mean((i) => softplus(-gen[i][0]));
      const acc = (rows: number[][], labels: number[]) => mean((i) => (argMax(rows[i].slice(1)) === labels[i] ? 1 : 0));
      const want: Record<string, number> = {
        dLoss: ganD + ce(real, ys) + ce(gen, yfs),
        gLoss: ganG + ce(gen, yfs),
        dReal: mean((i) => 1 / (1 + Math.exp(-real[i][0]))),
        dFake: mean((i) => 1 / (1 + Math.exp(-gen[i][0]))),
        accReal: acc(real, ys),
        accFake: acc(gen, yfs),
      };
      const got = gan.terms(x, y, fake, yFake);
      for (const [k, v] of Object.entries(want)) assert.ok(Math.abs(got[k].dataSync()[0] - v) < 1e-5, `${generator} ${k}: ${got[k].dataSync()[0]} vs ${v}`);
      // And the generator update's objective is the same G loss, on the batch it generates.
      const z = tf.randomNormal([4, 4], 0, 1, 'float32', 5) as tf.Tensor2D;
      const generated = gan.generate(z, yFake);
      const fromTerms = gan.terms(x, y, generated, yFake).gLoss.dataSync()[0];
      assert.ok(Math.abs(gan.generatorObjective(z, yFake).dataSync()[0] - fromTerms) < 1e-5);
      tf.dispose([x, y, fake, yFake, z, generated, ...Object.values(got)]);
      gan.dispose();
    }
  });

  it('a D update changes only D, a G update only G (k = 2 discriminator steps per generator step)', () => {
    for (const family of ['cgan', 'acgan'] as const) {
      // Same seed: `a` takes a G update after every 2nd D update, `b` never does (k = 1000).
      const a = build(family, tiny, { training: { discriminatorSteps: 2, seed: 3 } });
      const b = build(family, tiny, { training: { discriminatorSteps: 1000, seed: 3 } });
      const g0 = weights(a.generator), d0 = weights(a.discriminator);
      assert.ok(same(g0, weights(b.generator)) && same(d0, weights(b.discriminator)), 'twins start equal');
      const batch = { x: tf.randomUniform([6, 4], 0, 1, 'float32', 1) as tf.Tensor2D, y: tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32') };
      tf.dispose(Object.values(a.step(batch)));
      tf.dispose(Object.values(b.step(batch)));
      assert.ok(same(weights(a.generator), g0), `${family}: the first D update changed G`);
      assert.ok(!same(weights(a.discriminator), d0), `${family}: the first D update left D unchanged`);
      const d1 = weights(a.discriminator);
      tf.dispose(Object.values(a.step(batch)));
      tf.dispose(Object.values(b.step(batch)));
      assert.ok(!same(weights(a.generator), g0), `${family}: the G update left G unchanged`);
      assert.ok(same(weights(b.generator), g0), `${family}: D updates alone changed G`);
      assert.ok(!same(weights(a.discriminator), d1), `${family}: the second D update left D unchanged`);
      assert.ok(same(weights(a.discriminator), weights(b.discriminator)), `${family}: the G update changed D`);
      tf.dispose([batch.x, batch.y]);
      a.dispose();
      b.dispose();
    }
  });

  it('frees every tensor over 200 steps through the Trainer, across an epoch end, with views', async function () {
    this.timeout(120000);
    const { train, heldout } = splitData(sliceData(loadBundledMnist('.'), 0, 1100), 0.1); // 990 / 110: an epoch is 123 batches of 8
    const trainData = new DeviceData(train), heldoutData = new DeviceData(heldout);
    for (const family of ['cgan', 'acgan'] as const) {
      const gan = build(family, mnist, { training: { batchSize: 8, discriminatorSteps: 2 } });
      let epochs = 0;
      const rows: StepRow[] = [];
      const trainer = new Trainer(gan, trainData, heldoutData, { batchSize: 8, readEvery: 10, seed: 2 }, { onEpoch: () => epochs++, onSteps: (r) => rows.push(...r) });
      await trainer.runSteps(10);
      await trainer.flush();
      await gan.views(heldoutData, { focusIndex: 0 });
      tf.dispose(gan.sample(5));
      const at10 = tf.memory().numTensors;
      await trainer.runSteps(200);
      await trainer.flush();
      await gan.views(heldoutData, { focusIndex: 1 });
      tf.dispose(gan.sample(5));
      assert.equal(epochs, 1);
      assert.equal(tf.memory().numTensors, at10, `${family} leaked tensors`);
      assert.equal(rows.length, 210);
      assert.ok(rows.every((r) => gan.lossTerms.every((t) => Number.isFinite(r.values[t]))), `${family}: a loss term is not finite`);
      if (family === 'acgan') assert.ok(rows.every((r) => r.values.accReal >= 0 && r.values.accReal <= 1 && r.values.accFake >= 0 && r.values.accFake <= 1));
      trainer.dispose();
      gan.dispose();
    }
    trainData.dispose();
    heldoutData.dispose();
  });

  it('views: samples, one row per class with shared noise, and class interpolation', async () => {
    const gan = build('acgan');
    const held = new DeviceData(sliceData(loadBundledMnist('.'), 0, 20));
    const views = await gan.views(held, { focusIndex: 0 });
    assert.deepEqual(views.map((v) => v.id), ['samples', 'classes', 'classInterpolation']);
    const [samples, classes, morph] = views as ImagesView[];
    assert.ok(views.every((v) => v.kind === 'images' && v.height === 28 && v.width === 28 && v.channels === 1 && v.pixels.length === v.count * 784));
    assert.ok(views.every((v) => (v as ImagesView).pixels.every((p) => p >= 0 && p <= 1)));
    assert.equal(samples.count, 64);
    assert.equal(classes.count, 100);
    assert.equal(classes.cols, 10);
    assert.deepEqual(classes.rowLabels, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    assert.equal(morph.count, 90);
    assert.equal(morph.cols, 10);
    assert.deepEqual(morph.rowLabels?.slice(0, 2), ['0→1', '1→2']);
    const image = (v: ImagesView, i: number) => v.pixels.subarray(i * 784, (i + 1) * 784);
    const close = (p: Float32Array, q: Float32Array) => p.every((v, k) => Math.abs(v - q[k]) < 1e-5);
    // Interpolation row a starts at class a and ends at class a + 1, both with the grid's first z.
    for (const a of [0, 4, 8]) {
      assert.ok(close(image(morph, a * 10), image(classes, a * 10)), `row ${a} does not start at class ${a}`);
      assert.ok(close(image(morph, a * 10 + 9), image(classes, (a + 1) * 10)), `row ${a} does not end at class ${a + 1}`);
    }
    // Shared noise: the columns of a row differ (different z), and the grid is the same at the next call.
    assert.ok(!close(image(classes, 0), image(classes, 1)));
    const again = (await gan.views(held, { focusIndex: 0 }))[1] as ImagesView;
    assert.ok(close(again.pixels, classes.pixels));
    const c = interpolationConditioning(3, 2, 3);
    assert.deepEqual(Array.from(c), [1, 0, 0, 0.5, 0.5, 0, 0, 1, 0, 0, 1, 0, 0, 0.5, 0.5, 0, 0, 1]);
    const s = gan.sample(7);
    assert.deepEqual(s.shape, [7, 784]);
    s.dispose();
    held.dispose();
    gan.dispose();
  });

  it('on 2-D labelled points: a plane with one generated cloud per class', async () => {
    const ring = { height: 1, width: 2, channels: 1, classes: 8, kind: 'points' as const };
    const gan = new ConditionalGan(resolveModelFile({ family: 'cgan' }, ring), ring);
    const held = new DeviceData(toyDataset('ring', 100, 1));
    const views = await gan.views(held, { focusIndex: 0 });
    held.dispose();
    assert.equal(views.length, 1);
    const plane = views[0] as PlaneView;
    assert.equal(plane.kind, 'plane');
    assert.equal(plane.layers.length, 8);
    assert.ok(plane.layers.every((l) => l.points.length === 400));
    gan.dispose();
  });

  it('sets the learning rate and optimizer settings of both optimizers, and warns when D wins', () => {
    const gan = build('cgan');
    const opt = gan as unknown as { dOptimizer: { learningRate: number; beta1: number }; gOptimizer: { learningRate: number; beta1: number } };
    assert.equal(opt.dOptimizer.beta1, 0.5);
    gan.optimizers.setLearningRate(1e-3);
    assert.equal(gan.optimizers.learningRate, 1e-3);
    assert.equal(opt.dOptimizer.learningRate, 1e-3);
    assert.equal(opt.gOptimizer.learningRate, 1e-3);
    gan.optimizers.setOptimizer({ type: 'adam', learningRate: 5e-4, beta1: 0.3 });
    assert.deepEqual([opt.dOptimizer.beta1, opt.gOptimizer.beta1, gan.optimizers.learningRate], [0.3, 0.3, 5e-4]);
    assert.throws(() => gan.optimizers.setOptimizer({ type: 'sgd', learningRate: 0.1 }), /restart/);
    const winning = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ step: from + i, epoch: 0, values: { dReal: 0.99, dFake: 0.01 } }));
    assert.equal(gan.watch(winning(1, 100)), undefined);
    assert.equal(gan.watch(winning(101, 100)), DISCRIMINATOR_WINNING);
    gan.dispose();
  });

  it('AC-GAN quality: a separately trained classifier recognizes at least 60% of 1,000 generated digits as their requested class after 500 steps of 32', async function () {
    this.timeout(180000);
    const t0 = performance.now();
    const digits = loadBundledMnist('.');
    const classifier = await trainMnistClassifier({ hiddenUnits: 64, epochs: 1 }, digits);
    assert.ok(classifier.heldoutAccuracy > 0.85, `the classifier itself reaches only ${classifier.heldoutAccuracy} on held-out digits`);
    const { train, heldout } = splitData(digits, 0.1);
    const trainData = new DeviceData(train), heldoutData = new DeviceData(heldout);
    const spec = resolveModelFile({ family: 'acgan', networks: stabilizedNetworks('acgan', 128), optimizer: { learningRate: 1e-3 }, training: { batchSize: 32, seed: 1 } }, mnist);
    const gan = new ConditionalGan(spec, mnist);
    const trainer = new Trainer(gan, trainData, heldoutData, { batchSize: 32, readEvery: 50, seed: 1 });
    const chance = await conditionalAccuracy(gan, classifier);
    await trainer.runSteps(500);
    await trainer.flush();
    const rate = await conditionalAccuracy(gan, classifier);
    console.log(`      classifier (held-out accuracy ${(100 * classifier.heldoutAccuracy).toFixed(1)}%) recognizes ${(100 * chance).toFixed(1)}% → ${(100 * rate).toFixed(1)}% of generated digits as requested; ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    assert.ok(rate >= 0.6, `only ${rate} of generated digits are recognized as their requested class`);
    trainer.dispose();
    gan.dispose();
    classifier.dispose();
    trainData.dispose();
    heldoutData.dispose();
  });
});
