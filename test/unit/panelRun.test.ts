/**
 * The panel's run on the host side: checkpoints and metrics from the webview cross the protocol
 * check (hostile ones are refused: paths in names, lying byte lengths, oversized, wrong family or
 * spec) and land in the run folder the host chose; a run brought back goes on from its
 * checkpoint with its metrics up to that step, bit for bit through the wire.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureCheckpoint, restoreCheckpoint, specHash } from '../../src/core/checkpoint';
import { shapeOfData, splitData } from '../../src/core/data/dataset';
import { uploadSplit } from '../../src/core/data/deviceData';
import { toyDataset } from '../../src/core/data/toy';
import { createModel } from '../../src/core/families';
import { Trainer, type StepRow } from '../../src/core/loop';
import { resolveModelFile } from '../../src/core/modelfile/defaults';
import { fromWire, isWireCheckpoint, MAX_CHECKPOINT_BYTES, toWire, type WireCheckpoint } from '../../src/shared/checkpointWire';
import { parsePanelState, parseWebviewMessage, parseHostMessage } from '../../src/shared/protocol';
import { freshRunName, PanelRun, readRunOrigin } from '../../src/node/panelRun';
import { readMetricsHistory } from '../../src/node/metricsFile';
import { writeSamplesPreview } from '../../src/node/runs';
import { testBackend } from './setup';

function start(seed = 1) {
  const set = toyDataset('ring');
  const shape = shapeOfData(set);
  const spec = resolveModelFile({ family: 'vae', latentDim: 2, training: { batchSize: 64, seed } }, shape);
  const { train: t, heldout: h } = splitData(set, spec.data.heldout);
  const train = uploadSplit(t, 'train', 0), heldout = uploadSplit(h, 'heldout', 0);
  const model = createModel(spec, shape);
  const rows: StepRow[] = [];
  const trainer = new Trainer(model, train, heldout, { batchSize: 64, readEvery: 1, seed: 1 }, { onSteps: (r) => rows.push(...r) });
  const run = async (n: number) => { await trainer.runSteps(n); await trainer.flush(); };
  const stop = () => { trainer.dispose(); model.dispose(); train.dispose(); heldout.dispose(); };
  return { spec, model, trainer, rows, run, stop, hash: specHash(spec) };
}

/** A message as it arrives after JSON-like cloning (typed arrays kept, as VS Code's serializer does). */
const clone = <T>(v: T): T => structuredClone(v);

