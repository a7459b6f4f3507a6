import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { DeviceData } from '../../src/core/data/deviceData';
import { shapeOfData, sliceData, splitData } from '../../src/core/data/dataset';
import { toyDataset } from '../../src/core/data/toy';
import { Autoencoder } from '../../src/core/families/autoencoder';
import { histogram, quantile } from '../../src/core/families/autoencoderViews';
import { TiedDense } from '../../src/core/families/tiedDense';
import type { DataShape } from '../../src/core/family';
import { Trainer } from '../../src/core/loop';
import { resolveModelFile } from '../../src/core/modelfile/defaults';
import type { ModelFile } from '../../src/core/modelfile/types';
import type { HistogramView, ImagesView, PlaneView, ScatterView } from '../../src/core/views';
import { loadBundledMnist } from '../../src/node/bundledData';
import { loadLayersModelFromDir, saveLayersModel } from '../../src/node/saveModel';
import { testBackend } from './setup';

const mnistShape: DataShape = { height: 28, width: 28, channels: 1, classes: 10 };
const pointShape: DataShape = { height: 1, width: 2, channels: 1, classes: 8, kind: 'points' };

/** An autoencoder for `shape` from a partial model file, with hidden width `hidden`. */
function makeAe(file: Partial<ModelFile>, shape: DataShape, hidden = 16): Autoencoder {
  return new Autoencoder(resolveModelFile({ family: 'autoencoder', ...file }, shape, hidden), shape);
}

function mnistData(): { train: DeviceData; heldout: DeviceData } {
  const { train, heldout } = splitData(loadBundledMnist('.'), 0.1);
  return { train: new DeviceData(train), heldout: new DeviceData(heldout) };
}

const softplus = (v: number) => Math.log1p(Math.exp(v));
const transpose = (m: number[][]) => m[0].map((_, j) => m.map((row) => row[j]));

