/**
 * Checkpoints: a run saved after k steps and restored into a freshly built model continues with
 * exactly the losses the uninterrupted run had (weights, optimizer moments, step count, next
 * batch and random state all carry over), for every family; a checkpoint that does not fit is
 * refused naming the tensor; saving leaks no tensor (tfjs issue #8238). Dropout masks come from
 * seeded streams that the checkpoint saves too (seededDropout.ts), so CGAN and AC-GAN keep theirs.
 */
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { captureCheckpoint, checkpointProblem, restoreCheckpoint, specHash, type Checkpoint } from '../../src/core/checkpoint';
import { shapeOfData, splitData, textSetFromString, type DataSet } from '../../src/core/data/dataset';
import { uploadSplit, type DeviceData } from '../../src/core/data/deviceData';
import { toyDataset } from '../../src/core/data/toy';
import { createModel } from '../../src/core/families';
import type { GenerativeModel } from '../../src/core/family';
import { Trainer } from '../../src/core/loop';
import { resolveModelFile } from '../../src/core/modelfile/defaults';
import type { ModelFile, ModelSpec } from '../../src/core/modelfile/types';
import { testBackend } from './setup';

interface Run { spec: ModelSpec; model: GenerativeModel; trainer: Trainer; train: DeviceData; heldout: DeviceData; losses: number[] }

/** Builds a model of `file` on `set` and its trainer; losses of every step land in `losses`. */
function start(file: ModelFile, set: DataSet): Run {
  const shape = shapeOfData(set);
  const spec = resolveModelFile(file, shape);
  const { train: t, heldout: h } = splitData(set, spec.data.heldout);
  const train = uploadSplit(t, 'train', spec.transformer.context), heldout = uploadSplit(h, 'heldout', spec.transformer.context);
  const model = createModel(spec, shape);
  model.setTrainingSet?.(t);
  const losses: number[] = [];
  const trainer = new Trainer(model, train, heldout, { batchSize: spec.training.batchSize, readEvery: 1, seed: spec.training.seed }, {
    onSteps: (rows) => rows.forEach((r) => losses.push(r.values[model.lossTerms[0]])),
  });
  return { spec, model, trainer, train, heldout, losses };
}

async function steps(run: Run, n: number): Promise<void> {
  await run.trainer.runSteps(n);
  await run.trainer.flush();
}

function stop(run: Run): void {
  run.trainer.dispose();
  run.model.dispose();
  run.train.dispose();
  run.heldout.dispose();
}

const ring = () => toyDataset('ring');

const text = () => textSetFromString('t', 'the quick brown fox jumps over the lazy dog. '.repeat(40));

/** One model file per family, small enough to train in a blink; epochs end inside the run (the sampler's order is restored too). */
const CASES: Array<[string, ModelFile, () => DataSet]> = [
  ['vae', { family: 'vae', latentDim: 2, training: { batchSize: 64 }, networks: { encoder: [{ type: 'dense', units: 16, activation: 'relu' }, { type: 'dense', units: 4 }], decoder: [{ type: 'dense', units: 16, activation: 'relu' }, { type: 'dense', units: 2 }] } }, ring],
  ['autoencoder', { family: 'autoencoder', latentDim: 2, training: { batchSize: 64 } }, ring],
  ['gan', { family: 'gan', training: { batchSize: 64, discriminatorSteps: 2 } }, ring],
  ['cgan', { family: 'cgan', training: { batchSize: 64 } }, ring], // default D has dropout (rate 0.3)
  ['acgan', { family: 'acgan', training: { batchSize: 64 } }, ring],
  ['flow', { family: 'flow', flow: { couplings: 2 }, training: { batchSize: 64 } }, ring],
  ['diffusion', { family: 'diffusion', diffusion: { steps: 20 }, training: { batchSize: 64 } }, ring],
  ['autoregressive', { family: 'autoregressive', transformer: { layers: 1, heads: 2, embedding: 16, context: 8 }, training: { batchSize: 16 } }, text],
  ['autoregressive with dropout', { family: 'autoregressive', transformer: { layers: 1, heads: 2, embedding: 16, context: 8, dropout: 0.2 }, training: { batchSize: 16 } }, text],
];

