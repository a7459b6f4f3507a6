/**
 * Checkpoints on disk: a round trip keeps every byte; each network folder loads with
 * tf.loadLayersModel and predicts as the model did; saves rotate latest → previous; a crash at
 * any point of a save (simulated by leaving the folders as each step would) still loads a
 * checkpoint; a damaged latest one falls back to the previous; a run resumed from disk goes on
 * with the uninterrupted run's losses.
 */
import { strict as assert } from 'node:assert';
import { cpSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { captureCheckpoint, checkpointProblem, restoreCheckpoint, specHash, type Checkpoint } from '../../src/core/checkpoint';
import { shapeOfData, splitData } from '../../src/core/data/dataset';
import { uploadSplit } from '../../src/core/data/deviceData';
import { toyDataset } from '../../src/core/data/toy';
import { createModel } from '../../src/core/families';
import { Trainer } from '../../src/core/loop';
import { resolveModelFile } from '../../src/core/modelfile/defaults';
import { LATEST, loadCheckpoint, PREVIOUS, readCheckpointDir, saveCheckpoint } from '../../src/node/checkpointStore';
import { loadLayersModelFromDir } from '../../src/node/saveModel';
import { testBackend } from './setup';

function start() {
  const set = toyDataset('ring');
  const shape = shapeOfData(set);
  const spec = resolveModelFile({ family: 'vae', latentDim: 2, training: { batchSize: 64 } }, shape);
  const { train: t, heldout: h } = splitData(set, spec.data.heldout);
  const train = uploadSplit(t, 'train', 0), heldout = uploadSplit(h, 'heldout', 0);
  const model = createModel(spec, shape);
  const losses: number[] = [];
  const trainer = new Trainer(model, train, heldout, { batchSize: 64, readEvery: 1, seed: 1 }, { onSteps: (rows) => rows.forEach((r) => losses.push(r.values.loss ?? r.values[model.lossTerms[0]])) });
  const run = async (n: number) => { await trainer.runSteps(n); await trainer.flush(); };
  const stop = () => { trainer.dispose(); model.dispose(); train.dispose(); heldout.dispose(); };
  return { spec, model, trainer, losses, run, stop, hash: specHash(spec) };
}

describe('checkpoints on disk', () => {
  let dir: string;
  before(testBackend);
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'genlab-ckpt-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips every byte, and each network folder loads with tf.loadLayersModel and predicts as the model did', async () => {
    const a = start();
    await a.run(3);
    const ckpt = await captureCheckpoint(a.model, a.trainer, a.hash);
    saveCheckpoint(dir, ckpt);
    const back = readCheckpointDir(join(dir, LATEST));
    assert.deepEqual(back.state, ckpt.state);
    for (const [name, net] of Object.entries(ckpt.networks)) {
      assert.deepEqual(new Uint8Array(back.networks[name].weightData), new Uint8Array(net.weightData), name);
      assert.deepEqual(back.networks[name].weightSpecs, net.weightSpecs);
    }
    back.optimizers.forEach((o, i) => assert.deepEqual(new Uint8Array(o.data), new Uint8Array(ckpt.optimizers[i].data)));
    const decoder = await loadLayersModelFromDir(join(dir, LATEST, 'decoder'));
    const z = tf.tensor2d([[0.5, -1], [2, 0.25]]);
    const want = await (a.model.networks.decoder.predict(z) as tf.Tensor).data();
    const got = await (decoder.predict(z) as tf.Tensor).data();
    assert.deepEqual(got, want);
    decoder.dispose();
    z.dispose();
    a.stop();
  });

  it('keeps the previous checkpoint, and loads one after a crash at any point of a save', async () => {
    const a = start();
    const save = async () => saveCheckpoint(dir, await captureCheckpoint(a.model, a.trainer, a.hash));
    await a.run(2);
    await save();
    await a.run(2);
    await save();
    const stepOf = (sub: string) => readCheckpointDir(join(dir, sub)).state.trainer.step;
    assert.deepEqual([stepOf(LATEST), stepOf(PREVIOUS)], [4, 2]);
    const load = () => loadCheckpoint(dir, (c) => checkpointProblem(a.model, c, a.hash))?.checkpoint.state.trainer.step;

    // 1. Crash while writing the new one: a temporary folder without state.json, a half-written weights file.
    await a.run(2);
    const next = await captureCheckpoint(a.model, a.trainer, a.hash);
    cpSync(join(dir, LATEST), join(dir, 'checkpoint.tmp-dead'), { recursive: true });
    rmSync(join(dir, 'checkpoint.tmp-dead', 'state.json'));
    truncateSync(join(dir, 'checkpoint.tmp-dead', 'encoder', 'weights.bin'), 10);
    assert.equal(load(), 4);
    // 2. Crash between the two renames: no latest; a complete temporary folder (step 6) and the previous (step 4).
    saveCheckpoint(dir, next); // clears the dead temporary folder
    assert.ok(!readdirSync(dir).some((n) => n.includes('tmp')), 'leftovers removed');
    renameSync(join(dir, LATEST), join(dir, 'checkpoint.tmp-complete'));
    assert.equal(load(), 6);
    // 3. The temporary folder gone too: the previous one.
    rmSync(join(dir, 'checkpoint.tmp-complete'), { recursive: true });
    assert.equal(load(), 4);
    a.stop();
  });

  it('falls back to the previous checkpoint when the latest is damaged, and says why when none can be restored', async () => {
    const a = start();
    await a.run(2);
    saveCheckpoint(dir, await captureCheckpoint(a.model, a.trainer, a.hash));
    await a.run(2);
    saveCheckpoint(dir, await captureCheckpoint(a.model, a.trainer, a.hash));
    truncateSync(join(dir, LATEST, 'decoder', 'weights.bin'), 12);
    const accept = (c: Checkpoint) => checkpointProblem(a.model, c, a.hash);
    assert.equal(loadCheckpoint(dir, accept)?.from, join(dir, PREVIOUS));
    truncateSync(join(dir, PREVIOUS, 'decoder', 'weights.bin'), 12);
    assert.throws(() => loadCheckpoint(dir, accept), /no checkpoint in .* can be restored: .*network "decoder", tensor "decoder_0\/kernel": the weight data ends after 12 bytes/);
    assert.equal(loadCheckpoint(join(dir, 'nothing-here')), undefined);
    assert.ok(!existsSync(join(dir, 'nothing-here')));
    a.stop();
  });

  it('a run resumed from disk goes on with the uninterrupted run\'s losses', async () => {
    const whole = start();
    await whole.run(10);
    whole.stop();
    const first = start();
    await first.run(5);
    saveCheckpoint(dir, await captureCheckpoint(first.model, first.trainer, first.hash));
    first.stop();
    const second = start();
    const found = loadCheckpoint(dir, (c) => checkpointProblem(second.model, c, second.hash));
    assert.ok(found);
    await restoreCheckpoint(second.model, second.trainer, found.checkpoint, second.hash);
    await second.run(5);
    assert.deepEqual(second.losses, whole.losses.slice(5));
    second.stop();
  });
});