describe('Autoencoder', () => {
  before(testBackend);

  describe('losses, against hand computation on a 2-1-2 network', () => {
    // z = x·w + b; out = z·v + c, with every weight set by hand.
    const w = [[0.5], [-1]], b = [0.25], v = [[2, -0.5]], c = [0.1, 0.3];
    const xs = [[0.2, 0.9], [1, 0]];
    const out = xs.map((x) => {
      const z = x[0] * w[0][0] + x[1] * w[1][0] + b[0];
      return [z * v[0][0] + c[0], z * v[0][1] + c[1]];
    });
    const setWeights = (ae: Autoencoder) => {
      ae.encoder.layers[0].setWeights([tf.tensor2d(w), tf.tensor1d(b)]);
      ae.decoder.layers[0].setWeights([tf.tensor2d(v), tf.tensor1d(c)]);
    };
    const networks = { encoder: [{ type: 'dense', units: 1 }], decoder: [{ type: 'dense', units: 2 }] };

    it('bernoulli: binary cross-entropy of σ(logits), summed over features, mean over the batch', async () => {
      const ae = makeAe({ latentDim: 1, networks, loss: { reconstruction: 'bernoulli' } }, pointShape);
      setWeights(ae);
      // −[x log σ(l) + (1 − x) log(1 − σ(l))] = x·softplus(−l) + (1 − x)·softplus(l)
      const perExample = xs.map((x, n) => x.reduce((s, xi, i) => s + xi * softplus(-out[n][i]) + (1 - xi) * softplus(out[n][i]), 0));
      const x = tf.tensor2d(xs);
      const got = await ae.perExampleLoss(x).array();
      perExample.forEach((e, n) => assert.ok(Math.abs(got[n] - e) < 1e-5, `example ${n}: ${got[n]} vs ${e}`));
      const t = ae.evaluate({ x, y: tf.tensor1d([0, 0], 'int32') });
      const mean = (perExample[0] + perExample[1]) / 2;
      assert.ok(Math.abs(t.loss.dataSync()[0] - mean) < 1e-5, `batch mean ${t.loss.dataSync()[0]} vs ${mean}`);
      assert.equal(t.recon.dataSync()[0], t.loss.dataSync()[0]);
      const xhat = await ae.reconstruct(x).array();
      assert.ok(Math.abs(xhat[0][0] - 1 / (1 + Math.exp(-out[0][0]))) < 1e-6, 'reconstruction is σ(logits)');
      tf.dispose([x, t.loss, t.recon]);
      ae.dispose();
    });

    it('gaussian: squared error summed over features, mean over the batch, identity output', async () => {
      const ae = makeAe({ latentDim: 1, networks, loss: { reconstruction: 'gaussian' } }, pointShape);
      setWeights(ae);
      const perExample = xs.map((x, n) => (x[0] - out[n][0]) ** 2 + (x[1] - out[n][1]) ** 2);
      const x = tf.tensor2d(xs);
      const got = await ae.perExampleLoss(x).array();
      perExample.forEach((e, n) => assert.ok(Math.abs(got[n] - e) < 1e-5, `example ${n}: ${got[n]} vs ${e}`));
      const t = ae.evaluate({ x, y: tf.tensor1d([0, 0], 'int32') });
      assert.ok(Math.abs(t.loss.dataSync()[0] - (perExample[0] + perExample[1]) / 2) < 1e-5);
      const xhat = await ae.reconstruct(x).array();
      assert.ok(Math.abs(xhat[1][1] - out[1][1]) < 1e-6, 'reconstruction is the decoder output');
      tf.dispose([x, t.loss, t.recon]);
      ae.dispose();
    });

    it('defaults follow the data: bernoulli for images, gaussian for points; charts and formula say so', () => {
      const img = makeAe({}, mnistShape, 8), pts = makeAe({}, pointShape, 8);
      assert.equal(img.reconstruction, 'bernoulli');
      assert.equal(pts.reconstruction, 'gaussian');
      assert.equal(img.charts[0].id, 'loss');
      assert.equal(img.charts[0].title, 'Reconstruction loss per example');
      assert.deepEqual(img.charts[0].series.map((s) => s.source), ['train', 'heldout']);
      assert.notEqual(img.formula.template, pts.formula.template);
      img.dispose(); pts.dispose();
    });
  });

  describe('tied weights', () => {
    it('share the encoder kernels: the decoder applies their transposes exactly and owns only biases', async () => {
      const { train, heldout } = mnistData();
      const tied = makeAe({ tiedWeights: true, latentDim: 3 }, mnistShape, 16);
      const untied = makeAe({ tiedWeights: false, latentDim: 3 }, mnistShape, 16);
      const trainer = new Trainer(tied, train, heldout, { batchSize: 32, readEvery: 5, seed: 3 });
      const kernelBefore = tied.encoder.layers[0].getWeights()[0].arraySync() as number[][];
      await trainer.runSteps(20);
      await trainer.flush();
      const encKernels = tied.encoder.layers.map((l) => l.getWeights()[0].arraySync() as number[][]);
      assert.notDeepEqual(encKernels[0], kernelBefore, 'training should move the encoder kernel');

      // The decoder's layers mirror the encoder's in reverse: its effective weight is exactly Wᵀ.
      const tiedLayers = tied.decoder.layers as TiedDense[];
      assert.equal(tiedLayers.length, 2);
      tiedLayers.forEach((layer, k) => {
        assert.ok(layer instanceof TiedDense);
        const effective = layer.effectiveKernel();
        assert.deepEqual(effective.arraySync(), transpose(encKernels[encKernels.length - 1 - k]), `decoder layer ${k} is not Wᵀ`);
        effective.dispose();
      });
      // No kernel variable of its own: trainable weights are biases; every other weight is the encoder's variable itself.
      assert.deepEqual(tied.decoder.trainableWeights.map((w) => w.originalName), ['decoder_0/bias', 'decoder_1/bias']);
      const encoderVars = new Set(tied.encoder.weights.map((w) => w.read()));
      const ownDecoderVars = tied.decoder.weights.filter((w) => !encoderVars.has(w.read()));
      assert.deepEqual(ownDecoderVars.map((w) => w.originalName), ['decoder_0/bias', 'decoder_1/bias']);
      // The decoder reads the kernels at call time: relu(z·W2ᵀ + b2′)·W1ᵀ + b1′ by hand.
      const z = tf.tensor2d([[0.3, -1.2, 0.7]]);
      const [b0, b1] = tiedLayers.map((l) => l.getWeights()[0].arraySync() as number[]);
      assert.ok(b1.some((v) => v !== 0), 'the decoder biases (initially zero) should be trained');
      const hidden = encKernels[1].map((row, j) => Math.max(0, row.reduce((s, wjk, k) => s + [0.3, -1.2, 0.7][k] * wjk, 0) + b0[j]));
      const expected = encKernels[0].map((row, i) => row.reduce((s, wij, j) => s + hidden[j] * wij, 0) + b1[i]);
      const got = (await tied.decodeRaw(z).array())[0];
      const maxErr = Math.max(...got.map((g, i) => Math.abs(g - expected[i])));
      assert.ok(maxErr < 1e-4, `decoder output differs from the hand computation by ${maxErr}`);
      // Exactly the kernels fewer parameters than the untied autoencoder of the same shape.
      const kernelSizes = tied.encoder.layers.reduce((n, l) => n + l.getWeights()[0].size, 0);
      assert.equal(untied.parameterCount - tied.parameterCount, kernelSizes);
      assert.equal(kernelSizes, 784 * 16 + 16 * 3);
      tf.dispose(z);
      trainer.dispose(); tied.dispose(); untied.dispose(); train.dispose(); heldout.dispose();
    });

    it('train the shared kernel on both its uses: the gradient matches a finite difference of the loss', () => {
      const ae = makeAe({ tiedWeights: true, latentDim: 1, networks: { encoder: [{ type: 'dense', units: 3, activation: 'tanh' }, { type: 'dense', units: 1 }] } }, pointShape);
      const x = tf.tensor2d([[0.5, -1], [1.5, 0.3], [-0.7, 0.8]]);
      const kernel = ae.encoder.layers[0].weights[0].read() as tf.Variable; // W1, [2, 3]: used by the encoder and, as W1ᵀ, by the decoder
      const bias = ae.decoder.layers[1].trainableWeights[0].read() as tf.Variable;
      bias.assign(tf.tensor1d([0.2, -0.1]));
      const { value, grads } = tf.variableGrads(() => ae.terms(x).loss, [kernel]);
      const g = grads[kernel.name].arraySync() as number[][];
      const w = kernel.arraySync() as number[][];
      const lossAt = (r: number, c: number, delta: number) => {
        const v = w.map((row) => [...row]);
        v[r][c] += delta;
        kernel.assign(tf.tensor2d(v));
        const l = tf.tidy(() => ae.terms(x).loss.dataSync()[0]);
        kernel.assign(tf.tensor2d(w));
        return l;
      };
      for (const [r, c] of [[0, 0], [1, 2]]) {
        const numeric = (lossAt(r, c, 1e-2) - lossAt(r, c, -1e-2)) / 2e-2;
        assert.ok(Math.abs(numeric - g[r][c]) < 0.02 * Math.max(1, Math.abs(numeric)), `W1[${r}][${c}]: analytic ${g[r][c]} vs numeric ${numeric}`);
      }
      tf.dispose([x, value, grads[kernel.name]]);
      ae.dispose();
    });

    it('refuse an encoder that is not all dense, with a clear error', () => {
      const before = tf.memory().numTensors;
      const conv = [{ type: 'conv2d', filters: 4, kernelSize: 3 }, { type: 'flatten' }, { type: 'dense', units: 2 }];
      assert.throws(() => makeAe({ tiedWeights: true, networks: { encoder: conv } }, mnistShape), /tied weights need an encoder of dense layers.*layer 0 is Conv2D/);
      assert.equal(tf.memory().numTensors, before, 'the failed build should free the encoder');
      const flat = makeAe({ tiedWeights: true, networks: { encoder: [{ type: 'flatten' }, { type: 'dense', units: 8, activation: 'tanh' }, { type: 'dense', units: 2 }] } }, mnistShape);
      assert.equal(flat.decoder.layers.length, 2);
      assert.equal((flat.decoder.layers[0].getConfig() as { activation: string }).activation, 'tanh');
      assert.equal((flat.decoder.layers[1].getConfig() as { activation: string }).activation, 'linear');
      flat.dispose();
    });

    it('save with saveLayersModel, and the saved decoder loads back on its own and decodes the same', async () => {
      const ae = makeAe({ tiedWeights: true, latentDim: 2 }, mnistShape, 8);
      const x = tf.randomUniform([16, 784], 0, 1, 'float32', 5) as tf.Tensor2D;
      const y = tf.zeros([16], 'int32') as tf.Tensor1D;
      for (let i = 0; i < 3; i++) tf.dispose(Object.values(ae.step({ x, y })));
      const dir = mkdtempSync(join(tmpdir(), 'genlab-ae-'));
      try {
        for (const [name, net] of Object.entries(ae.networks)) await saveLayersModel(net, join(dir, name));
        const manifest = JSON.parse(readFileSync(join(dir, 'decoder', 'model.json'), 'utf8')).weightsManifest[0].weights.map((w: { name: string }) => w.name).sort();
        assert.deepEqual(manifest, ['decoder_0/bias', 'decoder_1/bias', 'encoder_0/kernel', 'encoder_1/kernel']);
        const decoder = await loadLayersModelFromDir(join(dir, 'decoder'));
        const encoder = await loadLayersModelFromDir(join(dir, 'encoder'));
        const z = tf.tensor2d([[0.5, -0.25], [1, 2]]);
        const want = await ae.decodeRaw(z).array();
        const got = await (decoder.predict(z) as tf.Tensor).array() as number[][];
        assert.ok(Math.max(...got.flatMap((row, i) => row.map((g, j) => Math.abs(g - want[i][j])))) < 1e-5, 'loaded decoder decodes differently');
        assert.equal(encoder.countParams(), ae.encoder.countParams());
        decoder.dispose(); encoder.dispose(); z.dispose();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      tf.dispose([x, y]); ae.dispose();
    });
  });

  it('frees every tensor over 200 steps across an epoch end, with evaluation and views (tied and untied)', async () => {
    const { train: all, heldout: ho } = splitData(loadBundledMnist('.'), 0.1);
    const train = new DeviceData(sliceData(all, 0, 2000)), heldout = new DeviceData(ho);
    for (const tiedWeights of [false, true]) {
      const ae = makeAe({ tiedWeights }, mnistShape, 8);
      let epochs = 0;
      const trainer = new Trainer(ae, train, heldout, { batchSize: 16, readEvery: 5, seed: 2 }, { onEpoch: () => epochs++ });
      await trainer.runSteps(10);
      await trainer.flush();
      await ae.views(heldout, { focusIndex: 0 });
      tf.dispose(ae.sample(4));
      const at10 = tf.memory().numTensors;
      await trainer.runSteps(200); // 125 batches of 16 per epoch: crosses an epoch end
      await trainer.flush();
      await ae.views(heldout, { focusIndex: 0 });
      tf.dispose(ae.sample(4));
      assert.equal(epochs, 1);
      assert.equal(tf.memory().numTensors, at10, `tensors leaked (tiedWeights ${tiedWeights})`);
      trainer.dispose(); ae.dispose();
    }
    train.dispose(); heldout.dispose();
  });

  it('views on images: reconstructions, latent, errors over all held-out data, anomalies', async () => {
    const { heldout } = mnistData();
    const ae = makeAe({}, mnistShape, 8);
    const views = await ae.views(heldout, { focusIndex: 0 });
    assert.deepEqual(views.map((v) => v.id), ['reconstructions', 'latent', 'errors', 'anomalies']);
    const recon = views[0] as ImagesView;
    assert.equal(recon.kind, 'images');
    assert.equal(recon.count, 20);
    assert.equal(recon.pixels.length, 20 * 784);
    assert.deepEqual(recon.rowLabels, ['x', 'x̂']);
    assert.deepEqual(Array.from(recon.pixels.subarray(0, 784)), Array.from(tf.tidy(() => tf.slice(heldout.x, [0, 0], [1, 784]).dataSync())), 'the top row is the inputs');
    const latent = views[1] as ScatterView;
    assert.equal(latent.points.length, 2 * heldout.count);
    assert.equal(latent.labels.length, heldout.count);
    const errors = views[2] as HistogramView;
    assert.equal(errors.kind, 'histogram');
    assert.equal(errors.counts.length, 30);
    assert.equal(errors.counts.reduce((a, b) => a + b, 0), heldout.count, 'every held-out example is counted');
    const perExample = ae.perExampleLoss(heldout.x);
    const values = perExample.dataSync() as Float32Array;
    assert.ok(Math.abs((errors.marker as number) - quantile(values, 0.99)) < 1e-3);
    assert.equal(errors.markerLabel, '99th percentile');
    const anomalies = views[3] as ImagesView;
    assert.equal(anomalies.count, 20);
    // The top row holds the 10 worst-reconstructed examples: each is at least the 99th percentile.
    const worst = tf.tidy(() => ae.perExampleLoss(tf.tensor2d(anomalies.pixels.slice(0, 10 * 784), [10, 784])).dataSync());
    const tenth = Float32Array.from(values).sort()[values.length - 10];
    worst.forEach((e) => assert.ok(e >= tenth - 1e-3, `anomaly error ${e} below the 10th largest ${tenth}`));
    perExample.dispose(); ae.dispose(); heldout.dispose();
  });

  it('views on 2-D points: a plane of inputs and reconstructions, the codes padded to 2-D, errors', async () => {
    const set = toyDataset('ring', 600, 4);
    const heldout = new DeviceData(set);
    const ae = makeAe({ latentDim: 1 }, shapeOfData(set), 8);
    const views = await ae.views(heldout, { focusIndex: 0 });
    assert.deepEqual(views.map((v) => v.id), ['reconstructions', 'latent', 'errors']);
    const plane = views[0] as PlaneView;
    assert.equal(plane.kind, 'plane');
    assert.deepEqual(plane.extent, [-3, 3, -3, 3]);
    assert.deepEqual(plane.layers.map((l) => [l.name, l.points.length]), [['inputs', 1200], ['reconstructions', 1200]]);
    const latent = views[1] as ScatterView;
    assert.equal(latent.points.length, 1200);
    assert.ok(latent.points.every((v, i) => i % 2 === 0 || v === 0), 'a 1-D code is padded with zeros');
    assert.equal((views[2] as HistogramView).counts.reduce((a, b) => a + b, 0), 600);
    const s = ae.sample(5);
    assert.deepEqual(s.shape, [5, 2]);
    s.dispose(); ae.dispose(); heldout.dispose();
  });

  it('histogram and quantile helpers', () => {
    const { edges, counts } = histogram(Float32Array.from([0, 1, 2, 3, 4, Number.NaN]), 4);
    assert.deepEqual(Array.from(edges), [0, 1, 2, 3, 4]);
    assert.deepEqual(Array.from(counts), [1, 1, 1, 2]);
    assert.equal(quantile(Float32Array.from([3, 1, 2, 4, 5]), 0.5), 3);
    assert.ok(Math.abs(quantile(Float32Array.from([0, 10]), 0.99) - 9.9) < 1e-6);
  });

  it('held-out reconstruction loss falls with training (MNIST, bernoulli; ring, gaussian)', async function () {
    this.timeout(120000);
    const { train, heldout } = mnistData();
    const ae = makeAe({ training: { batchSize: 64 } }, mnistShape, 32);
    const trainer = new Trainer(ae, train, heldout, { batchSize: 64, readEvery: 20, seed: 2 });
    const before = (await trainer.evaluate(heldout)).loss;
    await trainer.runSteps(150);
    const after = (await trainer.evaluate(heldout)).loss;
    console.log(`      MNIST held-out reconstruction: ${before.toFixed(1)} → ${after.toFixed(1)} nats after 150 steps`);
    assert.ok(after < 0.5 * before, `${before} → ${after}`);
    const s = ae.sample(3);
    assert.deepEqual(s.shape, [3, 784]);
    const sv = s.dataSync();
    assert.ok(sv.every((v) => v >= 0 && v <= 1), 'bernoulli samples lie in [0, 1]');
    s.dispose(); trainer.dispose(); ae.dispose(); train.dispose(); heldout.dispose();

    const { train: rt, heldout: rh } = splitData(toyDataset('ring', 4000, 1), 0.1);
    const rTrain = new DeviceData(rt), rHeld = new DeviceData(rh);
    const pts = makeAe({ latentDim: 1 }, shapeOfData(rt), 32);
    const pTrainer = new Trainer(pts, rTrain, rHeld, { batchSize: 64, readEvery: 20, seed: 2 });
    const pBefore = (await pTrainer.evaluate(rHeld)).loss;
    await pTrainer.runSteps(300);
    const pAfter = (await pTrainer.evaluate(rHeld)).loss;
    console.log(`      ring held-out squared error: ${pBefore.toFixed(3)} → ${pAfter.toFixed(3)} after 300 steps (1-D code)`);
    assert.ok(pAfter < 0.5 * pBefore, `${pBefore} → ${pAfter}`);
    pTrainer.dispose(); pts.dispose(); rTrain.dispose(); rHeld.dispose();
  });

  it('quality: tied weights reach within 1.3× of the untied held-out reconstruction loss on MNIST (same budget)', async function () {
    this.timeout(120000);
    const { train, heldout } = mnistData();
    const result: Record<string, number> = {};
    for (const tiedWeights of [false, true]) {
      const ae = makeAe({ tiedWeights, training: { batchSize: 64 } }, mnistShape, 32);
      const trainer = new Trainer(ae, train, heldout, { batchSize: 64, readEvery: 20, seed: 2 });
      await trainer.runSteps(300);
      result[tiedWeights ? 'tied' : 'untied'] = (await trainer.evaluate(heldout)).loss;
      trainer.dispose(); ae.dispose();
    }
    const factor = result.tied / result.untied;
    console.log(`      after 300 steps of 64 (784-32-2): untied ${result.untied.toFixed(1)}, tied ${result.tied.toFixed(1)} nats; factor ${factor.toFixed(3)}`);
    assert.ok(result.untied < 200, `untied should learn (${result.untied})`);
    assert.ok(factor <= 1.3, `tied/untied = ${factor}`);
    train.dispose(); heldout.dispose();
  });
});