describe('checkpoints', () => {
  before(testBackend);

  for (const [family, file, data] of CASES) {
    it(`${family}: restored into a fresh model after 4 steps, continues with the uninterrupted run's losses`, async () => {
      const whole = start(file, data());
      await steps(whole, 8);
      stop(whole);

      const first = start(file, data());
      await steps(first, 4);
      const hash = specHash(first.spec);
      const ckpt = await captureCheckpoint(first.model, first.trainer, hash);
      stop(first);

      const second = start(file, data());
      assert.equal(checkpointProblem(second.model, ckpt, hash), undefined);
      await restoreCheckpoint(second.model, second.trainer, ckpt, hash);
      assert.equal(second.trainer.step, 4);
      await steps(second, 4);
      stop(second);
      assert.deepEqual(second.losses, whole.losses.slice(4), `losses after the restore\n${second.losses}\nvs uninterrupted\n${whole.losses.slice(4)}`);
    });
  }

  describe('refusing what does not fit, naming the tensor', () => {
    const file: ModelFile = CASES[0][1];
    let run: Run, ckpt: Checkpoint, hash: string;
    before(async () => {
      run = start(file, ring());
      await steps(run, 2);
      hash = specHash(run.spec);
      ckpt = await captureCheckpoint(run.model, run.trainer, hash);
    });
    after(() => stop(run));

    const encoder = () => ckpt.networks.encoder;
    const withEncoder = (patch: Partial<Checkpoint['networks'][string]>): Checkpoint => ({ ...ckpt, networks: { ...ckpt.networks, encoder: { ...encoder(), ...patch } } });

    it('another model file', () => {
      assert.match(checkpointProblem(run.model, ckpt, specHash({ ...run.spec, latentDim: 3 })) ?? '', /different model file/);
    });
    it('a tensor of another shape', () => {
      const specs = encoder().weightSpecs.map((s, i) => (i === 0 ? { ...s, shape: [s.shape[1], s.shape[0]] } : s)); // same bytes, transposed
      assert.match(checkpointProblem(run.model, withEncoder({ weightSpecs: specs }), hash) ?? '', /network "encoder", tensor "encoder_0\/kernel"/);
    });
    it('a missing tensor', () => {
      const specs = encoder().weightSpecs.slice(1);
      const data = encoder().weightData.slice(encoder().weightSpecs[0].shape.reduce((a, b) => a * b, 1) * 4);
      assert.match(checkpointProblem(run.model, withEncoder({ weightSpecs: specs, weightData: data }), hash) ?? '', /the checkpoint has no tensor "encoder_0\/kernel"/);
    });
    it('weight data cut short', () => {
      assert.match(checkpointProblem(run.model, withEncoder({ weightData: encoder().weightData.slice(0, 100) }), hash) ?? '', /network "encoder", tensor "encoder_0\/kernel": the weight data ends after 100 bytes/);
    });
    it('a NaN', () => {
      const data = encoder().weightData.slice(0);
      new Float32Array(data)[5] = NaN;
      assert.match(checkpointProblem(run.model, withEncoder({ weightData: data }), hash) ?? '', /tensor "encoder_0\/kernel" holds NaN at index 5/);
    });
    it('restore throws and changes nothing', async () => {
      const before = await run.model.networks.encoder.weights[0].read().data();
      const data = encoder().weightData.slice(0);
      new Float32Array(data)[0] = Infinity;
      await assert.rejects(restoreCheckpoint(run.model, run.trainer, withEncoder({ weightData: data }), hash), /cannot restore the checkpoint: .*holds Infinity/);
      assert.deepEqual(await run.model.networks.encoder.weights[0].read().data(), before);
    });
    it('saving leaks no tensor, however often (tfjs #8238: getWeights makes a step-count tensor each time)', async () => {
      await captureCheckpoint(run.model, run.trainer, hash);
      const n = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) await captureCheckpoint(run.model, run.trainer, hash);
      assert.equal(tf.memory().numTensors, n);
    });
  });
});

describe('divergence', () => {
  before(testBackend);

  for (const type of ['sgd', 'adam'] as const) it(`${type}: stops at the first non-finite loss term, names it, and restoring the last good checkpoint with a lower learning rate trains on, leaking nothing`, async () => {
    const diverged: string[] = [];
    const file: ModelFile = { family: 'vae', latentDim: 2, optimizer: { type, learningRate: 0.001 }, loss: { reconstruction: 'gaussian' }, training: { batchSize: 64 } };
    const run = start(file, ring());
    const trainer = new Trainer(run.model, run.train, run.heldout, { batchSize: 64, readEvery: 5, seed: 1 }, {
      onSteps: (rows) => rows.forEach((r) => run.losses.push(r.values[run.model.lossTerms[0]])),
      onDiverged: (d) => diverged.push(`${d.term} at step ${d.step}`),
    });
    await trainer.runSteps(5);
    await trainer.flush();
    const hash = specHash(run.spec);
    const good = await captureCheckpoint(run.model, trainer, hash);
    const tensors = tf.memory().numTensors;
    run.model.optimizers.setLearningRate(1e8);
    await trainer.runSteps(200);
    await trainer.flush();
    assert.ok(trainer.diverged, `no divergence; losses ${run.losses.slice(-5)}`);
    assert.equal(diverged.length, 1);
    assert.match(diverged[0], new RegExp(`^(${run.model.lossTerms.join('|')}) at step \\d+$`));
    assert.ok(trainer.step < 205, `stopped soon after: step ${trainer.step}`);
    const stoppedAt = trainer.step;
    await trainer.runSteps(10);
    assert.equal(trainer.step, stoppedAt, 'no step while diverged');

    await restoreCheckpoint(run.model, trainer, good, hash);
    run.model.optimizers.setLearningRate(good.state.learningRate / 10);
    assert.equal(trainer.diverged, undefined);
    assert.equal(trainer.step, 5);
    const before = run.losses.length;
    await trainer.runSteps(10);
    await trainer.flush();
    assert.ok(run.losses.slice(before).every(Number.isFinite), `finite again: ${run.losses.slice(before)}`);
    assert.equal(tf.memory().numTensors, tensors, 'nothing leaked by the restore');
    trainer.dispose();
    stop(run);
  });
});
