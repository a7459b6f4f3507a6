// Float precision on WebGL (issue 7; tfjs issue #6980: tfjs 4.22's floatPrecision() says 16 on
// float32 GPUs). The playground trains once as SwiftShader is (float32 renders) and once as a
// 16-bit GPU (EXT_color_buffer_float hidden, half floats left, as on GPUs without float32 render
// targets). Each run must store tensors at the precision GenLab's probe found, report that
// precision and its ε from tf itself, and train with finite, falling losses.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { openPlayground, waitForSteps, type PageOptions, type PlaygroundPage } from './harness';
import { toyDataset } from '../../src/core/data/toy';
import { shapeOfData, textOf, textSetFromString } from '../../src/core/data/dataset';
import { resolveModelFile } from '../../src/core/modelfile/defaults';
import { loadBundledText } from '../../src/node/bundledText';

/** Hides float32 color buffers the way a GPU without them does: the extensions are absent. */
const FORCE_F16 = `
  for (const C of [WebGLRenderingContext, WebGL2RenderingContext]) {
    const hidden = (name) => /^(EXT|WEBGL)_color_buffer_float$/.test(String(name));
    const get = C.prototype.getExtension;
    C.prototype.getExtension = function (name) { return hidden(name) ? null : get.call(this, name); };
    const list = C.prototype.getSupportedExtensions;
    C.prototype.getSupportedExtensions = function () { return (list.call(this) || []).filter((n) => !hidden(n)); };
  }`;

/**
 * Counts the internal formats of the textures tfjs renders into: texStorage2D notes each texture's
 * format, framebufferTexture2D counts it when a program's output is attached. (Upload textures
 * are RGBA32F on every device, since they are only sampled; they are never attached.)
 */
const RECORD_RENDER_TARGETS = `
  window.__renderFormats = {};
  {
  const formats = new WeakMap();
  const P = WebGL2RenderingContext.prototype;
  const store = P.texStorage2D, attach = P.framebufferTexture2D;
  P.texStorage2D = function (target, levels, format, w, h) {
    formats.set(this.getParameter(this.TEXTURE_BINDING_2D), format);
    return store.call(this, target, levels, format, w, h);
  };
  P.framebufferTexture2D = function (target, attachment, textarget, texture, level) {
    const f = texture && formats.get(texture);
    if (f) window.__renderFormats[f] = (window.__renderFormats[f] || 0) + 1;
    return attach.call(this, target, attachment, textarget, texture, level);
  };
  }`;

// WebGL 2.0 internal formats (GLES 3.0 §3.8.3, table 3.13).
const R32F = 0x822e, RGBA32F = 0x8814, R16F = 0x822d, RGBA16F = 0x881a;

interface Run {
  /** GenLab's console line: the precision chosen and tf's floatPrecision() and epsilon(). */
  line: string;
  /** Render-target attachments tfjs made of 32-bit and of 16-bit float textures. */
  textures: { f32: number; f16: number };
  /** Every loss row the webview sent the host (metrics messages), in step order. */
  rows: Array<{ step: number; values: Record<string, number> }>;
  seconds: number;
}

/** Step rows from the metrics messages the webview posted to the stand-in host. */
async function stepRows(p: PlaygroundPage): Promise<Run['rows']> {
  const msgs = await p.toHost();
  return msgs.filter((m) => m.type === 'metrics').flatMap((m) => m.steps as Run['rows']).sort((a, b) => a.step - b.step);
}

/** Opens the playground with `opts`, reloads it with the init scripts in place, and trains until a loss row at `steps` or later. */
async function train(opts: PageOptions, force16: boolean, steps: number, hold: (p: PlaygroundPage) => void): Promise<Run> {
  const started = Date.now();
  const p = await openPlayground(opts);
  hold(p);
  const lines: string[] = [];
  p.page.on('console', (m) => { if (m.text().startsWith('GenLab: WebGL')) lines.push(m.text()); });
  // The harness has already loaded the page; init scripts apply from the next load on.
  await p.page.addInitScript(RECORD_RENDER_TARGETS);
  if (force16) await p.page.addInitScript(FORCE_F16);
  await p.page.reload();
  await waitForSteps(p.page, steps, 300000);
  let rows: Run['rows'] = [];
  for (const deadline = Date.now() + 60000; Date.now() < deadline; await p.page.waitForTimeout(500)) {
    rows = await stepRows(p);
    if (rows.length && rows[rows.length - 1].step >= steps) break;
  }
  const formats = await p.page.evaluate(() => (window as unknown as { __renderFormats: Record<number, number> }).__renderFormats);
  const count = (...f: number[]) => f.reduce((n, k) => n + (formats[k] ?? 0), 0);
  const stats = await p.page.evaluate(() => ({ ...(document.getElementById('stats') as HTMLElement).dataset }));
  assert.equal(stats.backend, 'webgl');
  assert.equal(stats.precision, force16 ? '16' : '32', 'the panel shows the precision it trains at');
  const notice = await p.page.locator('#backend-notice').innerText();
  assert.equal(/16-bit floats/.test(notice), force16, `the notice says so only on a 16-bit device: ${JSON.stringify(notice)}`);
  const errors = (await p.toHost()).filter((m) => m.type === 'error');
  assert.deepEqual(errors, [], 'no divergence and no error');
  assert.ok(lines.length > 0, 'GenLab logs the precision it chose');
  assert.ok(rows.length >= 4 && rows[rows.length - 1].step >= steps, `loss rows up to step ${steps}: ${JSON.stringify(rows.map((r) => r.step))}`);
  const line = lines[lines.length - 1]; // the reloaded page's: the first load may have logged too
  return { line, textures: { f32: count(R32F, RGBA32F), f16: count(R16F, RGBA16F) }, rows, seconds: (Date.now() - started) / 1000 };
}

