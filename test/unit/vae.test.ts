import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { DeviceData } from '../../src/core/data/deviceData';
import { splitData } from '../../src/core/data/dataset';
import { Vae, vaeSpec } from '../../src/core/families/vae';
import { lerp, slerp, INTERPOLATION_STEPS } from '../../src/core/families/vaeViews';
import { resolveModelFile } from '../../src/core/modelfile/defaults';
import { Trainer } from '../../src/core/loop';
import { loadBundledMnist } from '../../src/node/bundledData';
import { testBackend } from './setup';

const shape = { height: 28, width: 28, channels: 1, classes: 10 };

describe('VAE', () => {
  before(testBackend);

  it('gradients reach the encoder through the reparameterization (log σ² head included)', () => {
    // With β = 0 the loss is the reconstruction term alone, so log σ² gets gradient only via z = μ + σ·ε.
    const vae = new Vae(vaeSpec({ hiddenUnits: 16, beta: 0 }, shape), shape);
    const x = tf.randomUniform([8, 784], 0, 1, 'float32', 3) as tf.Tensor2D;
    const eps = tf.randomNormal([8, 2], 0, 1, 'float32', 4) as tf.Tensor2D;
    const encoderVars = vae.encoder.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(() => vae.terms(x, eps).loss, encoderVars);
    const headKernel = vae.encoder.layers[1].trainableWeights[0].read() as tf.Variable; // [hidden, 2·latent]: columns 0–1 μ, 2–3 log σ²
    const g = grads[headKernel.name];
    assert.ok(g, `no gradient for ${headKernel.name}; have ${Object.keys(grads)}`);
    const gv = g.arraySync() as number[][];
    const logVarGradNorm = Math.hypot(...gv.flatMap((row) => [row[2], row[3]]));
    const muGradNorm = Math.hypot(...gv.flatMap((row) => [row[0], row[1]]));
    assert.ok(logVarGradNorm > 1e-6, `log σ² head got no gradient (${logVarGradNorm})`);
    assert.ok(muGradNorm > 1e-6, `μ head got no gradient (${muGradNorm})`);
    // And the gradient is the true one: compare with a central finite difference on one weight.
    const w = headKernel as tf.Variable;
    const h = 1e-2, r = 3, c = 2;
    const lossAt = (delta: number) => {
      const v = w.arraySync() as number[][];
      const orig = v[r][c];
      v[r][c] = orig + delta; w.assign(tf.tensor2d(v));
      const l = vae.terms(x, eps).loss.dataSync()[0];
      v[r][c] = orig; w.assign(tf.tensor2d(v));
      return l;
    };
    const numeric = (lossAt(h) - lossAt(-h)) / (2 * h);
    assert.ok(Math.abs(numeric - gv[r][c]) < 0.05 * Math.max(1, Math.abs(numeric)), `analytic ${gv[r][c]} vs numeric ${numeric}`);
    vae.dispose();
  });

  it('a few hundred steps on the bundled MNIST lower held-out −ELBO by at least 40%', async function () {
    this.timeout(300000);
    const { train, heldout } = splitData(loadBundledMnist('.'), 0.1);
    const trainData = new DeviceData(train), heldoutData = new DeviceData(heldout);
    const vae = new Vae(vaeSpec({ batchSize: 64 }, shape), shape);
    const trainer = new Trainer(vae, trainData, heldoutData, { batchSize: 64, readEvery: 20, seed: 2 });
    const before = (await trainer.evaluate(heldoutData)).negElbo;
    await trainer.runSteps(300);
    const after = (await trainer.evaluate(heldoutData)).negElbo;
    console.log(`      held-out −ELBO: ${before.toFixed(1)} → ${after.toFixed(1)} nats after 300 steps of 64`);
    assert.ok(after < 0.6 * before, `−ELBO ${before} → ${after}`);
    assert.ok(after < 220, `−ELBO after 300 steps should be under 220 nats, got ${after}`);
    trainer.dispose(); vae.dispose(); trainData.dispose(); heldoutData.dispose();
  });

  it('frees every tensor of every step: numTensors at step 1000 equals its value at step 10', async () => {
    const { train, heldout } = splitData(loadBundledMnist('.'), 0.1);
    const trainData = new DeviceData(train), heldoutData = new DeviceData(heldout);
    const vae = new Vae(vaeSpec({ hiddenUnits: 8, batchSize: 16 }, shape), shape);
    let epochs = 0;
    const trainer = new Trainer(vae, trainData, heldoutData, { batchSize: 16, readEvery: 5, seed: 2 }, { onEpoch: () => epochs++ });
    await trainer.runSteps(10);
    await trainer.flush();
    await vae.views(heldoutData, { focusIndex: 0 });
    const at10 = tf.memory().numTensors;
    await trainer.runSteps(990); // crosses an epoch end (562 batches of 16), so evaluation runs too
    await trainer.flush();
    await vae.views(heldoutData, { focusIndex: 3 });
    assert.equal(epochs, 1);
    assert.equal(tf.memory().numTensors, at10);
    trainer.dispose(); vae.dispose(); trainData.dispose(); heldoutData.dispose();
  });

  it('changes the learning rate during training without resetting weights', async () => {
    const { train, heldout } = splitData(loadBundledMnist('.'), 0.1);
    const trainData = new DeviceData(train), heldoutData = new DeviceData(heldout);
    const vae = new Vae(vaeSpec({ hiddenUnits: 32, batchSize: 16 }, shape), shape);
    const trainer = new Trainer(vae, trainData, heldoutData, { batchSize: 16, readEvery: 5, seed: 2 });
    await trainer.runSteps(5);
    const before = vae.decoder.getWeights()[0].arraySync() as number[][];
    assert.throws(() => vae.optimizers.setLearningRate(0));
    assert.throws(() => vae.optimizers.setLearningRate(-1));
    assert.throws(() => vae.optimizers.setLearningRate(Number.NaN));
    vae.optimizers.setLearningRate(1e-12);
    await trainer.runSteps(1);
    const after = vae.decoder.getWeights()[0].arraySync() as number[][];
    const maxDiff = Math.max(...before.flatMap((row, i) => row.map((v, j) => Math.abs(v - after[i][j]))));
    assert.ok(maxDiff < 1e-6, `weights moved by ${maxDiff} at a learning rate of 1e-12`);
    assert.equal(vae.optimizers.learningRate, 1e-12);
    vae.optimizers.setLearningRate(1e-2);
    await trainer.runSteps(1);
    const moved = vae.decoder.getWeights()[0].arraySync() as number[][];
    assert.ok(moved.some((row, i) => row.some((v, j) => Math.abs(v - after[i][j]) > 1e-4)), 'a learning rate of 1e-2 should move weights');
    trainer.dispose(); vae.dispose(); trainData.dispose(); heldoutData.dispose();
  });

  it('applies new optimizer settings live and refuses another optimizer class', async () => {
    const vae = new Vae(vaeSpec({ hiddenUnits: 8, batchSize: 8 }, shape), shape);
    const adam = (vae as unknown as { optimizer: { beta1: number; beta2: number } }).optimizer;
    vae.optimizers.setOptimizer({ type: 'adam', learningRate: 0.002, beta1: 0.5, beta2: 0.99 });
    assert.equal(vae.optimizers.learningRate, 0.002);
    assert.equal(adam.beta1, 0.5);
    assert.equal(adam.beta2, 0.99);
    assert.throws(() => vae.optimizers.setOptimizer({ type: 'sgd', learningRate: 0.1 }), /restart/);
    vae.dispose();
  });

  it('slerp keeps the endpoints and, between vectors of equal norm, the norm; lerp shrinks it', () => {
    const a = new Float32Array([3, 0, 0, 4]), b = new Float32Array([0, 5, 0, 0]);
    const norm = (v: Float32Array) => Math.hypot(...v);
    assert.deepEqual([...slerp(a, b, 0)].map((v) => +v.toFixed(5)), [...a]);
    assert.deepEqual([...slerp(a, b, 1)].map((v) => +v.toFixed(5)), [...b]);
    for (const t of [0.25, 0.5, 0.75]) assert.ok(Math.abs(norm(slerp(a, b, t)) - 5) < 1e-4, `|slerp(${t})| = ${norm(slerp(a, b, t))}`);
    assert.ok(norm(lerp(a, b, 0.5)) < 4, `|lerp(0.5)| = ${norm(lerp(a, b, 0.5))}`);
    assert.deepEqual([...slerp(a, a, 0.3)].map((v) => +v.toFixed(5)), [...a], 'parallel vectors: no division by sin 0');
  });

  it('the interpolation view decodes a linear and a spherical path between the two chosen examples', async () => {
    const vae = new Vae(vaeSpec({ hiddenUnits: 16, latentDim: 3 }, shape), shape);
    const { heldout } = splitData(loadBundledMnist('.'), 0.1);
    const data = new DeviceData(heldout);
    const views = await vae.views(data, { focusIndex: 5, secondIndex: 9 });
    const interp = views.find((v) => v.id === 'interpolation');
    assert.ok(interp && interp.kind === 'images');
    assert.equal(interp.count, 2 * INTERPOLATION_STEPS);
    assert.deepEqual(interp.rowLabels, ['lerp', 'slerp']);
    // Both rows start at the decoding of example 9's code and end at example 5's: the ends agree.
    const px = 784, row2 = INTERPOLATION_STEPS * px;
    const first = interp.pixels.subarray(0, px), firstSlerp = interp.pixels.subarray(row2, row2 + px);
    assert.ok(first.every((v, i) => Math.abs(v - firstSlerp[i]) < 1e-4));
    const views2 = await vae.views(data, { focusIndex: 5, secondIndex: 1 });
    const interp2 = views2.find((v) => v.id === 'interpolation');
    assert.ok(interp2 && interp2.kind === 'images' && interp2.pixels.some((v, i) => v !== interp.pixels[i]), 'another second example changes the interpolation');
    vae.dispose(); data.dispose();
  });

  it('a Gaussian decoder with KL warm-up trains: the KL weight rises from 0, held-out reconstruction error falls', async () => {
    const spec = resolveModelFile({ family: 'vae', latentDim: 2, networks: { encoder: [{ type: 'dense', units: 64, activation: 'relu' }, { type: 'dense', units: 4 }], decoder: [{ type: 'dense', units: 64, activation: 'relu' }, { type: 'dense', units: 784 }] }, loss: { reconstruction: 'gaussian', sigma: 0.1, klWarmup: 50 }, training: { batchSize: 64 } }, shape);
    const vae = new Vae(spec, shape);
    assert.equal(vae.klWeight, 0);
    const { train, heldout } = splitData(loadBundledMnist('.'), 0.1);
    const trainData = new DeviceData(train), heldoutData = new DeviceData(heldout);
    const trainer = new Trainer(vae, trainData, heldoutData, { batchSize: 64, readEvery: 50, seed: 2 });
    const before = await trainer.evaluate(heldoutData);
    await trainer.runSteps(25);
    assert.equal(vae.klWeight, 0.5);
    await trainer.runSteps(125);
    assert.equal(vae.klWeight, 1);
    const after = await trainer.evaluate(heldoutData);
    await trainer.flush();
    console.log(`      Gaussian decoder (σ 0.1), held-out recon: ${before.recon.toFixed(0)} → ${after.recon.toFixed(0)} nats after 150 steps`);
    assert.ok(after.recon < before.recon - 1000, `${before.recon} → ${after.recon}`);
    // Σ(x − μ)²/2σ² + (D/2)·log 2πσ² with D = 784: the constant alone is 784/2·log(2π·0.01) ≈ −1086 nats.
    assert.ok(after.recon > -1086.5, 'the reconstruction term cannot go below its constant');
    trainer.dispose(); vae.dispose(); trainData.dispose(); heldoutData.dispose();
  });
});
