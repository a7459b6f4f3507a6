import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { intOption, parseArgs, UsageError } from '../../src/cli/args';
import { lineColumn } from '../../src/cli/check';
import { conv2dFilterGradient } from '../../src/core/kernels/conv';
import { completeKernels } from '../../src/core/kernels/complete';
import { Progress } from '../../src/cli/progress';
import { splitData } from '../../src/core/data/dataset';
import { bernoulliNllFromLogits } from '../../src/core/losses';
import { checkModelText } from '../../src/core/modelfile/check';
import { loadBundledMnist } from '../../src/node/bundledData';
import { decodePng } from '../../src/node/png';
import { loadLayersModelFromDir } from '../../src/node/saveModel';
import { validateModelSchema } from '../../src/node/schema';
import { testBackend } from './setup';

const root = join(__dirname, '..', '..');
const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.genlab.json')).map((f) => `examples/${f}`);

interface Run { code: number | null; stdout: string; stderr: string }

/** Runs the CLI from source (through tsx) as a child process, from the repository root. */
function genlab(args: string[], options: { script?: string; cwd?: string; interruptAfter?: RegExp } = {}): Promise<Run> {
  const script = options.script ?? 'src/cli/main.ts';
  const argv = script.endsWith('.ts') ? ['--require', 'tsx/cjs', script, ...args] : [script, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: options.cwd ?? root, env: { ...process.env, GENLAB_DEBUG: '' } });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (options.interruptAfter?.test(stderr)) {
        options.interruptAfter = undefined;
        setTimeout(() => child.kill('SIGINT'), 1500);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const lines = (s: string) => s.split('\n').filter((l) => l.trim());
const noStack = (r: Run) => assert.ok(!/^\s+at /m.test(r.stdout + r.stderr), `stack trace printed:\n${r.stderr}`);

describe('genlab CLI', () => {
  let tmp: string;
  before(async () => {
    await testBackend();
    tmp = mkdtempSync(join(tmpdir(), 'genlab-cli-'));
    // A small VAE (64 hidden units, batches of 32) that trains in seconds.
    writeFileSync(join(tmp, 'tiny.genlab.json'), JSON.stringify({
      family: 'vae', name: 'tiny',
      networks: { encoder: [{ type: 'dense', units: 64, activation: 'relu' }, { type: 'dense', units: 4 }], decoder: [{ type: 'dense', units: 64, activation: 'relu' }, { type: 'dense', units: 784 }] },
      optimizer: { learningRate: 0.003 }, training: { batchSize: 32 },
    }));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('parses options and reports mistakes as usage errors', () => {
    assert.deepEqual(parseArgs(['a.json', '--steps', '30', '--out=x y'], { steps: 'value', out: 'value' }), { positional: ['a.json'], options: { steps: '30', out: 'x y' } });
    assert.throws(() => parseArgs(['--stepz', '3'], { steps: 'value' }), UsageError);
    assert.throws(() => parseArgs(['--steps'], { steps: 'value' }), /needs a value/);
    assert.throws(() => intOption({ steps: '3.5' }, 'steps', 1), /whole number/);
    assert.throws(() => intOption({ steps: '0' }, 'steps', 1), /≥ 1/);
    assert.equal(intOption({}, 'steps', 1), undefined);
  });

  it('turns offsets into 1-based lines and columns', () => {
    const text = 'ab\ncdé\n\nx';
    assert.deepEqual(lineColumn(text, 0), { line: 1, column: 1 });
    assert.deepEqual(lineColumn(text, 4), { line: 2, column: 2 });
    assert.deepEqual(lineColumn(text, 6), { line: 2, column: 4 });
    assert.deepEqual(lineColumn(text, 7), { line: 3, column: 1 });
    assert.deepEqual(lineColumn(text, 8), { line: 4, column: 1 });
    assert.deepEqual(lineColumn(text, 99), { line: 4, column: 2 });
  });

  it('draws a progress bar on a terminal and plain lines otherwise', () => {
    let tty = '';
    const bar = new Progress(100, 32, { isTTY: true, columns: 100, write: (s: string) => (tty += s) });
    bar.update(30, 181.234);
    assert.match(tty, /^\r\x1b\[K\[#+-+\] 30\/100 · loss 181\.23 · \d+ samples\/s · ETA /);
    let plain = '';
    const log = new Progress(100, 32, { write: (s: string) => (plain += s) });
    for (let s = 1; s <= 100; s++) log.update(s, 200 - s);
    assert.equal(lines(plain).length, 10);
    assert.ok(!plain.includes('\r'));
    assert.match(lines(plain)[9], /^step 100\/100 · loss 100\.00 · \d+ samples\/s/);
  });

  it('the fast conv2d filter gradient satisfies ⟨dW, F⟩ = ⟨dy, conv2d(x, F)⟩ for strides, paddings and layouts', async () => {
    for (const [strides, pad, dataFormat] of [[1, 'same', 'NHWC'], [2, 'same', 'NHWC'], [2, 'valid', 'NHWC'], [1, 'valid', 'NCHW']] as const) {
      const [n, h, w, ci, co, k] = [2, 7, 6, 3, 4, 3];
      const x = tf.randomNormal(dataFormat === 'NHWC' ? [n, h, w, ci] : [n, ci, h, w], 0, 1, 'float32', 1) as tf.Tensor4D;
      const f = tf.randomNormal([k, k, ci, co], 0, 1, 'float32', 2) as tf.Tensor4D;
      // wasm's conv2d takes NHWC only: run NCHW through transposes.
      const y = dataFormat === 'NHWC' ? tf.conv2d(x, f, strides, pad) : tf.transpose(tf.conv2d(tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D, f, strides, pad), [0, 3, 1, 2]);
      const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 3);
      const dW = conv2dFilterGradient(await x.data() as Float32Array, x.shape, await dy.data() as Float32Array, { strides, pad, dataFormat, filterShape: [k, k, ci, co] });
      const fv = await f.data();
      const lhs = dW.reduce((s: number, v: number, i: number) => s + v * fv[i], 0);
      const rhs = (await tf.sum(tf.mul(dy, y)).data())[0];
      assert.ok(Math.abs(lhs - rhs) < 1e-3 * Math.max(1, Math.abs(rhs)), `${strides} ${pad} ${dataFormat}: ${lhs} vs ${rhs}`);
      tf.dispose([x, f, y, dy]);
    }
  });

  it('the conv2d input gradient (and conv2dTranspose) on wasm satisfies ⟨dX, X′⟩ = ⟨dy, conv2d(X′, W)⟩', async () => {
    completeKernels('wasm');
    for (const [strides, pad, h] of [[1, 'same', 7], [2, 'same', 8], [2, 'valid', 9], [2, 'same', 7]] as const) {
      const [n, ci, co, k] = [3, 2, 5, 3];
      const w = tf.randomNormal([k, k, ci, co], 0, 1, 'float32', 6) as tf.Tensor4D;
      const probe = tf.randomNormal([n, h, h, ci], 0, 1, 'float32', 7) as tf.Tensor4D;
      const y = tf.conv2d(probe, w, strides, pad);
      const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 8) as tf.Tensor4D;
      const dX = tf.conv2dTranspose(dy, w, [n, h, h, ci], strides, pad); // runs Conv2DBackpropInput
      const lhs = (await tf.sum(tf.mul(dX, probe)).data())[0];
      const rhs = (await tf.sum(tf.mul(dy, y)).data())[0];
      assert.ok(Math.abs(lhs - rhs) < 1e-3 * Math.max(1, Math.abs(rhs)), `${strides} ${pad} ${h}: ${lhs} vs ${rhs}`);
      tf.dispose([w, probe, y, dy, dX]);
    }
    assert.ok((tf.getKernel('Conv2DBackpropInput', 'wasm') as unknown as { genlab?: boolean }).genlab);
  });

  it('lends wasm the gradient kernels it lacks (gather, depthwise conv), freeing what it borrows', async () => {
    completeKernels('wasm');
    const x = tf.tensor1d([1, 2, 3, 4]);
    const idx = tf.tensor1d([0, 1, 0, 1], 'int32');
    assert.deepEqual([...await tf.unsortedSegmentSum(x, idx, 2).data()], [4, 6]);
    const table = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const before = tf.memory().numTensors;
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, tf.tensor1d([2, 0, 2], 'int32'))))(table);
    assert.deepEqual(await g.array(), [[1, 1], [0, 0], [2, 2]]);
    g.dispose();
    assert.equal(tf.memory().numTensors, before);
    const img = tf.randomNormal([1, 5, 5, 2], 0, 1, 'float32', 4) as tf.Tensor4D;
    const filter = tf.randomNormal([3, 3, 2, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    const dF = tf.grad((f: tf.Tensor) => tf.sum(tf.depthwiseConv2d(img, f as tf.Tensor4D, 1, 'same')))(filter);
    assert.deepEqual(dF.shape, [3, 3, 2, 1]);
    assert.ok((await dF.data()).every(Number.isFinite));
    tf.dispose([x, idx, table, img, filter, dF]);
  });

  it('genlab check passes every example (exit 0, nothing on stdout, a summary on stderr)', async () => {
    const r = await genlab(['check', ...examples]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`^genlab check: ${examples.length} files checked, 0 errors, 0 warnings\\n$`));
  });

  it('genlab check prints file:line:col: severity: message and exits 1 on an error', async () => {
    const text = '{\n  // latent 3 needs 6 encoder outputs\n  "family": "vae",\n  "latentDim": 3,\n  "networks": {\n    "encoder": [{ "type": "dense", "units": 6 }],\n    "decoder": [{ "type": "dense", "units": 700 }]\n  }\n}\n';
    const file = join(tmp, 'broken.genlab.json');
    writeFileSync(file, text);
    const r = await genlab(['check', file]);
    assert.equal(r.code, 1);
    const out = lines(r.stdout);
    assert.equal(out.length, 1, r.stdout);
    const at = text.indexOf('{ "type": "dense", "units": 700 }');
    const col = at - text.lastIndexOf('\n', at);
    assert.ok(out[0].startsWith(`${file}:7:${col}: error: the decoder outputs [700]`), out[0]);
    assert.match(r.stderr, /1 file checked, 1 error, 0 warnings/);
    noStack(r);
  });

  it('genlab check exits 0 on warnings alone, 1 on syntax errors and on missing files', async () => {
    const warn = join(tmp, 'warn.genlab.json');
    writeFileSync(warn, '{ "family": "vae", "views": ["samples", "nope"] }');
    const w = await genlab(['check', warn]);
    assert.equal(w.code, 0);
    assert.match(w.stdout, new RegExp(`^${warn.replace(/[.\\]/g, '\\$&')}:1:\\d+: warning: `));
    const bad = join(tmp, 'syntax.genlab.json');
    writeFileSync(bad, '{\n  "family": "vae",,\n}');
    const s = await genlab(['check', bad, join(tmp, 'missing.genlab.json')]);
    assert.equal(s.code, 1);
    assert.match(s.stdout, /syntax\.genlab\.json:2:\d+: error: /);
    assert.match(s.stderr, /missing\.genlab\.json: no such file/);
  });

  it('prints help and the version', async () => {
    const h = await genlab(['--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /genlab check FILE…/);
    assert.match(h.stdout, /--backend wasm\|cpu/);
    const v = await genlab(['--version']);
    assert.equal(v.code, 0);
    assert.match(v.stdout, /^genlab \d+\.\d+\.\d+ \(TensorFlow\.js 4\.\d+\.\d+, Node v\d+/);
  });

  it('bad input fails with one line on stderr and no stack trace', async () => {
    const notIdx = join(tmp, 'not-idx.gz');
    writeFileSync(notIdx, 'these are not images');
    const badData = join(tmp, 'bad-data.genlab.json');
    writeFileSync(badData, JSON.stringify({ family: 'vae', data: { path: 'not-idx.gz' } }));
    const cases: [string[], RegExp][] = [
      [['train', join(tmp, 'nope.genlab.json')], /nope\.genlab\.json: no such file/],
      [['train', 'examples/vae-mnist.genlab.json', '--stepz', '3'], /unknown option --stepz/],
      [['train', 'examples/vae-mnist.genlab.json', '--steps', 'many'], /--steps must be a whole number/],
      [['train', 'examples/vae-mnist.genlab.json', '--backend', 'webgpu'], /--backend must be one of wasm, cpu/],
      [['train', 'examples/vae-mnist.genlab.json', '--steps', '3', '--epochs', '1'], /not both/],
      [['train', badData, '--steps', '1', '--out', join(tmp, 'never')], /cannot read the data: .*not-idx\.gz/],
      [['frobnicate'], /unknown command "frobnicate"/],
      [['train'], /train needs a model file/],
    ];
    for (const [args, message] of cases) {
      const r = await genlab(args);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.equal(lines(r.stderr).length, 1, `${args.join(' ')}:\n${r.stderr}`);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /^genlab: /);
      noStack(r);
    }
  });

  it('genlab check and train read the shape of your own IDX files; train records the data path', async () => {
    const [n, side] = [120, 12];
    const header = Buffer.alloc(16);
    [0x803, n, side, side].forEach((v, i) => header.writeUInt32BE(v, 4 * i));
    const pixels = Buffer.from(Array.from({ length: n * side * side }, (_, i) => ((i * 2654435761) >>> 24) & 0xff));
    mkdirSync(join(tmp, 'data'), { recursive: true });
    writeFileSync(join(tmp, 'data', 'tiny-idx3-ubyte'), Buffer.concat([header, pixels]));
    const layers = (units: number) => [{ type: 'dense', units: 16, activation: 'relu' }, { type: 'dense', units }];
    const fits = join(tmp, 'own.genlab.json');
    writeFileSync(fits, JSON.stringify({ family: 'vae', data: { path: 'data/tiny-idx3-ubyte' }, networks: { encoder: layers(4), decoder: layers(side * side) }, training: { batchSize: 8 } }));
    const ok = await genlab(['train', fits, '--steps', '3', '--out', join(tmp, 'own-run')]);
    assert.equal(ok.code, 0, ok.stderr);
    const trained = readFileSync(join(tmp, 'own-run', 'model.genlab.json'), 'utf8');
    assert.match(trained, /"path": "\.\.\/data\/tiny-idx3-ubyte"/);
    assert.equal(decodePng(readFileSync(join(tmp, 'own-run', 'samples.png'))).width, 8 * 2 * side + 7);
    const misfit = join(tmp, 'misfit.genlab.json');
    writeFileSync(misfit, JSON.stringify({ family: 'vae', data: { path: 'data/tiny-idx3-ubyte' }, networks: { encoder: layers(4), decoder: layers(784) } }, null, 2));
    const bad = await genlab(['train', misfit, '--steps', '3', '--out', join(tmp, 'never')]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /misfit\.genlab\.json:\d+:\d+: error: the decoder outputs \[784\].*144 values/);
    assert.match(lines(bad.stderr).at(-1)!, /^genlab: .*misfit\.genlab\.json has 1 error/);
    const check = await genlab(['check', misfit]); // the same check, before any training
    assert.equal(check.code, 1);
    assert.match(check.stdout, /error: the decoder outputs \[784\]/);
    noStack(bad);
  });

  it('genlab train refuses a model file with errors, printing them', async () => {
    const r = await genlab(['train', join(tmp, 'broken.genlab.json'), '--steps', '1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /broken\.genlab\.json:7:\d+: error: /);
    assert.match(r.stderr, /has 1 error; fix it/);
  });

  describe('genlab train', () => {
    let out: string;
    let run: Run;
    before(async function () {
      this.timeout(120000);
      out = join(tmp, 'run');
      run = await genlab(['train', join(tmp, 'tiny.genlab.json'), '--steps', '60', '--out', out, '--backend', 'wasm', '--seed', '3']);
    });

    it('exits 0, prints the output folder on stdout and progress on stderr, without the tfjs banner', () => {
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout.trim(), out);
      assert.match(run.stderr, /step 60\/60 · loss \d+\.\d+ · \d+ samples\/s/);
      assert.doesNotMatch(run.stderr, /Hi, looks like|tfjs-node/);
      noStack(run);
    });

    it('writes non-blank PNGs of samples, reconstructions, traversal and latent', () => {
      for (const name of ['samples.png', 'reconstructions.png', 'traversal.png', 'latent.png']) {
        const png = decodePng(readFileSync(join(out, name)));
        const px = png.pixels;
        const mean = px.reduce((a, b) => a + b, 0) / px.length;
        const variance = px.reduce((a, b) => a + (b - mean) ** 2, 0) / px.length;
        assert.ok(variance > 100, `${name}: pixel variance ${variance}`);
      }
      const samples = decodePng(readFileSync(join(out, 'samples.png')));
      assert.deepEqual([samples.width, samples.height, samples.channels], [8 * 56 + 7, 8 * 56 + 7, 1]); // 64 samples, 8×8, scaled ×2
    });

    it('writes metrics.jsonl: per-step loss terms that fall, and a held-out row', () => {
      const rows = lines(readFileSync(join(out, 'metrics.jsonl'), 'utf8')).map((l) => JSON.parse(l) as Record<string, unknown>);
      const steps = rows.filter((r) => typeof r.loss === 'number') as { step: number; epoch: number; loss: number; kl: number }[];
      assert.deepEqual(steps.map((r) => r.step), Array.from({ length: 60 }, (_, i) => i + 1));
      assert.ok(steps.every((r) => typeof r.epoch === 'number' && typeof r.kl === 'number'));
      assert.ok(steps[59].loss < 0.7 * steps[0].loss, `loss ${steps[0].loss} → ${steps[59].loss}`);
      const heldout = rows.filter((r) => r.heldout) as { epoch: number; heldout: Record<string, number> }[];
      assert.equal(heldout.length, 1);
      assert.ok(heldout[0].heldout.negElbo > 0 && heldout[0].heldout.negElbo < steps[0].loss);
    });

    it('saves every network in TensorFlow.js format that tf.loadLayersModel reads back', async () => {
      const encoder = await loadLayersModelFromDir(join(out, 'encoder'));
      const decoder = await loadLayersModelFromDir(join(out, 'decoder'));
      assert.deepEqual(encoder.inputs[0].shape, [null, 784]);
      assert.deepEqual(encoder.outputs[0].shape, [null, 4]);
      assert.deepEqual(decoder.inputs[0].shape, [null, 2]);
      assert.deepEqual(decoder.outputs[0].shape, [null, 784]);
      const json = JSON.parse(readFileSync(join(out, 'decoder', 'model.json'), 'utf8')) as { weightsManifest: { paths: string[]; weights: { shape: number[] }[] }[] };
      const floats = json.weightsManifest[0].weights.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
      assert.equal(statSync(join(out, 'decoder', 'weights.bin')).size, 4 * floats);
      // The loaded networks reconstruct held-out digits as well as training said they would.
      const { heldout } = splitData(loadBundledMnist(root), 0.1);
      const x = tf.div(tf.tensor2d(heldout.pixels.subarray(0, 200 * 784), [200, 784], 'float32'), 255) as tf.Tensor2D;
      const mu = tf.slice(encoder.predict(x) as tf.Tensor2D, [0, 0], [200, 2]);
      const logits = decoder.predict(mu) as tf.Tensor2D;
      const recon = (await tf.mean(bernoulliNllFromLogits(logits, x)).data())[0];
      const rows = lines(readFileSync(join(out, 'metrics.jsonl'), 'utf8')).map((l) => JSON.parse(l) as { loss?: number; heldout?: { recon: number } });
      const reported = rows.find((r) => r.heldout)!.heldout!.recon;
      assert.ok(recon < reported + 15 && recon < 0.7 * rows[0].loss!, `reconstruction by the loaded networks ${recon} nats; training reported ${reported}`);
      tf.dispose([x, mu, logits]); encoder.dispose(); decoder.dispose();
    });

    it('writes the model file as trained, which passes the checker', () => {
      const text = readFileSync(join(out, 'model.genlab.json'), 'utf8');
      assert.match(text, /^\/\/ tiny, trained by genlab .* 60 steps of 32/);
      assert.deepEqual(checkModelText(text, { validateSchema: validateModelSchema }), []);
      assert.match(text, /"seed": 3/);
    });
  });

  it('Ctrl-C stops training early and still writes everything, exiting 130', async () => {
    const out = join(tmp, 'interrupted');
    const r = await genlab(['train', join(tmp, 'tiny.genlab.json'), '--steps', '100000', '--out', out], { interruptAfter: /genlab: training/ });
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /stopping after this step/);
    for (const f of ['samples.png', 'metrics.jsonl', 'encoder/model.json', 'decoder/weights.bin', 'model.genlab.json']) assert.ok(existsSync(join(out, f)), f);
    const steps = lines(readFileSync(join(out, 'metrics.jsonl'), 'utf8')).length;
    assert.ok(steps > 1 && steps < 100000, `${steps} rows`);
    noStack(r);
  });

  it('bin/genlab.js says to build when dist/cli.js is missing', async () => {
    const fake = join(tmp, 'pkg');
    mkdirSync(join(fake, 'bin'), { recursive: true });
    copyFileSync(join(root, 'bin', 'genlab.js'), join(fake, 'bin', 'genlab.js'));
    const r = await genlab(['--version'], { script: join(fake, 'bin', 'genlab.js') });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /dist\/cli\.js is missing; run `npm run build` first/);
  });

  it('bin/genlab.js runs the built bundle (npm run test:unit builds it first)', async () => {
    assert.ok(existsSync(join(root, 'dist', 'cli.js')), 'dist/cli.js is missing: run `npm run build`');
    const r = await genlab(['check', ...examples], { script: 'bin/genlab.js' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /0 errors/);
  });
});
