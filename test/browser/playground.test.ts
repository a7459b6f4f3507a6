import { strict as assert } from 'node:assert';
import type { Page } from 'playwright-core';
import { closeAfterTest, openPlayground, waitForSteps, type PlaygroundPage } from './harness';
import { resolveModelFile, BUNDLED_SHAPES } from '../../src/core/modelfile/defaults';

const stat = (page: Page) => page.evaluate(() => ({ ...(document.getElementById('stats') as HTMLElement).dataset }));
const negElbo = (page: Page) => page.evaluate(() => Number((document.getElementById('formula') as HTMLElement).dataset.value));
const blank = (page: Page, id: string) => page.evaluate((canvasId) => {
  const c = document.getElementById(canvasId) as HTMLCanvasElement;
  const d = (c.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, c.width, c.height).data;
  for (let i = 4; i < d.length; i++) if (d[i] !== d[i % 4]) return false;
  return true;
}, id);
const click = (page: Page, id: string) => page.click(`#${id}`);
/** A small convolutional VAE, as a model file would give it. */
const convSpec = () => resolveModelFile({
  family: 'vae', name: 'conv', latentDim: 4, training: { batchSize: 32 },
  networks: {
    encoder: [
      { type: 'conv2d', filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
      { type: 'conv2d', filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
      { type: 'flatten' }, { type: 'dense', units: 8 },
    ],
    decoder: [
      { type: 'dense', units: 7 * 7 * 16, activation: 'relu' }, { type: 'reshape', targetShape: [7, 7, 16] },
      { type: 'conv2dTranspose', filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
      { type: 'conv2dTranspose', filters: 1, kernelSize: 3, strides: 2, padding: 'same' },
    ],
  },
}, BUNDLED_SHAPES.mnist);


describe('playground in Chromium', () => {
  let p: PlaygroundPage | undefined;
  afterEach(async function () {
    await closeAfterTest(p, this.currentTest);
    p = undefined;
  });

  it('trains on WebGL: the loss falls, samples are drawn, no CSP violation, no long task once warm', async () => {
    p = await openPlayground();
    const first = await waitForSteps(p.page, 5, 120000);
    assert.equal(first.backend, 'webgl');
    // Warm: one epoch (70 steps of 128) is done, so every shader, including evaluation's, is compiled.
    await p.page.waitForFunction(() => Number(document.getElementById('stats')?.dataset.epoch) >= 1.05, null, { timeout: 180000, polling: 500 });
    const warmAt = await p.page.evaluate(() => performance.now());
    const warm = await stat(p.page);
    const warmStep = Number(warm.step);
    await waitForSteps(p.page, warmStep + 25, 120000);
    await p.page.waitForFunction((s) => Number(document.getElementById('stats')?.dataset.step) > s, warmStep + 25, { timeout: 60000 });
    const end = await stat(p.page);
    assert.equal(end.tensors, warm.tensors, `tf.memory().numTensors went from ${warm.tensors} at step ${warmStep} to ${end.tensors} at step ${end.step}`);
    // The first steps' −ELBO as the panel reported them to the host (read from the page they may be long gone: a warm WebGL step is fast).
    const rows = (await p.toHost()).filter((m) => m.type === 'metrics').flatMap((m) => m.steps as Array<{ step: number; values: Record<string, number> }>);
    const firstRows = rows.filter((r) => r.step <= 5);
    assert.equal(firstRows.length, 5, `metrics of steps 1–5 sent to the host: ${firstRows.map((r) => r.step)}`);
    const early = firstRows.reduce((sum, r) => sum + r.values.loss, 0) / firstRows.length;
    const late = await negElbo(p.page);
    console.log(`      −ELBO ${early.toFixed(1)} (steps 1–5) → ${late.toFixed(1)}; step ${(await stat(p.page)).step}`);
    assert.ok(late < 0.7 * early, `−ELBO did not fall enough: ${early} → ${late}`);
    assert.equal(await blank(p.page, 'view-samples'), false, 'the sample grid is blank');
    assert.equal(await blank(p.page, 'view-reconstructions'), false, 'the reconstructions are blank');
    assert.deepEqual(await p.cspViolations(), []);
    const longTasks = await p.page.evaluate((t) => (window as unknown as { __longTasks: Array<{ start: number; duration: number }> }).__longTasks.filter((x) => x.start > t), warmAt);
    console.log(`      long tasks once warm: ${JSON.stringify(longTasks.map((x) => Math.round(x.duration)))}`);
    assert.ok(longTasks.every((x) => x.duration <= 100), `main-thread tasks over 100 ms once warm: ${JSON.stringify(longTasks)}`);
    await p.page.screenshot({ path: 'test-results/browser-webgl.png', fullPage: true });
  });

  it('puts wasm first when WebGL is drawn in software (SwiftShader here), and says why', async () => {
    p = await openPlayground({ disabledBackends: [], hyperparameters: { batchSize: 32 } });
    const s = await waitForSteps(p.page, 10, 120000);
    assert.equal(s.backend, 'wasm');
    const notice = await p.page.evaluate(() => { const n = document.getElementById('backend-notice') as HTMLElement; return n.hidden ? '' : n.textContent; });
    assert.match(notice ?? '', /WebGL is drawn in software here \(SwiftShader, no GPU\).*genlab\.disabledBackends/);
    const msgs = await p.toHost();
    assert.ok(msgs.some((m) => m.type === 'backendFallback' && m.backend === 'wasm' && /SwiftShader/.test(String(m.reason))), 'the host was not told why');
  });

  it('falls back to wasm when WebGL is missing, and says so plainly', async () => {
    p = await openPlayground({ noWebGL: true, hyperparameters: { batchSize: 32 } });
    const s = await waitForSteps(p.page, 10, 120000);
    assert.equal(s.backend, 'wasm');
    const notice = await p.page.evaluate(() => { const n = document.getElementById('backend-notice') as HTMLElement; return n.hidden ? '' : n.textContent; });
    assert.match(notice ?? '', /WebGL is not available here .*wasm/);
    const msgs = await p.toHost();
    assert.ok(msgs.some((m) => m.type === 'backendFallback' && m.backend === 'wasm'), 'the host was not told about the fallback');
    assert.deepEqual(await p.cspViolations(), []);
  });

  it('falls back to cpu when WebGL and wasm are both unavailable', async () => {
    p = await openPlayground({ disabledBackends: ['webgl', 'wasm'], hyperparameters: { batchSize: 16, hiddenUnits: 64 } });
    const s = await waitForSteps(p.page, 3, 120000);
    assert.equal(s.backend, 'cpu');
    assert.match(await p.page.evaluate(() => document.getElementById('backend-notice')?.textContent ?? ''), /cpu/);
  });

  it('pauses, steps once, changes the learning rate live and resets with new hyperparameters', async () => {
    p = await openPlayground({ hyperparameters: { hiddenUnits: 64, batchSize: 32 } });
    await waitForSteps(p.page, 5, 120000);
    assert.equal(await p.page.evaluate(() => (document.getElementById('hp-latent') as HTMLInputElement & { disabled: boolean }).disabled), true, 'hyperparameters must be locked while training');
    await click(p.page, 'btn-start'); // pause
    await p.page.waitForFunction(() => document.getElementById('stats')?.dataset.running === 'false');
    const paused = Number((await stat(p.page)).step);
    await p.page.waitForTimeout(1500);
    assert.equal(Number((await stat(p.page)).step), paused, 'steps went on while paused');
    await click(p.page, 'btn-step');
    await waitForSteps(p.page, paused + 1, 30000);
    await p.page.waitForTimeout(500);
    assert.equal(Number((await stat(p.page)).step), paused + 1);
    // Live learning-rate change: training continues from the same step.
    await p.page.fill('#lr-live input', '0.0005').catch(async () => {
      await p!.page.evaluate(() => { const f = document.getElementById('lr-live') as HTMLElement & { value: string }; f.value = '0.0005'; f.dispatchEvent(new Event('change')); });
    });
    await p.page.press('#lr-live', 'Enter');
    await click(p.page, 'btn-start'); // resume
    const resumed = await waitForSteps(p.page, paused + 6, 60000);
    assert.equal(Number(resumed.learningRate), 0.0005, 'the live learning rate was not applied');
    assert.equal(await p.page.evaluate(() => document.getElementById('message')?.textContent?.includes('Invalid')), false);
    // Reset with a new latent size: step 0, traversal switches from the 2-D manifold to per-dimension rows.
    await click(p.page, 'btn-start'); // pause
    await p.page.waitForFunction(() => document.getElementById('stats')?.dataset.running === 'false');
    await click(p.page, 'btn-reset');
    await p.page.waitForFunction(() => document.getElementById('stats')?.dataset.step === '0');
    await p.page.evaluate(() => { const f = document.getElementById('hp-latent') as HTMLElement & { value: string }; f.value = '4'; });
    await click(p.page, 'btn-reset');
    await p.page.waitForFunction(() => /traversal/i.test(document.querySelector('#view-traversal')?.previousElementSibling?.textContent ?? ''), null, { timeout: 60000 });
    await click(p.page, 'btn-start');
    await waitForSteps(p.page, 3, 60000);
  });

  it('keeps training when requestAnimationFrame never fires (as in a hidden webview)', async () => {
    p = await openPlayground({ noAnimationFrames: true, hyperparameters: { hiddenUnits: 32, batchSize: 16 } });
    const s = await waitForSteps(p.page, 20, 120000);
    assert.equal(s.backend, 'webgl');
  });

  it('trains a model file\'s convolutional VAE on WebGL, with the hyperparameter form hidden', async () => {
    p = await openPlayground({ spec: convSpec() });
    const first = await waitForSteps(p.page, 3, 180000);
    assert.equal(first.backend, 'webgl');
    assert.equal(await p.page.evaluate(() => (document.getElementById('hyperparameters') as HTMLElement).hidden), true);
    const early = await negElbo(p.page);
    await waitForSteps(p.page, 40, 180000);
    await p.page.waitForFunction((e) => Number((document.getElementById('formula') as HTMLElement).dataset.value) < 0.8 * e, early, { timeout: 60000 });
    assert.equal(await blank(p.page, 'view-traversal'), false);
    assert.match(await p.page.evaluate(() => document.querySelector('#view-traversal')?.previousElementSibling?.textContent ?? ''), /traversal/i);
  });

  it('trains the convolutional VAE on the wasm fallback too (the conv gradients wasm lacks are added)', async () => {
    p = await openPlayground({ spec: convSpec(), noWebGL: true });
    const s = await waitForSteps(p.page, 5, 180000);
    assert.equal(s.backend, 'wasm');
    assert.doesNotMatch(await p.page.evaluate(() => document.getElementById('message')?.textContent ?? ''), /error/i);
  });

  it('applies optimizer edits from the host live, and restarts on request', async () => {
    const spec = resolveModelFile({ family: 'vae', training: { batchSize: 16 } }, BUNDLED_SHAPES.mnist);
    p = await openPlayground({ spec });
    const before = Number((await waitForSteps(p.page, 5, 120000)).step);
    await p.page.evaluate((o) => window.postMessage({ type: 'setOptimizer', optimizer: o }, '*'), { type: 'adam', learningRate: 0.0005, beta1: 0.5 });
    await p.page.waitForFunction(() => document.getElementById('stats')?.dataset.learningRate === '0.0005', null, { timeout: 30000 });
    assert.ok(Number((await stat(p.page)).step) >= before, 'a live optimizer change must not reset training');
    await p.page.evaluate((sp) => window.postMessage({ type: 'restart', title: 'GenLab: edited', spec: sp }, '*'), resolveModelFile({ family: 'vae', latentDim: 3, training: { batchSize: 16 } }, BUNDLED_SHAPES.mnist));
    await p.page.waitForFunction(() => /traversal/i.test(document.querySelector('#view-traversal')?.previousElementSibling?.textContent ?? ''), null, { timeout: 60000 });
    await waitForSteps(p.page, 2, 60000);
    assert.equal(await p.page.evaluate(() => document.title), 'GenLab: edited');
  });

  it('survives Pause and Reset pressed at once: the checkpoint being read finishes before the model is freed', async () => {
    p = await openPlayground({ hyperparameters: { hiddenUnits: 32, batchSize: 16 } });
    await waitForSteps(p.page, 3, 120000);
    // Both clicks in one task: Pause's checkpoint read and Reset's dispose race for the model.
    await p.page.evaluate(() => ['btn-start', 'btn-reset'].forEach((id) => (document.getElementById(id) as HTMLElement).click()));
    await p.page.waitForFunction(() => document.getElementById('stats')?.dataset.step === '0', null, { timeout: 30000 });
    await click(p.page, 'btn-start');
    await waitForSteps(p.page, 3, 60000);
    assert.deepEqual(p.pageErrors(), []);
    assert.ok((await p.toHost()).some((m) => m.type === 'checkpoint' && m.reason === 'pause'), 'the pause checkpoint was not sent');
  });

  it('rejects an invalid hyperparameter with a message instead of training', async () => {
    p = await openPlayground({ hyperparameters: { hiddenUnits: 32, batchSize: 16 } });
    await waitForSteps(p.page, 2, 120000);
    await click(p.page, 'btn-start');
    await click(p.page, 'btn-reset');
    await p.page.waitForFunction(() => document.getElementById('stats')?.dataset.step === '0');
    await p.page.evaluate(() => { const f = document.getElementById('hp-batch') as HTMLElement & { value: string }; f.value = 'lots'; });
    await click(p.page, 'btn-reset');
    assert.match(await p.page.evaluate(() => document.getElementById('message')?.textContent ?? ''), /Invalid value for Batch size: lots/);
  });

  it('shows why an edited model file cannot train above the running model, as text, and clears it on restart', async () => {
    p = await openPlayground({ hyperparameters: { hiddenUnits: 32, batchSize: 16 } });
    const before = Number((await waitForSteps(p.page, 2, 120000)).step);
    const problem = 'photos/cats/<b>notes</b>.txt: not a PNG or JPEG image';
    await p.page.evaluate((text) => window.postMessage({ type: 'cannotTrain', title: 'GenLab: x', heading: 'x.genlab.json cannot train yet', problems: [text, 'second'], hint: 'Fix it.' }, '*'), problem);
    await p.page.waitForSelector('#problems[role="alert"]');
    const shown = await p.page.evaluate(() => ({
      heading: document.querySelector('#problems h2')?.textContent,
      items: [...document.querySelectorAll('#problems li')].map((li) => li.textContent),
      bold: document.querySelectorAll('#problems b').length,
    }));
    assert.deepEqual(shown, { heading: 'x.genlab.json cannot train yet', items: [problem, 'second'], bold: 0 }, 'problems are text, never markup');
    await waitForSteps(p.page, before + 3, 60000); // the running model goes on
    await p.page.evaluate((sp) => window.postMessage({ type: 'restart', title: 'GenLab: fixed', spec: sp }, '*'), resolveModelFile({ family: 'vae', latentDim: 3, training: { batchSize: 16 } }, BUNDLED_SHAPES.mnist));
    await p.page.waitForSelector('#problems', { state: 'detached' });
    assert.deepEqual(await p.cspViolations(), []);
  });

  it('pauses when a loss term diverges, names it, and restores the last good checkpoint with a tenth of the learning rate', async () => {
    p = await openPlayground({ spec: resolveModelFile({ family: 'vae', latentDim: 2, optimizer: { type: 'sgd', learningRate: 0.001 }, training: { batchSize: 32 } }, BUNDLED_SHAPES.mnist) });
    await waitForSteps(p.page, 3, 120000);
    await p.page.evaluate(() => window.postMessage({ type: 'setOptimizer', optimizer: { type: 'sgd', learningRate: 1e12 } }, '*'));
    await p.page.waitForSelector('#divergence[role="alert"]', { timeout: 60000 });
    const text = await p.page.evaluate(() => document.getElementById('divergence')?.textContent ?? '');
    assert.match(text, /Training diverged: \w+ became (NaN|Infinity|-Infinity) at step \d+\. Training is paused\./);
    assert.match(text, /Restore step 0 with learning rate 0\.0001$/);
    await p.page.waitForFunction(() => (document.getElementById('stats') as HTMLElement).dataset.running === 'false');
    const stoppedAt = Number((await stat(p.page)).step);
    assert.ok((await p.toHost()).some((m) => m.type === 'error'), 'the host hears of it');
    await click(p.page, 'btn-recover');
    await p.page.waitForSelector('#divergence', { state: 'detached' });
    const s = await waitForSteps(p.page, 5, 60000);
    assert.ok(Math.abs(Number(s.learningRate) - 1e-4) < 1e-12, `learning rate ${s.learningRate}`);
    assert.ok(Number(s.step) >= 5);
    assert.ok(Number.isFinite(await negElbo(p.page)), 'the loss is finite again');
    assert.ok(stoppedAt >= 1);
    assert.deepEqual(await p.cspViolations(), []);
  });

  it('recovers from a lost WebGL context: notices within a second, restarts the backend, restores the last checkpoint and trains on', async function () {
    this.timeout(300000);
    p = await openPlayground({ hyperparameters: { hiddenUnits: 32, batchSize: 16 }, captureWebGL: true });
    await waitForSteps(p.page, 5, 120000);
    await p.page.waitForTimeout(22000); // past the first in-memory checkpoint after step 0 (every 20 s)
    const before = Number((await stat(p.page)).step);
    await p.page.evaluate(() => {
      const gl = (window as unknown as { __gl: WebGL2RenderingContext[] }).__gl.find((c) => !c.isContextLost());
      (window as unknown as { __lostAt: number }).__lostAt = performance.now();
      gl?.getExtension('WEBGL_lose_context')?.loseContext();
    });
    const noticedAfter = await p.page.waitForFunction(() => /GPU context was lost/.test(document.getElementById('backend-notice')?.textContent ?? '') && performance.now() - (window as unknown as { __lostAt: number }).__lostAt, null, { timeout: 10000, polling: 20 });
    const ms = Number(await noticedAfter.jsonValue());
    assert.ok(ms < 1000, `noticed after ${ms.toFixed(0)} ms`);
    await p.page.waitForFunction(() => /went on from step \d+/.test(document.getElementById('backend-notice')?.textContent ?? ''), null, { timeout: 120000 });
    const notice = await p.page.evaluate(() => document.getElementById('backend-notice')?.textContent ?? '');
    const restored = Number(/went on from step (\d+)/.exec(notice)?.[1]);
    console.log(`      context loss at step ${before}: noticed after ${ms.toFixed(0)} ms; ${notice}`);
    assert.ok(restored > 0 && restored <= before, `restored step ${restored}, lost at ${before}: ${notice}`);
    const s = await waitForSteps(p.page, restored + 10, 120000);
    assert.ok(['webgl', 'wasm'].includes(s.backend), s.backend);
    assert.ok(Number.isFinite(await negElbo(p.page)), 'the loss is finite: the weights did not come back as zeros or garbage');
    assert.ok((await p.toHost()).some((m) => m.type === 'backendFallback'), 'the host hears of it');
    assert.deepEqual(await p.cspViolations(), []);
  });

  it('soak: tensor count and bytes stay flat over many steps, views and checkpoints sent to the host (GENLAB_SOAK_STEPS, default 300)', async function () {
    const steps = Number(process.env.GENLAB_SOAK_STEPS ?? 300);
    this.timeout(120000 + steps * 500);
    p = await openPlayground({ hyperparameters: { hiddenUnits: 32, batchSize: 16 }, checkpointEverySeconds: 5 });
    const settled = async (atLeast: number) => {
      await waitForSteps(p!.page, atLeast, 60000 + steps * 400);
      await click(p!.page, 'btn-start'); // pause: no step or view in flight
      await p!.page.waitForFunction(() => (document.getElementById('stats') as HTMLElement).dataset.running === 'false');
      const s = await stat(p!.page);
      await click(p!.page, 'btn-start');
      return { step: Number(s.step), tensors: Number(s.tensors), bytes: Number(s.bytes) };
    };
    const warm = await settled(50);
    const late = await settled(warm.step + steps);
    console.log(`      soak: step ${warm.step} → ${late.step}: tensors ${warm.tensors} → ${late.tensors}, bytes ${warm.bytes} → ${late.bytes}`);
    assert.deepEqual([late.tensors, late.bytes], [warm.tensors, warm.bytes]);
  });

  it('"Save PNG" on a view sends the host that view as a PNG of the canvas, with the step', async () => {
    p = await openPlayground({ hyperparameters: { hiddenUnits: 32, batchSize: 16 } });
    await waitForSteps(p.page, 3, 120000);
    await p.page.waitForSelector('#export-samples');
    const size = await p.page.evaluate(() => { const c = document.getElementById('view-samples') as HTMLCanvasElement; return [c.width, c.height]; });
    await click(p.page, 'export-samples');
    const msg = await p.page.waitForFunction(() => (window as unknown as { __toHost: Array<{ type: string }> }).__toHost.find((m) => m.type === 'exportPng'));
    const { view, step, png } = (await msg.jsonValue()) as unknown as { view: string; step: number; png: string };
    assert.equal(view, 'samples');
    assert.ok(step >= 3);
    const bytes = Buffer.from(png, 'base64');
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.deepEqual([bytes.readUInt32BE(16), bytes.readUInt32BE(20)], size, 'the PNG is the canvas, pixel for pixel in size');
  });

  it('ignores a malformed host message and reports it', async () => {
    p = await openPlayground({ hyperparameters: { hiddenUnits: 32, batchSize: 16 } });
    await waitForSteps(p.page, 1, 120000);
    await p.page.evaluate(() => window.postMessage({ type: 'init', dataset: 'nope' }, '*'));
    await p.page.waitForFunction(() => (window as unknown as { __toHost: Array<{ type: string }> }).__toHost.some((m) => m.type === 'error'));
    const s = await waitForSteps(p.page, 3, 60000);
    assert.equal(s.backend, 'webgl');
  });
});
