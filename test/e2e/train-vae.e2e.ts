// End-to-end: the packaged extension (dist/genlab.vsix) in a real VS Code
// (code-server 4.100.x = VS Code 1.100) driven by headless Chromium.
//
//   npm run test:e2e                      # installs everything, packages, runs this
//   GENLAB_CODE_SERVER=... npx mocha --config test/e2e/.mocharc.json
//
// Env: GENLAB_CODE_SERVER (code-server launcher; default: the install-code-server.sh cache),
//      GENLAB_VSIX (default dist/genlab.vsix), GENLAB_E2E_STEPS (default 20),
//      GENLAB_E2E_TRAIN_TIMEOUT_MS (default 240000), GENLAB_CHROMIUM (default /usr/bin/chromium),
//      GENLAB_E2E_EXPECT_BACKEND (e.g. webgl: also assert #stats data-backend),
//      GENLAB_E2E_CHROMIUM_ARGS (extra Chromium flags, space-separated),
//      GENLAB_E2E_KEEP=1 keeps the temp dirs (code-server log, user data).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { describeFrames, findWebviewFrame, probeCanvas, readStats, type CanvasProbe, type Stats } from './webview';
import {
  openBrowser,
  runCommand,
  openWorkbench,
  shutDown,
  installExtension,
  makeDirs,
  resolveCodeServer,
  startCodeServer,
  tail,
  type CodeServerDirs,
  type RunningCodeServer,
} from './codeServer';

// test/e2e/ -> repo root (falls back to the cwd should the package ever become ESM).
const REPO = typeof __dirname !== 'undefined' ? path.resolve(__dirname, '..', '..') : process.cwd();
const RESULTS = path.join(REPO, 'test-results');
const SCREENSHOT = path.join(RESULTS, 'e2e-train-vae.png');
const FAILURE_SCREENSHOT = path.join(RESULTS, 'e2e-train-vae-failure.png');
const VSIX = path.resolve(REPO, process.env.GENLAB_VSIX || 'dist/genlab.vsix');
const STEPS = Number(process.env.GENLAB_E2E_STEPS || 20);
const TRAIN_TIMEOUT_MS = Number(process.env.GENLAB_E2E_TRAIN_TIMEOUT_MS || 240_000);
const CHROMIUM = process.env.GENLAB_CHROMIUM || '/usr/bin/chromium';
const EXPECT_BACKEND = process.env.GENLAB_E2E_EXPECT_BACKEND || '';
const COMMAND_TITLE = 'GenLab: Train VAE';
const CHECKPOINT_SECONDS = 5;
const RELOAD_SCREENSHOT = path.join(RESULTS, 'e2e-reload-resumed.png');

// Headless Chromium flags. Playwright itself already adds --no-sandbox (needed as
// root), --enable-unsafe-swiftshader, --disable-background-networking,
// --disable-component-update, --disable-sync and --no-first-run; they are listed
// again so the intent does not depend on Playwright's defaults.
// WebGL: measured with Debian's Chromium 156 + playwright-core 1.65, headless
// Chromium gets WebGL2 in the code-server webview ("ANGLE (Google, Vulkan 1.3.0
// (SwiftShader Device (Subzero)))", tfjs backend "webgl") with no GPU flag at all,
// even with --disable-gpu and without --enable-unsafe-swiftshader. We still pin
// --use-angle=swiftshader (same renderer on machines with a real GPU) and
// --enable-unsafe-swiftshader (Chromium has been phasing out the implicit
// software-WebGL fallback). --ignore-gpu-blocklist changes nothing for
// SwiftShader and is not passed.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => console.log(`      [e2e] ${msg}`);

