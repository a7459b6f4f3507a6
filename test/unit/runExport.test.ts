/**
 * Run exports: metrics.jsonl as CSV (one row per step, held-out values and metrics merged into
 * the row of their step, a crash-cut last line skipped), and a trained network copied out of the
 * latest checkpoint as a folder tf.loadLayersModel reads, refusing a manifest that points outside.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { exportableNetworks, exportNetwork, metricsCsv } from '../../src/node/runExport';
import { loadLayersModelFromDir, saveLayersModel } from '../../src/node/saveModel';
import { testBackend } from './setup';

describe('run exports', () => {
  let tmp: string;
  before(testBackend);
  beforeEach(() => (tmp = mkdtempSync(join(tmpdir(), 'genlab-export-'))));
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('writes metrics as CSV: step, epoch, training terms, then held-out terms and metrics on their steps', () => {
    const jsonl = [
      '{"step":1,"epoch":0.5,"loss":3,"kl":"a,\\"b"}',
      '{"step":2,"epoch":1,"loss":2,"kl":1}',
      '{"step":2,"epoch":1,"heldout":{"loss":2.5}}',
      '{"step":2,"metrics":{"jsDivergence":0.3}}',
      '{"step":3,"epo',
    ].join('\n');
    assert.equal(metricsCsv(jsonl), 'step,epoch,loss,kl,heldout loss,metric jsDivergence\n1,0.5,3,"a,""b",,\n2,1,2,1,2.5,0.3\n');
  });

  it('copies a network of the latest checkpoint into a folder that tf.loadLayersModel reads, generator or decoder first', async () => {
    const run = join(tmp, 'run');
    const model = tfl.sequential({ name: 'decoder', layers: [tfl.layers.dense({ units: 3, inputShape: [2], name: 'decoder_0' })] });
    await saveLayersModel(model, join(run, 'checkpoint', 'decoder'));
    await saveLayersModel(model, join(run, 'checkpoint', 'encoder'));
    assert.deepEqual(exportableNetworks(run), ['decoder', 'encoder']);
    const files = exportNetwork(run, 'decoder', join(tmp, 'out', 'decoder'));
    assert.deepEqual(files.map((f) => f.split('/').pop()), ['model.json', 'weights.bin']);
    const back = await loadLayersModelFromDir(join(tmp, 'out', 'decoder'));
    const x = tf.tensor2d([[1, -2]]);
    assert.deepEqual(await (back.predict(x) as tf.Tensor).data(), await (model.predict(x) as tf.Tensor).data());
    assert.throws(() => exportNetwork(run, 'generator', join(tmp, 'x')), /has no network "generator"/);
    const manifest = JSON.parse(readFileSync(join(run, 'checkpoint', 'encoder', 'model.json'), 'utf8'));
    manifest.weightsManifest[0].paths = ['../../../secret'];
    writeFileSync(join(run, 'checkpoint', 'encoder', 'model.json'), JSON.stringify(manifest));
    assert.throws(() => exportNetwork(run, 'encoder', join(tmp, 'y')), /names "\.\.\/\.\.\/\.\.\/secret", which is not a file beside it/);
    mkdirSync(join(tmp, 'empty'));
    assert.deepEqual(exportableNetworks(join(tmp, 'empty')), []);
    tf.dispose([x]);
    model.dispose();
    back.dispose();
  });
});