/** Every value of every row is finite; returns the `term` curve as "step:value" text for the log. */
function expectFinite(run: Run, term: string): string {
  const bad = run.rows.flatMap((r) => Object.entries(r.values).filter(([, v]) => !Number.isFinite(v)).map(([k, v]) => `${k}=${v} at step ${r.step}`));
  assert.deepEqual(bad, [], 'every loss term stays finite');
  return run.rows.map((r) => `${r.step}:${r.values[term].toFixed(r.values[term] > 10 ? 1 : 3)}`).join(' ');
}

/** Mean of `term` over the first and the last `k` rows. */
function ends(run: Run, term: string, k = 2): [number, number] {
  const mean = (rs: Run['rows']) => rs.reduce((a, r) => a + r.values[term], 0) / rs.length;
  return [mean(run.rows.slice(0, k)), mean(run.rows.slice(-k))];
}

/** The console line names `bits` with tf's own floatPrecision() and epsilon(), and tfjs rendered only into `bits`-bit textures. */
function expectPrecision(run: Run, bits: 16 | 32): void {
  const epsilon = bits === 32 ? '1e-7' : '0.0001';
  assert.match(run.line, new RegExp(`trains with ${bits}-bit float textures .*; tf floatPrecision\\(\\) ${bits}, epsilon\\(\\) ${epsilon}$`));
  const [mine, other] = bits === 32 ? [run.textures.f32, run.textures.f16] : [run.textures.f16, run.textures.f32];
  assert.ok(mine > 0 && other === 0, `tfjs rendered into float textures ${JSON.stringify(run.textures)}, not only ${bits}-bit ones`);
}

const ROOT = join(__dirname, '..', '..');

describe('float precision on WebGL (tfjs #6980)', () => {
  let p: PlaygroundPage | undefined;
  const hold = (page: PlaygroundPage) => { p = page; };
  afterEach(async function () {
    if (p && this.currentTest?.state === 'failed') {
      await p.page.screenshot({ path: `test-results/browser-precision-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 60)}.png`, fullPage: true }).catch(() => {});
    }
    await p?.close();
    p = undefined;
  });

  for (const force16 of [false, true]) {
    const bits = force16 ? 16 : 32;
    it(`${force16 ? 'float16 forced' : 'float32 GPU'}: the VAE trains at ${bits} bits, tf reports ${bits} and its ε, the loss is finite and falls`, async () => {
      const run = await train({ hyperparameters: { hiddenUnits: 128, batchSize: 64 } }, force16, 40, hold);
      const curve = expectFinite(run, 'negElbo');
      console.log(`      ${run.line}\n      render targets ${JSON.stringify(run.textures)}; −ELBO ${curve}; ${run.seconds.toFixed(0)} s`);
      expectPrecision(run, bits);
      const [early, late] = ends(run, 'negElbo');
      assert.ok(late < 0.8 * early, `−ELBO did not fall: ${early} → ${late}`);
    });
  }

  it('float16 forced: a GAN on the ring trains with finite losses', async () => {
    const dataset = toyDataset('ring');
    const spec = resolveModelFile({ family: 'gan', data: 'ring', training: { batchSize: 64 } }, shapeOfData(dataset));
    const run = await train({ spec, dataset }, true, 60, hold);
    const terms = Object.keys(run.rows[0].values);
    const curves = terms.map((t) => `${t} ${expectFinite(run, t)}`).join('\n      ');
    console.log(`      ${run.line}\n      render targets ${JSON.stringify(run.textures)}; ${run.seconds.toFixed(0)} s\n      ${curves}`);
    expectPrecision(run, 16);
  });

  it('float16 forced: the character-level transformer trains with finite losses (its causal mask fits in float16)', async () => {
    const dataset = textSetFromString('shakespeare', textOf(loadBundledText(ROOT), 0, 50000));
    const spec = resolveModelFile({ family: 'autoregressive', data: 'shakespeare', transformer: { layers: 1, heads: 2, embedding: 32, context: 32 }, training: { batchSize: 16 } }, shapeOfData(dataset));
    const run = await train({ spec, dataset }, true, 20, hold);
    console.log(`      ${run.line}\n      loss ${expectFinite(run, 'loss')}; ${run.seconds.toFixed(0)} s`);
    expectPrecision(run, 16);
  });
});