describe('panel runs: checkpoints and metrics from the webview', () => {
  let root: string;
  let wire: WireCheckpoint;
  let a: ReturnType<typeof start>;
  before(async () => {
    await testBackend();
    a = start();
    await a.run(4);
    wire = toWire(await captureCheckpoint(a.model, a.trainer, a.hash));
  });
  after(() => a.stop());
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'genlab-runs-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('accepts a real checkpoint message and refuses hostile ones', () => {
    assert.ok(parseWebviewMessage(clone({ type: 'checkpoint', reason: 'timer', checkpoint: wire })), 'a real checkpoint');
    const net = Object.keys(wire.networks)[0];
    const withNet = (name: string, value: unknown) => ({ ...wire, networks: { ...wire.networks, [name]: value } });
    const first = wire.networks[net];
    const bad: Array<[string, unknown]> = [
      ['a network name with a path', withNet('../../evil', first)],
      ['a network name with a slash', withNet('a/b', first)],
      ['a buffer shorter than its shapes', withNet(net, { ...first, weightData: first.weightData.slice(4) })],
      ['a buffer that is not bytes', withNet(net, { ...first, weightData: Array.from(first.weightData) })],
      ['a negative shape', withNet(net, { ...first, weightSpecs: [{ name: 'w', shape: [-1], dtype: 'float32' }] })],
      ['a string dtype', withNet(net, { ...first, weightSpecs: first.weightSpecs.map((w) => ({ ...w, dtype: 'string' })) })],
      ['no networks', { ...wire, networks: {} }],
      ['a wrong format', { ...wire, state: { ...wire.state, format: 'other' } }],
      ['a fractional step', { ...wire, state: { ...wire.state, trainer: { ...wire.state.trainer, step: 1.5 } } }],
      ['a negative learning rate', { ...wire, state: { ...wire.state, learningRate: -1 } }],
      ['an optimizer buffer too long', { ...wire, optimizers: [{ ...wire.optimizers[0], data: new Uint8Array(wire.optimizers[0].data.length + 4) }] }],
      ['more than the size limit', withNet(net, { ...first, weightSpecs: [{ name: 'w', shape: [MAX_CHECKPOINT_BYTES / 4 + 1], dtype: 'float32' }], weightData: new Uint8Array(0) })],
    ];
    for (const [why, checkpoint] of bad) {
      assert.equal(isWireCheckpoint(checkpoint), false, why);
      assert.equal(parseWebviewMessage({ type: 'checkpoint', reason: 'timer', checkpoint }), undefined, why);
    }
    assert.equal(parseWebviewMessage({ type: 'checkpoint', reason: 'because', checkpoint: wire }), undefined, 'an unknown reason');
    assert.ok(parseWebviewMessage({ type: 'checkpoint', reason: 'pause', checkpoint: wire, samplesPng: 'iVBORw0KGgo=' }), 'with a sample grid');
    assert.equal(parseWebviewMessage({ type: 'checkpoint', reason: 'pause', checkpoint: wire, samplesPng: '../x.png' }), undefined, 'a sample grid that is not base64');
    assert.throws(() => writeSamplesPreview(root, new TextEncoder().encode('<svg/>')), /not a PNG/);
    assert.equal(parseWebviewMessage({ type: 'runStarted', spec: { family: 'vae' } }), undefined, 'an unresolved spec');
    assert.ok(parseWebviewMessage({ type: 'runStarted', spec: a.spec }));
    assert.ok(parseWebviewMessage({ type: 'metrics', steps: [{ step: 1, epoch: 0.1, values: { loss: null } }], epochs: [] }), 'NaN arrives as null');
    assert.equal(parseWebviewMessage({ type: 'metrics', steps: [{ step: -1, epoch: 0, values: {} }], epochs: [] }), undefined, 'a negative step');
    assert.equal(parseWebviewMessage({ type: 'metrics', steps: new Array(10_001).fill({ step: 1, epoch: 0, values: {} }), epochs: [] }), undefined, 'too many rows');
    assert.equal(parseHostMessage({ type: 'checkpointSaved', step: 3, run: '../x' }), undefined, 'a run name with a path');
  });

  it('refuses saved panel states that name paths, and accepts the ones it wrote', () => {
    assert.ok(parsePanelState({ source: 'file:///w/a.genlab.json', run: 'a-20261129-101010', running: false }));
    for (const run of ['..', '.', '../runs', 'a/b', 'a\\b', '', 'x'.repeat(129)]) assert.equal(parsePanelState({ source: 'builtin', run, running: true }), undefined, run);
    assert.equal(parsePanelState({ source: 'builtin', run: 'a', running: 'yes' }), undefined);
    assert.equal(parsePanelState(null), undefined);
  });

  it('saves the checkpoint in its own folder, keeps the previous one, and refuses another model', () => {
    const run = new PanelRun(root, freshRunName(root, 'ring'), 'ring', 'file:///w/ring.genlab.json', a.spec);
    assert.equal(run.exists, false, 'nothing is written before it is used');
    assert.equal(run.saveCheckpoint(clone(wire)), 4);
    assert.equal(run.saveCheckpoint(clone(wire)), 4);
    assert.deepEqual(readdirSync(run.dir).sort(), ['checkpoint', 'checkpoint-previous', 'model.genlab.json', 'run.json']);
    assert.deepEqual(readRunOrigin(run.dir), { source: 'file:///w/ring.genlab.json' });
    const other = resolveModelFile({ family: 'vae', latentDim: 3, training: { batchSize: 64 } }, shapeOfData(toyDataset('ring')));
    const strange = new PanelRun(root, 'other-run', 'ring', 'builtin', other);
    assert.throws(() => strange.saveCheckpoint(wire), /different model spec/);
    assert.throws(() => new PanelRun(root, '../escape', 'ring', 'builtin'), /not a run folder name/);
    assert.equal(existsSync(join(root, 'other-run', 'checkpoint')), false);
  });

  it('starts a new folder for a new model once the old one holds a run', () => {
    const run = new PanelRun(root, 'ring-1', 'ring', 'builtin', a.spec);
    run.started(a.spec);
    assert.equal(run.name, 'ring-1', 'an unused folder is kept');
    run.metrics([{ step: 1, epoch: 0, values: { loss: 1 } }], []);
    run.started(a.spec);
    assert.notEqual(run.name, 'ring-1');
    assert.match(run.name, /^ring-\d{8}-\d{6}(-\d+)?$/);
    run.dispose();
  });

  it('goes on from its checkpoint after a reload: same weights, same next losses, metrics cut at the checkpoint', async () => {
    const run = new PanelRun(root, 'ring-2', 'ring', 'builtin', a.spec);
    run.metrics(a.rows.slice(0, 4), [{ step: 4, epoch: 0.1, heldout: { loss: 9 } }]);
    run.saveCheckpoint(clone(wire));
    // Training went on past the checkpoint before the reload: rows 5–6 are not in the checkpoint.
    run.metrics([{ step: 5, epoch: 0.2, values: { loss: 1 } }, { step: 6, epoch: 0.2, values: { loss: 1 } }], []);
    run.dispose();

    const back = new PanelRun(root, 'ring-2', 'ring', 'builtin');
    const spec = back.savedSpec();
    assert.ok(spec, 'the run folder has the model as trained');
    const resume = back.resumeData(spec);
    assert.ok(resume);
    assert.deepEqual(resume.steps.map((r) => r.step), [1, 2, 3, 4]);
    assert.deepEqual(resume.epochs.map((r) => r.step), [4]);
    const arrived = parseHostMessage(clone({ type: 'init', title: 't', wasmBase: 'x/', strings: {}, disabledBackends: [], autostart: true, checkpointEverySeconds: 60, panelState: { source: 'builtin', run: 'ring-2', running: true }, hyperparameters: { latentDim: 2, hiddenUnits: 8, batchSize: 4, learningRate: 0.001, beta: 1 }, dataset: toyDataset('ring'), spec, resume }));
    assert.ok(arrived && arrived.type === 'init' && arrived.resume, 'the init message with the resume passes the webview check');

    // Straight on: 4 more steps of the original run; resumed: restore into a fresh model, 4 steps.
    await a.run(4);
    const b = start();
    await restoreCheckpoint(b.model, b.trainer, fromWire(arrived.resume.checkpoint), b.hash);
    await b.run(4);
    assert.deepEqual(b.rows.map((r) => r.values), a.rows.slice(4, 8).map((r) => r.values));
    b.stop();

    back.metrics([{ step: 5, epoch: 0.2, values: { loss: 2 } }], []);
    back.dispose();
    const lines = readFileSync(join(root, 'ring-2', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; loss?: number });
    assert.deepEqual(lines.map((l) => l.step), [1, 2, 3, 4, 4, 5], 'rows after the checkpoint were cut; the resumed row follows');
    assert.equal(lines[lines.length - 1].loss, 2);
  });

  it('refuses to resume a run whose checkpoint was saved from another model file', () => {
    const run = new PanelRun(root, 'ring-3', 'ring', 'builtin', a.spec);
    run.saveCheckpoint(wire);
    const edited = { ...a.spec, training: { ...a.spec.training, batchSize: 32 } };
    assert.throws(() => new PanelRun(root, 'ring-3', 'ring', 'builtin').resumeData(edited), /different model file/);
    assert.equal(new PanelRun(root, 'empty', 'ring', 'builtin').resumeData(a.spec), undefined, 'no folder, nothing to resume');
  });

  it('thins a long history evenly and keeps its last row', () => {
    const file = join(root, 'metrics.jsonl');
    writeFileSync(file, Array.from({ length: 1000 }, (_, i) => JSON.stringify({ step: i + 1, epoch: 0, loss: i })).join('\n') + '\n{"step": 5, "metrics": {"js": 1}}\n{"step":');
    const h = readMetricsHistory(file, 900, 100);
    assert.ok(h.steps.length <= 101 && h.steps.length >= 90, String(h.steps.length));
    assert.equal(h.steps[h.steps.length - 1].step, 900);
    assert.equal(h.steps[0].values.loss, 0);
  });
});
