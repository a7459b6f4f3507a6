/**
 * The runs the GenLab view lists: a run folder that `genlab train` wrote shows its family, step,
 * latest loss and sample grid; deleting refuses anything but a run folder directly inside the
 * runs folder; package.json declares the view and its commands.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteRun, listRuns, readRun, runFolderName, writeExport } from '../../src/node/runs';

const root = join(__dirname, '..', '..');

describe('runs', () => {
  let tmp: string, runs: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'genlab-runs-'));
    runs = join(tmp, '.genlab', 'runs');
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('reads family and step from the checkpoint, the latest loss from metrics.jsonl and the newest sample grid', () => {
    const dir = join(runs, 'vae-20261129-010203');
    mkdirSync(join(dir, 'checkpoint'), { recursive: true });
    writeFileSync(join(dir, 'checkpoint', 'state.json'), JSON.stringify({ family: 'vae', trainer: { step: 40 } }));
    writeFileSync(join(dir, 'metrics.jsonl'), ['{"step":39,"epoch":0.5,"loss":210.5,"recon":200}', '{"step":40,"epoch":0.51,"loss":200.25,"recon":190}', '{"step":40,"epoch":1,"heldout":{"loss":190}}', '{"step":40,"met'].join('\n'));
    for (const f of ['samples-step12.png', 'samples-step3.png']) writeFileSync(join(dir, f), '');
    const run = readRun(dir);
    assert.deepEqual({ family: run.family, step: run.step, loss: run.loss, samples: run.samples }, { family: 'vae', step: 40, loss: { term: 'loss', value: 200.25 }, samples: join(dir, 'samples-step12.png') });
    writeFileSync(join(dir, 'samples.png'), '');
    assert.equal(readRun(dir).samples, join(dir, 'samples.png'));
  });

  it('lists runs newest first, and none when there is no runs folder', () => {
    assert.deepEqual(listRuns(runs), []);
    mkdirSync(join(runs, 'a'), { recursive: true });
    mkdirSync(join(runs, 'b'), { recursive: true });
    writeFileSync(join(runs, 'b', 'model.genlab.json'), '{ "family": "gan" }');
    const names = listRuns(runs).map((r) => [r.name, r.family]);
    assert.equal(names.length, 2);
    assert.deepEqual(names.find((n) => n[0] === 'b'), ['b', 'gan']);
  });

  it('deletes only a run folder directly inside the runs folder', () => {
    mkdirSync(join(runs, 'a', 'checkpoint'), { recursive: true });
    writeFileSync(join(tmp, 'precious.txt'), 'keep me');
    for (const bad of [runs, tmp, join(tmp, 'precious.txt'), join(runs, 'a', 'checkpoint'), join(runs, '..', '..'), join(runs, 'a', '..', '..')]) {
      assert.throws(() => deleteRun(runs, bad), /is not a run folder/, bad);
    }
    assert.ok(existsSync(join(tmp, 'precious.txt')));
    deleteRun(runs, join(runs, 'a'));
    assert.ok(!existsSync(join(runs, 'a')));
  });

  it('saves an exported view as exports/<view>-step<N>.png, refusing a view id that is a path and bytes that are not a PNG', () => {
    const dir = join(runs, 'r');
    const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3);
    assert.equal(writeExport(dir, 'samples', 40, png), join(dir, 'exports', 'samples-step40.png'));
    assert.deepEqual(new Uint8Array(readFileSync(join(dir, 'exports', 'samples-step40.png'))), png);
    assert.throws(() => writeExport(dir, '../../evil', 1, png), /is not a view id/);
    assert.throws(() => writeExport(dir, 'samples', 1, Uint8Array.of(1, 2, 3)), /not a PNG image/);
    assert.equal(runFolderName('my model!', new Date(2026, 10, 29, 1, 2, 3)), 'my-model-20261129-010203');
  });

  it('package.json contributes the GenLab view in the activity bar, its commands and their translations', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    assert.equal(pkg.contributes.viewsContainers.activitybar[0].id, 'genlab');
    assert.ok(existsSync(join(root, pkg.contributes.viewsContainers.activitybar[0].icon)));
    assert.equal(pkg.contributes.views.genlab[0].id, 'genlab.runs');
    const nls = JSON.parse(readFileSync(join(root, 'package.nls.json'), 'utf8')), ja = JSON.parse(readFileSync(join(root, 'package.nls.ja.json'), 'utf8'));
    for (const id of ['genlab.runs.refresh', 'genlab.runs.showSamples', 'genlab.runs.reveal', 'genlab.runs.delete']) {
      const cmd = pkg.contributes.commands.find((c: { command: string }) => c.command === id);
      assert.ok(cmd, id);
      const key = cmd.title.replace(/%/g, '');
      assert.ok(nls[key] && ja[key], `${key} translated`);
    }
    assert.ok(readFileSync(join(root, '.vscodeignore'), 'utf8').includes('!media/genlab-activity.svg'), 'the icon is packaged');
  });
});

describe('workspace trust', () => {
  it('declares limited support in Restricted Mode: the settings that could redirect downloads or lift the memory guard are ignored from an untrusted workspace', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const untrusted = pkg.capabilities.untrustedWorkspaces;
    assert.equal(untrusted.supported, 'limited');
    assert.deepEqual([...untrusted.restrictedConfigurations].sort(), ['genlab.dataMemoryLimitMB', 'genlab.datasetMirror']);
    for (const key of untrusted.restrictedConfigurations) assert.ok(pkg.contributes.configuration.properties[key], `${key} is a GenLab setting`);
    assert.equal(pkg.capabilities.virtualWorkspaces.supported, 'limited');
  });
});