describe('GenLab e2e (code-server + Chromium)', function () {
  let dirs: CodeServerDirs | undefined;
  let server: RunningCodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let consoleLines: string[] = [];

  before(async function () {
    this.timeout(300_000);
    fs.rmSync(FAILURE_SCREENSHOT, { force: true });
    assert.ok(fs.existsSync(VSIX), `${VSIX} not found: run \`npm run package\` first`);
    assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} not found: run scripts/ensure-system-deps.sh (or set GENLAB_CHROMIUM)`);
    const codeServer = resolveCodeServer();
    log(`code-server: ${codeServer}`);
    dirs = makeDirs({ 'genlab.checkpointIntervalSeconds': CHECKPOINT_SECONDS });
    log(`temp dir: ${dirs.root}`);
    log(`installing ${path.relative(REPO, VSIX)}: ${(await installExtension(codeServer, VSIX, dirs)).split('\n').pop()}`);
    server = await startCodeServer(codeServer, dirs);
    log(`code-server listening on ${server.url}`);
    ({ browser, page, consoleLines } = await openBrowser(CHROMIUM));
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      fs.mkdirSync(RESULTS, { recursive: true });
      await page.screenshot({ path: FAILURE_SCREENSHOT, fullPage: true }).catch(() => undefined);
      log(`failure screenshot: ${path.relative(REPO, FAILURE_SCREENSHOT)}`);
      log(`frames:\n${describeFrames(page)}`);
      if (consoleLines.length) log(`browser console (errors/warnings, last 30):\n${consoleLines.slice(-30).join('\n')}`);
      if (dirs) log(`code-server log (tail):\n${tail(dirs.log)}`);
    }
  });

  after(async function () {
    this.timeout(60_000);
    await shutDown(browser, server, dirs, path.join(RESULTS, 'e2e-code-server.log'));
  });

  /** The playground's run folders in the workspace (.genlab/runs/vae-playground-*). */
  const runFolders = () => {
    const root = path.join(dirs!.workspace, '.genlab', 'runs');
    return fs.existsSync(root) ? fs.readdirSync(root).filter((n) => n.startsWith('vae-playground-')).map((n) => path.join(root, n)) : [];
  };
  const savedStep = (run: string) => (JSON.parse(fs.readFileSync(path.join(run, 'checkpoint', 'state.json'), 'utf8')) as { trainer: { step: number } }).trainer.step;
  /** Waits for the webview frame to show `ok` in #stats, re-finding the frame as it comes and goes. */
  async function waitForStats(what: string, ok: (s: Stats) => boolean, timeoutMs: number): Promise<{ frame: Frame; stats: Stats }> {
    let stats: Stats | undefined, frame: Frame | undefined;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      frame = await findWebviewFrame(page!);
      if (frame) {
        stats = await readStats(frame).catch(() => undefined);
        if (stats && ok(stats)) return { frame, stats };
      }
      await sleep(1000);
    }
    throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; last #stats: ${JSON.stringify(stats)}`);
  }

  it(`"${COMMAND_TITLE}" trains and draws samples in the webview`, async function () {
    this.timeout(TRAIN_TIMEOUT_MS + 300_000);
    assert.ok(page && server && dirs);
    const t0 = Date.now();
    await openWorkbench(page, server, dirs);
    log(`workbench ready after ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    // Command palette -> "GenLab: Train VAE". Retry: right after startup the
    // keybinding or the command list can still be loading.
    let ran = false;
    for (let attempt = 1; attempt <= 5 && !ran; attempt++) {
      await page.locator('.monaco-workbench').click({ position: { x: 700, y: 450 } });
      await page.keyboard.press('Control+Shift+P');
      const input = page.locator('.quick-input-widget input.input');
      try {
        await input.waitFor({ state: 'visible', timeout: 10_000 });
      } catch {
        log(`attempt ${attempt}: command palette did not open`);
        await page.keyboard.press('Escape');
        continue;
      }
      await page.keyboard.type(COMMAND_TITLE, { delay: 20 });
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: COMMAND_TITLE }).first();
      try {
        await row.waitFor({ state: 'visible', timeout: 15_000 });
      } catch {
        log(`attempt ${attempt}: "${COMMAND_TITLE}" not in the command palette yet`);
        await page.keyboard.press('Escape');
        await sleep(2000);
        continue;
      }
      await page.keyboard.press('Enter');
      ran = true;
    }
    assert.ok(ran, `could not run "${COMMAND_TITLE}" from the command palette`);
    log(`ran "${COMMAND_TITLE}"`);

    // Find the webview content frame.
    let frame: Frame | undefined;
    const frameDeadline = Date.now() + 90_000;
    while (!frame && Date.now() < frameDeadline) {
      frame = await findWebviewFrame(page);
      if (!frame) await sleep(1000);
    }
    assert.ok(frame, `no webview frame with #stats appeared. Frames:\n${describeFrames(page)}`);
    log(`webview frame: name=${JSON.stringify(frame.name())} url=${frame.url().split('?')[0]}`);

    // Poll training progress.
    const tTrain = Date.now();
    let stats: Stats = { found: false, step: -1, backend: null, running: null, text: '', data: {} };
    let canvas: CanvasProbe = { found: false, width: 0, height: 0, distinct: 0, blank: true };
    let lastLogged = 0;
    while (Date.now() - tTrain < TRAIN_TIMEOUT_MS) {
      try {
        stats = await readStats(frame);
        canvas = await probeCanvas(frame);
      } catch (e) {
        // The webview frame can be re-created (e.g. panel moved); look it up again.
        log(`frame read failed (${String(e).split('\n')[0]}); re-locating the webview frame`);
        frame = (await findWebviewFrame(page)) ?? frame;
      }
      if (stats.step >= STEPS && !canvas.blank) break;
      if (Date.now() - lastLogged > 15_000) {
        lastLogged = Date.now();
        log(`step=${stats.step} backend=${stats.backend} canvas=${canvas.width}x${canvas.height} distinct=${canvas.distinct}`);
      }
      await sleep(1000);
    }

    fs.mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    log(`screenshot: ${path.relative(REPO, SCREENSHOT)}`);
    log(`#stats: data-backend=${stats.backend} data-step=${stats.step} data=${JSON.stringify(stats.data)}`);
    log(`#stats text: ${JSON.stringify(stats.text)}`);
    log(`#view-samples: ${canvas.width}x${canvas.height}, ${canvas.distinct}${canvas.distinct >= 1000 ? '+' : ''} distinct pixel values${canvas.error ? `, error: ${canvas.error}` : ''}`);
    log(`training phase took ${((Date.now() - tTrain) / 1000).toFixed(1)} s`);

    assert.ok(stats.found, 'element #stats not found in the webview');
    assert.ok(stats.step >= STEPS, `#stats data-step=${stats.step} did not reach ${STEPS} within ${TRAIN_TIMEOUT_MS} ms`);
    assert.ok(canvas.found, 'canvas#view-samples not found in the webview');
    assert.ok(!canvas.blank, `canvas#view-samples is blank (${canvas.width}x${canvas.height})${canvas.error ? `: ${canvas.error}` : ''}`);
    if (EXPECT_BACKEND) assert.equal(stats.backend, EXPECT_BACKEND, '#stats data-backend');
  });

  it('after a window reload the panel comes back with its run, goes on from its checkpoint, and saves a PNG into the same run folder', async function () {
    this.timeout(TRAIN_TIMEOUT_MS + 300_000);
    assert.ok(page && dirs);
    // The panel of the test above is still training; the timer saves a checkpoint every few seconds.
    const before = await waitForStats('a checkpoint saved by the host (data-saved-step)', (s) => s.data.savedStep !== undefined && s.running === 'true', 120_000);
    const runs = runFolders();
    assert.equal(runs.length, 1, `one run folder: ${runs.join(', ')}`);
    const run = runs[0];
    const onDisk = savedStep(run);
    log(`before the reload: step ${before.stats.step}, checkpoint on disk at step ${onDisk} in ${path.relative(dirs.workspace, run)}; files ${fs.readdirSync(run).join(', ')}`);
    assert.ok(fs.existsSync(path.join(run, 'metrics.jsonl')), 'the panel writes metrics.jsonl');
    assert.ok(fs.existsSync(path.join(run, 'checkpoint', 'encoder', 'model.json')), 'the checkpoint holds each network in TF.js format');
    assert.ok(fs.existsSync(path.join(run, 'samples.png')), 'the sample grid the GenLab view shows for the run');

    // A user's reload: VS Code saves its editors (this panel among them) as it shuts the window
    // down. A bare page.reload() skips that, and VS Code web otherwise saves only once a minute.
    const t0 = Date.now();
    const reloaded = page.waitForEvent('load', { timeout: 60_000 });
    await runCommand(page, 'Developer: Reload Window');
    await reloaded;
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 120_000 });
    log(`workbench reloaded after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const back = await waitForStats('the panel back, resumed from its checkpoint (data-resumed-step)', (s) => s.data.resumedStep !== undefined, 180_000);
    const resumedAt = Number(back.stats.data.resumedStep);
    log(`the panel came back at step ${resumedAt} after ${((Date.now() - t0) / 1000).toFixed(1)} s: ${JSON.stringify(back.stats.text)}`);
    assert.ok(resumedAt >= onDisk && resumedAt <= before.stats.step + 200, `resumed at step ${resumedAt}: the checkpoint on disk was at ${onDisk}`);
    assert.ok(resumedAt > 0);
    const going = await waitForStats('training to go on past the checkpoint', (s) => s.step >= resumedAt + 3 && s.running === 'true', TRAIN_TIMEOUT_MS);
    log(`training went on: step ${going.stats.step}`);
    const message = (await going.frame.locator('#message').textContent()) ?? '';
    assert.match(message, new RegExp(`Went on from the checkpoint at step ${resumedAt}`), `#message: ${message}`);
    const canvas = await probeCanvas(going.frame);
    assert.ok(!canvas.blank, 'samples drawn after the reload');

    await going.frame.locator('#export-samples').click();
    const exportsDir = path.join(run, 'exports');
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !(fs.existsSync(exportsDir) && fs.readdirSync(exportsDir).some((f) => f.startsWith('samples-step')))) await sleep(500);
    const exported = fs.existsSync(exportsDir) ? fs.readdirSync(exportsDir) : [];
    log(`exported into the same run folder: ${exported.join(', ')}`);
    assert.ok(exported.some((f) => /^samples-step\d+\.png$/.test(f)), `a samples PNG in ${path.relative(dirs.workspace, exportsDir)}`);
    assert.deepEqual(runFolders(), [run], 'the resumed panel kept its run folder');
    const rows = fs.readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { step: number }).step);
    const resumedRow = rows.indexOf(resumedAt + 1);
    assert.ok(resumedRow > 0 && rows.slice(0, resumedRow).every((st) => st <= resumedAt), 'metrics.jsonl goes on from the checkpoint without repeating steps');
    await page.screenshot({ path: RELOAD_SCREENSHOT, fullPage: true });
    log(`screenshot: ${path.relative(REPO, RELOAD_SCREENSHOT)}`);

    // The webview alone starts again (as after a crash): the host hands it the run's last checkpoint.
    const reloadedAt = (await readStats(going.frame)).step;
    await going.frame.evaluate(() => { document.getElementById('stats')!.dataset.resumedStep = 'stale'; });
    await runCommand(page, 'Developer: Reload Webviews');
    const again = await waitForStats('the webview, started again, back at a checkpoint', (s) => s.data.resumedStep !== undefined && s.data.resumedStep !== 'stale', 120_000);
    const againAt = Number(again.stats.data.resumedStep);
    log(`the reloaded webview went on from step ${againAt} (it was at ${reloadedAt})`);
    assert.ok(againAt >= resumedAt && againAt <= reloadedAt + 50, `went on from ${againAt}`);
    assert.deepEqual(runFolders(), [run], 'still the same run folder');
  });
});
