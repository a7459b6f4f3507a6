// End-to-end: model files (*.genlab.json) in a real VS Code (code-server 4.100.x = VS Code 1.100)
// with the packaged extension (dist/genlab.vsix), driven by headless Chromium:
//   1. Quick Open an example model file, click its "▶ Train" CodeLens, and watch the
//      "GenLab: <file name>" panel train (data-step ≥ 5, samples canvas drawn); then the same for
//      one example of every other family (autoencoder, Gaussian VAE, GAN on the ring, DCGAN,
//      CGAN, AC-GAN, character-level transformer, RealNVP, DDPM), each drawing the view that
//      family is about.
//   2. In an empty fresh.genlab.json, type the "genlab-vae" snippet prefix, accept the suggestion
//      and save: no genlab problem remains and the file on disk is JSONC with "family": "vae".
//   3. Break the decoder's last layer (784 → 700 units) with the keyboard: the Problems panel
//      shows the genlab error on that layer's line.
//
//   npm run test:e2e   (or GENLAB_E2E_SKIP_PACKAGE=1 bash scripts/test-e2e.sh)
//
// Env: GENLAB_CODE_SERVER, GENLAB_VSIX, GENLAB_CHROMIUM, GENLAB_E2E_CHROMIUM_ARGS, GENLAB_E2E_KEEP
// as for train-vae.e2e.ts; GENLAB_E2E_MODELFILE_STEPS (default 5),
// GENLAB_E2E_MODELFILE_TRAIN_TIMEOUT_MS (default 150000).
// Screenshots: test-results/e2e-codelens-train.png, e2e-snippet.png, e2e-problems.png
// (e2e-modelfile-failure.png when a test fails); code-server log: test-results/e2e-modelfile-code-server.log.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { describeFrames, findWebviewFrame, probeCanvas, readStats, type CanvasProbe, type Stats } from './webview';
import { parse as parseJsonc, type ParseError } from 'jsonc-parser';
import { encodePng } from '../../src/node/png';
import {
  openBrowser,
  runCommand,
  openWorkbench,
  shutDown,
  installExtension,
  makeDirs,
  resolveCodeServer,
  sleep,
  startCodeServer,
  tail,
  waitUntil,
  type CodeServerDirs,
  type RunningCodeServer,
} from './codeServer';

const REPO = typeof __dirname !== 'undefined' ? path.resolve(__dirname, '..', '..') : process.cwd();
const RESULTS = path.join(REPO, 'test-results');
const shot = (name: string) => path.join(RESULTS, name);
const FAILURE_SCREENSHOT = shot('e2e-modelfile-failure.png');
const VSIX = path.resolve(REPO, process.env.GENLAB_VSIX || 'dist/genlab.vsix');
const CHROMIUM = process.env.GENLAB_CHROMIUM || '/usr/bin/chromium';
const STEPS = Number(process.env.GENLAB_E2E_MODELFILE_STEPS || 5);
const TRAIN_TIMEOUT_MS = Number(process.env.GENLAB_E2E_MODELFILE_TRAIN_TIMEOUT_MS || 150_000);

/** The example trained through its CodeLens (a minimal model file is written when examples/ has none). */
const TRAIN_FILE = 'vae-mnist.genlab.json';
/**
 * A model file on a folder of the user's own images (written into the workspace with the
 * folder): a VAE on 16×16 RGB, whose reconstructions view shows the (coloured) inputs.
 */
const PHOTOS_FILE = 'my-photos.genlab.json';
const PHOTOS_MODEL = '{\n  "family": "vae",\n  "data": { "path": "photos", "size": 16, "fit": "crop", "color": "rgb" },\n  "training": { "batchSize": 16 }\n}\n';

/**
 * Writes photos/<class>/<n>.png: 24×20 RGB pictures of a red disc ("discs") or a blue square
 * ("squares") at a random place on a light background, 24 per class, for the model to crop to
 * 16×16 and learn.
 */
function writePhotoFolder(dir: string): number {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const [w, h] = [24, 20];
  let n = 0;
  for (const cls of ['discs', 'squares']) {
    fs.mkdirSync(path.join(dir, cls), { recursive: true });
    for (let i = 0; i < 24; i++) {
      const px = new Uint8Array(w * h * 3).fill(230);
      const cx = 8 + rand() * 8, cy = 6 + rand() * 8, r = 3 + rand() * 2;
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
        const inside = cls === 'discs' ? (x - cx) ** 2 + (y - cy) ** 2 <= r * r : Math.abs(x - cx) <= r && Math.abs(y - cy) <= r;
        if (inside) px.set(cls === 'discs' ? [220, 40, 30] : [30, 60, 220], (y * w + x) * 3);
      }
      fs.writeFileSync(path.join(dir, cls, `${String(i).padStart(2, '0')}.png`), encodePng({ width: w, height: h, channels: 3, pixels: px }));
      n++;
    }
  }
  return n;
}

/** The run folder `genlab train` writes into the workspace before the workbench opens. */
const RUN_NAME = 'gan-ring-from-terminal';

/** A model file on Fashion-MNIST, which must be downloaded first. */
const FASHION_FILE = 'fashion.genlab.json';
/** Debian's dataset-fashion-mnist package: the real files, served as the download mirror. */
const FASHION_DIR = '/usr/share/datasets/fashion-mnist';

/** Serves FASHION_DIR at /fashion-mnist/<file> on 127.0.0.1, as a mirror for genlab.datasetMirror; undefined without the package. */
async function serveFashionMnist(): Promise<{ url: string; close(): void } | undefined> {
  if (!fs.existsSync(FASHION_DIR)) return undefined;
  const server = http.createServer((req, res) => {
    const name = path.basename(decodeURIComponent(req.url ?? ''));
    const file = path.join(FASHION_DIR, name);
    if (!req.url?.startsWith('/fashion-mnist/') || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': fs.statSync(file).size });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: () => server.close() };
}

/** Every file below `dir` whose path contains `part`. */
function findFiles(dir: string, part: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
    .filter((f) => f.includes(part));
}

/** A model file on a folder that holds a file that is not an image. */
const BAD_PHOTOS_FILE = 'bad-photos.genlab.json';

/** The empty file the snippet is typed into. */
const FRESH_FILE = 'fresh.genlab.json';
const SNIPPET_PREFIX = 'genlab-vae';
const TRAIN_LENS = '▶ Train';
/**
 * One example per family besides the VAE, the view that shows it trained, and for the DCGAN and
 * the transformer a smaller batch (and transformer) in the workspace copy: a step of the example
 * takes seconds on SwiftShader, which stalls the whole (software-rendered) workbench.
 */
const FAMILY_EXAMPLES: ReadonlyArray<[string, string, number?]> = [
  ['autoencoder-tied.genlab.json', 'errors'],
  ['vae-gaussian.genlab.json', 'interpolation'],
  ['gan-ring.genlab.json', 'plane'],
  ['dcgan-mnist.genlab.json', 'samples', 8],
  ['cgan-mnist.genlab.json', 'classes'],
  ['acgan-mnist.genlab.json', 'classInterpolation'],
  ['autoregressive-shakespeare.genlab.json', 'nextToken', 16],
  ['flow-moons.genlab.json', 'density'],
  ['diffusion-ring.genlab.json', 'samples'],
];

const log = (msg: string) => console.log(`      [e2e] ${msg}`);
const secs = (t0: number) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

// ---------------------------------------------------------------- webview probes (as in train-vae.e2e.ts)

// ---------------------------------------------------------------- workbench helpers

/** Quick Open (Ctrl+P) `name` and wait until its editor is the active one. */
/** True when an aria-label ("name", "name, Editor Group 2", "name, file results") names exactly `name`. */
function isLabelOf(label: string | null, name: string): boolean {
  return !!label && (label === name || label.startsWith(`${name},`) || label.startsWith(`${name} `));
}

/** The aria-labels of the active tab of every editor group. */
async function activeTabLabels(page: Page): Promise<string[]> {
  return page.locator('.tabs-container .tab.active').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? '')).catch(() => []);
}

async function quickOpen(page: Page, name: string): Promise<void> {
  for (let attempt = 1; attempt <= 4; attempt++) {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input.input');
    try {
      await input.waitFor({ state: 'visible', timeout: 10_000 });
    } catch {
      log(`Quick Open did not open (attempt ${attempt})`);
      await page.keyboard.press('Escape');
      continue;
    }
    await page.keyboard.type(name, { delay: 10 });
    // Pick the row of the file itself, not another name that also matches (acgan-… for cgan-…).
    const rows = page.locator('.quick-input-list .monaco-list-row');
    const exact = async () => {
      const labels = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
      return labels.findIndex((l) => isLabelOf(l, name));
    };
    let index = -1;
    try {
      await waitUntil(`Quick Open to list ${name}`, async () => (index = await exact()) >= 0, 15_000);
    } catch (e) {
      log(`${(e as Error).message} (attempt ${attempt})`);
      await page.keyboard.press('Escape');
      await sleep(1000);
      continue;
    }
    // The list re-sorts while it fills (recently opened files move up): wait until it holds still.
    let labels = '';
    for (let i = 0; i < 20; i++) {
      const now = JSON.stringify(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? '')));
      if (now === labels) break;
      labels = now;
      await sleep(300);
    }
    index = await exact();
    for (let i = 0; i < index; i++) await page.keyboard.press('ArrowDown');
    const focused = (await page.locator('.quick-input-list .monaco-list-row.focused').first().getAttribute('aria-label').catch(() => null)) ?? '';
    if (index < 0 || !isLabelOf(focused, name)) {
      log(`Quick Open focused ${JSON.stringify(focused)} instead of ${name} (attempt ${attempt})`);
      await page.keyboard.press('Escape');
      await sleep(1000);
      continue;
    }
    await page.keyboard.press('Enter');
    // Exact name: "cgan-mnist.genlab.json" is also a substring of "dcgan-mnist.genlab.json".
    try {
      await waitUntil(`the editor tab of ${name} to become active`, async () => (await activeTabLabels(page)).some((l) => isLabelOf(l, name)), 10_000, async () => `active tabs: ${JSON.stringify(await activeTabLabels(page))}`);
    } catch (e) {
      log(`${(e as Error).message.split('\n')[0]} (attempt ${attempt})`);
      continue; // another file opened: try again
    }
    await page.locator('.part.editor .monaco-editor.focused').first().waitFor({ state: 'visible', timeout: 10_000 }).catch(() => {
      throw new Error(`the editor of ${name} did not take the keyboard focus within 10 s`);
    });
    return;
  }
  throw new Error(`could not open ${name} with Quick Open`);
}

interface ProblemRow {
  index: number;
  level: number;
  label: string;
  text: string;
  source: string;
  line: string;
}

/** Rows of the Problems tree, in order: level 1 = a file, level 2 = one of its problems. */
async function problemRows(page: Page): Promise<ProblemRow[]> {
  return page.evaluate(() => {
    const rows = [...document.querySelectorAll<HTMLElement>('.markers-panel .monaco-list-row')];
    return rows
      .map((r) => ({
        index: Number(r.getAttribute('data-index') ?? -1),
        level: Number(r.getAttribute('aria-level') ?? 0),
        label: r.getAttribute('aria-label') ?? '',
        text: (r.textContent ?? '').replace(/\s+/g, ' ').trim(),
        source: (r.querySelector('.marker-source')?.textContent ?? '').trim(),
        line: (r.querySelector('.marker-line')?.textContent ?? '').trim(),
      }))
      .sort((a, b) => a.index - b.index);
  });
}

/** The problem rows under the file row of `file` (matched by name in the file row's label/text). */
function problemsOf(rows: ProblemRow[], file: string): ProblemRow[] {
  const out: ProblemRow[] = [];
  let inFile = false;
  for (const r of rows) {
    if (r.level <= 1) inFile = r.label.includes(file) || r.text.startsWith(file);
    else if (inFile) out.push(r);
  }
  return out;
}

const formatRows = (rows: ProblemRow[]) =>
  rows.length ? rows.map((r) => `  [${r.index}] level=${r.level} label=${JSON.stringify(r.label)} line=${JSON.stringify(r.line)}`).join('\n') : '  (no rows)';

/** Shows the Problems panel (Ctrl+Shift+M toggles, so only press it when the panel is hidden). */
async function showProblems(page: Page): Promise<void> {
  const panel = page.locator('.markers-panel');
  if (await panel.isVisible()) return;
  await page.keyboard.press('Control+Shift+M');
  await panel.waitFor({ state: 'visible', timeout: 15_000 }).catch(() => {
    throw new Error('the Problems panel did not open within 15 s of Ctrl+Shift+M');
  });
}

/** Focuses the editor of `name` by clicking its tab, then its text. */
async function focusEditor(page: Page, name: string): Promise<void> {
  await page.locator('.tabs-container .tab', { hasText: name }).first().click();
  await page.locator('.part.editor .monaco-editor.focused').first().waitFor({ state: 'visible', timeout: 10_000 }).catch(() => {
    throw new Error(`the editor of ${name} did not take the keyboard focus within 10 s`);
  });
}

/** Reads `file` and parses it as JSONC; undefined while it does not parse. */
function readJsonc(file: string): { text: string; value: Record<string, unknown> } | undefined {
  const text = fs.readFileSync(file, 'utf8');
  const errors: ParseError[] = [];
  const value = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length || typeof value !== 'object' || value === null) return undefined;
  return { text, value };
}

// ---------------------------------------------------------------- the tests

describe('GenLab e2e: model files (code-server + Chromium)', function () {
  let dirs: CodeServerDirs | undefined;
  let server: RunningCodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let consoleLines: string[] = [];
  let mirror: { url: string; close(): void } | undefined;
  const timings: string[] = [];

  before(async function () {
    this.timeout(300_000);
    const t0 = Date.now();
    fs.rmSync(FAILURE_SCREENSHOT, { force: true });
    assert.ok(fs.existsSync(VSIX), `${VSIX} not found: run \`npm run package\` first`);
    assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} not found: run scripts/ensure-system-deps.sh (or set GENLAB_CHROMIUM)`);
    const codeServer = resolveCodeServer();
    mirror = await serveFashionMnist();
    if (mirror) log(`Fashion-MNIST mirror (Debian's files) at ${mirror.url}`);
    dirs = makeDirs(mirror ? { 'genlab.datasetMirror': mirror.url } : {});
    log(`temp dir: ${dirs.root}`);

    // Workspace: the repo's example model files (or a minimal one) and an empty file for the snippet.
    const examples = path.join(REPO, 'examples');
    const models = fs.existsSync(examples) ? fs.readdirSync(examples).filter((f) => f.endsWith('.genlab.json')) : [];
    for (const f of models) fs.copyFileSync(path.join(examples, f), path.join(dirs.workspace, f));
    for (const [f, , batch] of FAMILY_EXAMPLES) {
      const copy = path.join(dirs.workspace, f);
      if (!batch || !fs.existsSync(copy)) continue;
      // A smaller step for software WebGL: the batch, and for the transformer its size (as in the browser test).
      const text = fs.readFileSync(copy, 'utf8').replace(/"batchSize":\s*\d+/, `"batchSize": ${batch}`)
        .replace(/"transformer":\s*\{[^}]*\}/, '"transformer": { "layers": 1, "heads": 2, "embedding": 32, "context": 32, "dropout": 0 }');
      fs.writeFileSync(copy, text);
    }
    if (!models.includes(TRAIN_FILE)) fs.writeFileSync(path.join(dirs.workspace, TRAIN_FILE), '{ "family": "vae" }\n');
    fs.writeFileSync(path.join(dirs.workspace, FRESH_FILE), '');
    log(`wrote ${writePhotoFolder(path.join(dirs.workspace, 'photos'))} PNGs under photos/ and ${PHOTOS_FILE}`);
    fs.writeFileSync(path.join(dirs.workspace, PHOTOS_FILE), PHOTOS_MODEL);
    // A folder the user broke: a text file among the images.
    fs.mkdirSync(path.join(dirs.workspace, 'bad-photos', 'cats'), { recursive: true });
    fs.writeFileSync(path.join(dirs.workspace, 'bad-photos', 'cats', 'a.png'), encodePng({ width: 8, height: 8, channels: 1, pixels: new Uint8Array(64).fill(128) }));
    fs.writeFileSync(path.join(dirs.workspace, 'bad-photos', 'cats', 'notes.txt'), 'not a picture\n');
    // A run trained from the terminal, for the GenLab view to list.
    const cli = spawnSync(process.execPath, [path.join(REPO, 'bin', 'genlab.js'), 'train', path.join(dirs.workspace, 'gan-ring.genlab.json'), '--steps', '20', '--out', path.join(dirs.workspace, '.genlab', 'runs', RUN_NAME)], { encoding: 'utf8' });
    log(`genlab train for the runs view: exit ${cli.status}${cli.status ? `\n${cli.stderr}` : ''}`);
    fs.writeFileSync(path.join(dirs.workspace, FASHION_FILE), '{\n  "family": "vae",\n  "data": "fashion-mnist"\n}\n');
    fs.writeFileSync(path.join(dirs.workspace, BAD_PHOTOS_FILE), '{\n  "family": "vae",\n  "data": { "path": "bad-photos" }\n}\n');
    log(`workspace: ${fs.readdirSync(dirs.workspace).join(', ')}`);

    log(`installing ${path.relative(REPO, VSIX)}: ${(await installExtension(codeServer, VSIX, dirs)).split('\n').pop()}`);
    server = await startCodeServer(codeServer, dirs);
    log(`code-server listening on ${server.url}`);
    ({ browser, page, consoleLines } = await openBrowser(CHROMIUM));

    await openWorkbench(page, server, dirs);
    timings.push(`setup + workbench ${secs(t0)}`);
    log(`workbench ready after ${secs(t0)}`);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      fs.mkdirSync(RESULTS, { recursive: true });
      await page.screenshot({ path: FAILURE_SCREENSHOT, fullPage: true }).catch(() => undefined);
      log(`failure screenshot: ${path.relative(REPO, FAILURE_SCREENSHOT)}`);
      log(`frames:\n${describeFrames(page)}`);
      log(`Problems rows:\n${formatRows(await problemRows(page).catch(() => []))}`);
      if (consoleLines.length) log(`browser console (errors/warnings, last 30):\n${consoleLines.slice(-30).join('\n')}`);
      if (dirs) log(`code-server log (tail):\n${tail(dirs.log)}`);
    }
  });

  after(async function () {
    this.timeout(60_000);
    if (timings.length) log(`timings: ${timings.join('; ')}`);
    mirror?.close();
    await shutDown(browser, server, dirs, path.join(RESULTS, 'e2e-modelfile-code-server.log'));
  });

  /** Opens `file`, clicks its CodeLens and waits for `steps` steps and a drawn canvas#view-<view>; screenshots to `screenshot`. */
  async function trainThroughCodeLens(file: string, view: string, steps: number, screenshot: string, whileOpen?: (frame: Frame) => Promise<void>): Promise<{ canvas: CanvasProbe; message: string }> {
    assert.ok(page);
    const t0 = Date.now();
    await quickOpen(page, file);
    log(`opened ${file} (${secs(t0)})`);

    const lens = page.locator('.part.editor .codelens-decoration a', { hasText: TRAIN_LENS }).first();
    await lens.waitFor({ state: 'visible', timeout: 60_000 }).catch(async () => {
      const lenses = await page!.locator('.codelens-decoration').allTextContents();
      const activation = consoleLines.filter((l) => l.includes("Activating extension 'genlab.genlab' failed"));
      throw new Error(
        `timed out after 60 s waiting for the "${TRAIN_LENS}" CodeLens in ${file}; CodeLens texts: ${JSON.stringify(lenses)}` +
          (activation.length ? `\nthe extension did not activate:\n${activation.join('\n')}` : ''),
      );
    });
    await lens.click();

    let frame = await waitUntil('a webview frame with #stats after clicking the CodeLens', () => findWebviewFrame(page!), 90_000, () => `frames:\n${describeFrames(page!)}`, 1000);
    log(`webview up (${secs(t0)})`);

    const title = `GenLab: ${file}`;
    const tab = page.locator('.tabs-container .tab', { hasText: title });
    await tab.first().waitFor({ state: 'visible', timeout: 10_000 }).catch(async () => {
      const tabs = await page!.locator('.tabs-container .tab').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') || e.textContent));
      throw new Error(`no editor tab titled "${title}" within 10 s; tabs: ${JSON.stringify(tabs)}`);
    });

    try {
      const tTrain = Date.now();
      let stats: Stats = { found: false, step: -1, backend: null, running: null, text: '', data: {} };
      let canvas: CanvasProbe = { found: false, width: 0, height: 0, distinct: 0, blank: true };
      let lastLogged = 0;
      await waitUntil(
        `#stats data-step ≥ ${steps} and a non-blank canvas#view-${view}`,
        async () => {
          try {
            stats = await readStats(frame);
            canvas = await probeCanvas(frame, view);
          } catch {
            frame = (await findWebviewFrame(page!)) ?? frame; // the frame can be re-created
            return false;
          }
          if (Date.now() - lastLogged > 15_000) {
            lastLogged = Date.now();
            log(`step=${stats.step} running=${stats.running} backend=${stats.backend} ${view} distinct=${canvas.distinct}`);
          }
          return stats.step >= steps && !canvas.blank;
        },
        TRAIN_TIMEOUT_MS,
        () => `last #stats: ${JSON.stringify(stats)}; canvas: ${JSON.stringify(canvas)}`,
        1000,
      );
      fs.mkdirSync(RESULTS, { recursive: true });
      await page.screenshot({ path: shot(screenshot) });
      log(`#stats: step=${stats.step} backend=${stats.backend} text=${JSON.stringify(stats.text)}`);
      log(`#view-${view}: ${canvas.width}x${canvas.height}, ${canvas.distinct}${canvas.distinct >= 1000 ? '+' : ''} distinct pixel values`);
      log(`trained to step ${stats.step} in ${secs(tTrain)}; screenshot test-results/${screenshot}`);
      assert.ok(stats.found && stats.step >= steps);
      assert.ok(!canvas.blank);
      const message = (await frame.locator('#message').textContent()) ?? '';
      log(`#message: ${JSON.stringify(message)}`);
      await whileOpen?.(frame);
      timings.push(`${file} ${secs(t0)}`);
      return { canvas, message };
    } finally {
      // Pause through the page (no clicks: those wait for frames a busy software GPU may not draw),
      // then close everything: a panel left training would compete for the CPU with the next tests.
      try {
        if ((await readStats(frame)).running === 'true') await frame.evaluate(() => (document.getElementById('btn-start') as HTMLElement | null)?.click());
        await waitUntil('training to pause', async () => (await readStats(frame)).running !== 'true', 60_000, async () => JSON.stringify(await readStats(frame)));
      } catch (e) {
        log(`could not pause the panel: ${(e as Error).message}`);
      }
      await runCommand(page, 'View: Close All Editors');
      await waitUntil('all editors to close', async () => (await page!.locator('.tabs-container .tab').count()) === 0, 20_000, async () => `tabs left: ${await page!.locator('.tabs-container .tab').count()}`);
    }
  }

  it(`the "${TRAIN_LENS}" CodeLens trains the model file in a "GenLab: <file name>" panel`, async function () {
    this.timeout(TRAIN_TIMEOUT_MS + 180_000);
    await trainThroughCodeLens(TRAIN_FILE, 'samples', STEPS, 'e2e-codelens-train.png');
  });

  for (const [file, view] of FAMILY_EXAMPLES) {
    it(`${file} trains in its panel and draws its "${view}" view`, async function () {
      this.timeout(TRAIN_TIMEOUT_MS + 180_000);
      if (!fs.existsSync(path.join(REPO, 'examples', file))) throw new Error(`examples/${file} is missing`);
      await trainThroughCodeLens(file, view, 3, `e2e-family-${file.replace('.genlab.json', '')}.png`);
    });
  }

  it(`a VAE trains on a folder of the user's own PNGs (${PHOTOS_FILE}) and draws them in colour`, async function () {
    this.timeout(TRAIN_TIMEOUT_MS + 180_000);
    let exported: string[] = [];
    const { canvas, message } = await trainThroughCodeLens(PHOTOS_FILE, 'reconstructions', 3, 'e2e-photos-vae.png', async (frame) => {
      // "Save PNG" on the reconstructions: the host writes it into this panel's run folder.
      await frame.locator('#export-reconstructions').click();
      exported = await waitUntil('the exported PNG in .genlab/runs/my-photos-*/exports', async () => {
        const found = findFiles(path.join(dirs!.workspace, '.genlab', 'runs'), `${path.sep}exports${path.sep}reconstructions-step`);
        return found.length ? found : undefined;
      }, 30_000);
      log(`exported ${exported.map((f) => path.relative(dirs!.workspace, f)).join(', ')}`);
    });
    assert.match(path.relative(dirs!.workspace, exported[0]), /^\.genlab\/runs\/my-photos-\d{8}-\d{6}\/exports\/reconstructions-step\d+\.png$/);
    assert.deepEqual([...fs.readFileSync(exported[0]).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a PNG');
    assert.ok(fs.existsSync(path.join(path.dirname(path.dirname(exported[0])), 'model.genlab.json')), 'the model file as trained is in the run folder');
    // 48 images, 10% held out: 43 to train on and 5 held out, 16×16×3 each.
    assert.match(message, /43 training and 5 held-out images/, `the panel's data line: ${message}`);
    assert.ok((canvas.coloured ?? 0) > 100, `the red discs and blue squares are drawn in colour: ${JSON.stringify(canvas)}`);
  });

  it(`the "${SNIPPET_PREFIX}" snippet writes a valid model file with no problems`, async function () {
    this.timeout(150_000);
    assert.ok(page && dirs);
    const t0 = Date.now();
    const freshPath = path.join(dirs.workspace, FRESH_FILE);
    await quickOpen(page, FRESH_FILE);
    log(`opened ${FRESH_FILE} (${secs(t0)})`);

    // The empty file has a genlab problem: proves the Problems check below can see this file at all.
    await showProblems(page);
    await waitUntil(
      `the Problems panel to show the genlab "file is empty" error for ${FRESH_FILE}`,
      async () => problemsOf(await problemRows(page!), FRESH_FILE).some((r) => r.source === 'genlab' && r.label.includes('empty')),
      30_000,
      async () => `Problems rows:\n${formatRows(await problemRows(page!))}`,
    );
    log(`empty ${FRESH_FILE}: genlab "empty" problem shown (${secs(t0)})`);
    await focusEditor(page, FRESH_FILE);

    await page.keyboard.type(SNIPPET_PREFIX, { delay: 30 });
    const widget = page.locator('.editor-widget.suggest-widget.visible');
    await sleep(500);
    if (!(await widget.isVisible())) await page.keyboard.press('Control+Space');
    const labelOf = (row: string) => `${row} .monaco-icon-label .label-name`;
    const rowSel = '.editor-widget.suggest-widget.visible .monaco-list-row';
    const target = await waitUntil(
      `the suggest widget to offer "${SNIPPET_PREFIX}"`,
      async () => {
        const rows = page!.locator(rowSel);
        const n = await rows.count();
        for (let i = 0; i < n; i++) {
          if ((await rows.nth(i).locator('.monaco-icon-label .label-name').first().textContent())?.trim() === SNIPPET_PREFIX) return rows.nth(i);
        }
        return undefined;
      },
      30_000,
      async () => `suggestions: ${JSON.stringify(await page!.locator(labelOf(rowSel)).allTextContents())}`,
    );
    const focusedLabel = (await page.locator(labelOf(`${rowSel}.focused`)).first().textContent().catch(() => null))?.trim();
    log(`suggestions: ${JSON.stringify(await page.locator(labelOf(rowSel)).allTextContents())}; focused: ${JSON.stringify(focusedLabel)}`);
    if (focusedLabel === SNIPPET_PREFIX) await page.keyboard.press('Enter');
    else await target.click(); // accept the exact prefix, not whichever suggestion ranks first
    await widget.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {
      throw new Error('the suggest widget did not close after accepting the snippet');
    });
    await page.keyboard.press('Escape'); // leave snippet mode (placeholders)
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+S');

    const saved = await waitUntil(
      `${FRESH_FILE} on disk to be JSONC with "family": "vae"`,
      () => {
        const r = readJsonc(freshPath);
        return r && r.value.family === 'vae' ? r : undefined;
      },
      20_000,
      () => `file on disk:\n${fs.readFileSync(freshPath, 'utf8')}`,
    );
    log(`saved ${FRESH_FILE}: ${saved.text.split('\n').length} lines, keys ${Object.keys(saved.value).join(', ')} (${secs(t0)})`);
    await page.locator('.tabs-container .tab.active.dirty').waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {
      throw new Error(`the ${FRESH_FILE} tab still shows unsaved changes 10 s after Ctrl+S`);
    });

    // No genlab problem for the file: wait until there is none, then make sure it stays that way
    // past the diagnostics debounce (250 ms).
    let rows: ProblemRow[] = [];
    await waitUntil(
      `the Problems panel to show no genlab problem for ${FRESH_FILE}`,
      async () => {
        rows = await problemRows(page!);
        if (problemsOf(rows, FRESH_FILE).some((r) => r.source === 'genlab')) return false;
        await sleep(1500);
        rows = await problemRows(page!);
        return !problemsOf(rows, FRESH_FILE).some((r) => r.source === 'genlab');
      },
      20_000,
      () => `Problems rows:\n${formatRows(rows)}`,
    );
    const other = problemsOf(rows, FRESH_FILE);
    if (other.length) log(`non-genlab problems for ${FRESH_FILE}: ${JSON.stringify(other.map((r) => r.label))}`);
    log(`Problems rows now:\n${formatRows(rows)}`);
    await page.screenshot({ path: shot('e2e-snippet.png') });
    timings.push(`snippet ${secs(t0)}`);
  });

  it('breaking a layer shows the genlab error on its line in the Problems panel', async function () {
    this.timeout(120_000);
    assert.ok(page && dirs);
    const t0 = Date.now();
    const freshPath = path.join(dirs.workspace, FRESH_FILE);
    const lines = fs.readFileSync(freshPath, 'utf8').split('\n');
    // The decoder's last layer, { "type": "dense", "units": 784 }: make it output 700 values instead.
    const idx = lines.findIndex((l) => /"units"\s*:\s*784\s*\}\s*$/.test(l));
    assert.ok(idx >= 0, `no line ending in "units": 784 } in ${FRESH_FILE}:\n${lines.join('\n')}`);
    const lineNo = idx + 1;
    const col = lines[idx].indexOf('{') + 1; // the error's range is the whole layer object
    log(`breaking line ${lineNo}: ${JSON.stringify(lines[idx])}`);

    await focusEditor(page, FRESH_FILE);
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input.input').waitFor({ state: 'visible', timeout: 10_000 }).catch(() => {
      throw new Error('Go to Line (Ctrl+G) did not open within 10 s');
    });
    await page.keyboard.type(String(lineNo), { delay: 20 });
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget input.input').waitFor({ state: 'hidden', timeout: 10_000 });
    await page.keyboard.press('End');
    const tailLen = lines[idx].length - lines[idx].lastIndexOf('784') - 3; // characters after "784", e.g. " }"
    for (let i = 0; i < tailLen; i++) await page.keyboard.press('ArrowLeft');
    for (let i = 0; i < 3; i++) await page.keyboard.press('Backspace');
    await page.keyboard.type('700', { delay: 20 });
    await page.keyboard.press('Control+S');
    await waitUntil(
      `line ${lineNo} of ${FRESH_FILE} on disk to read "units": 700`,
      () => fs.readFileSync(freshPath, 'utf8').split('\n')[idx]?.includes('"units": 700'),
      20_000,
      () => `line ${lineNo} on disk: ${JSON.stringify(fs.readFileSync(freshPath, 'utf8').split('\n')[idx])}`,
    );
    log(`edited and saved (${secs(t0)})`);

    const fragment = 'the decoder outputs [700]';
    const where = `[Ln ${lineNo}, Col ${col}]`;
    await showProblems(page);
    let rows: ProblemRow[] = [];
    const hit = await waitUntil(
      `a genlab problem "${fragment} …" at ${where} for ${FRESH_FILE} in the Problems panel`,
      async () => {
        rows = await problemRows(page!);
        return problemsOf(rows, FRESH_FILE).find((r) => r.source === 'genlab' && r.text.includes(fragment) && r.line === where);
      },
      30_000,
      () => `Problems rows:\n${formatRows(rows)}`,
    );
    log(`Problems row: ${JSON.stringify(hit.label)} ${hit.line}`);
    await page.screenshot({ path: shot('e2e-problems.png') });
    log(`screenshot test-results/e2e-problems.png (${secs(t0)})`);
    timings.push(`problems ${secs(t0)}`);
  });

  it('a folder with a file that is not an image shows a genlab error naming that file in the Problems panel', async function () {
    this.timeout(90_000);
    assert.ok(page);
    const t0 = Date.now();
    await quickOpen(page, BAD_PHOTOS_FILE);
    await showProblems(page);
    let rows: ProblemRow[] = [];
    const hit = await waitUntil(
      `a genlab problem naming bad-photos/cats/notes.txt for ${BAD_PHOTOS_FILE}`,
      async () => {
        rows = await problemRows(page!);
        return problemsOf(rows, BAD_PHOTOS_FILE).find((r) => r.source === 'genlab' && r.text.includes('notes.txt') && /not a PNG or JPEG/.test(r.text));
      },
      30_000,
      () => `Problems rows:\n${formatRows(rows)}`,
    );
    log(`Problems row: ${JSON.stringify(hit.label)} ${hit.line}`);
    assert.equal(hit.line, '[Ln 3, Col 21]', 'on the "bad-photos" path');

    // Training it opens the panel, which says why it cannot train instead of training.
    await runCommand(page, 'GenLab: Train Model in Current File');
    const frame = await waitUntil('a webview frame with #problems after "Train Model in Current File"', () => findWebviewFrame(page!, '#problems'), 60_000, () => `frames:\n${describeFrames(page!)}`, 1000);
    const shown = (await frame.locator('#problems').textContent()) ?? '';
    log(`#problems: ${JSON.stringify(shown)}`);
    assert.match(shown, /bad-photos\.genlab\.json/);
    assert.match(shown, /bad-photos\/cats\/notes\.txt: not a PNG or JPEG image/);
    assert.equal(await frame.locator('#stats').count(), 0, 'nothing trains');
    await page.screenshot({ path: shot('e2e-problems-data.png') });
    await runCommand(page, 'View: Close All Editors');
    timings.push(`data problem ${secs(t0)}`);
  });

  it('"GenLab: Download Dataset" fetches Fashion-MNIST from the mirror setting, verifies it, and the "not downloaded" problem goes away', async function () {
    this.timeout(240_000);
    assert.ok(mirror, `${FASHION_DIR} is missing: install Debian's dataset-fashion-mnist package (scripts/ensure-system-deps.sh does)`);
    assert.ok(page && dirs);
    const t0 = Date.now();
    await quickOpen(page, FASHION_FILE);
    await showProblems(page);
    let rows: ProblemRow[] = [];
    const notDownloaded = (r: ProblemRow) => r.source === 'genlab' && r.text.includes('"fashion-mnist" is not downloaded yet');
    await waitUntil(`the "not downloaded" problem for ${FASHION_FILE}`, async () => problemsOf((rows = await problemRows(page!)), FASHION_FILE).some(notDownloaded), 30_000, () => `Problems rows:\n${formatRows(rows)}`);
    log(`"not downloaded" shown (${secs(t0)})`);

    await runCommand(page, 'GenLab: Download Dataset');
    const item = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Fashion-MNIST' }).first();
    await item.waitFor({ state: 'visible', timeout: 20_000 });
    await item.click();
    const ready = page.locator('.notifications-toasts .notification-toast', { hasText: 'is ready in' });
    await ready.first().waitFor({ state: 'visible', timeout: 180_000 }).catch(async () => {
      const toasts = await page!.locator('.notifications-toasts .notification-toast').allTextContents();
      throw new Error(`no "is ready" notification within 180 s; notifications: ${JSON.stringify(toasts)}`);
    });
    log(`notification: ${JSON.stringify(await ready.first().textContent())} (${secs(t0)})`);
    const files = findFiles(dirs.userData, `${path.sep}fashion-mnist${path.sep}`).map((f) => path.basename(f)).sort();
    assert.deepEqual(files, ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz', 'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'], 'the four files, verified, in the global storage');
    await waitUntil(`the "not downloaded" problem to go away`, async () => !problemsOf((rows = await problemRows(page!)), FASHION_FILE).some(notDownloaded), 30_000, () => `Problems rows:\n${formatRows(rows)}`);
    await page.screenshot({ path: shot('e2e-download.png') });
    await runCommand(page, 'View: Close All Editors');
    timings.push(`download ${secs(t0)}`);
  });

  it('the GenLab view in the activity bar lists a run with its family, step and latest loss', async function () {
    this.timeout(90_000);
    assert.ok(page);
    const t0 = Date.now();
    await page.locator('.part.activitybar [aria-label*="GenLab"]').first().click();
    const row = page.locator('.part.sidebar .monaco-list-row', { hasText: RUN_NAME }).first();
    await row.waitFor({ state: 'visible', timeout: 30_000 }).catch(async () => {
      throw new Error(`no "${RUN_NAME}" in the GenLab view; side bar: ${JSON.stringify(await page!.locator('.part.sidebar').textContent())}`);
    });
    const text = (await row.textContent()) ?? '';
    log(`GenLab view row: ${JSON.stringify(text)} (${secs(t0)})`);
    assert.match(text, /gan · step 20 · dLoss \d/);
    await page.screenshot({ path: shot('e2e-runs-view.png') });
    timings.push(`runs view ${secs(t0)}`);
  });

  it('Resume in the GenLab view opens the run in the playground and goes on from its checkpoint', async function () {
    this.timeout(TRAIN_TIMEOUT_MS + 120_000);
    assert.ok(page);
    const t0 = Date.now();
    const row = page.locator('.part.sidebar .monaco-list-row', { hasText: RUN_NAME }).first();
    await row.hover();
    await row.locator('.action-label[aria-label*="Resume Training"]').click();
    let stats: Stats | undefined;
    const frame = await waitUntil('the run\'s panel, resumed at step 20 and training on', async () => {
      const f = await findWebviewFrame(page!);
      stats = f ? await readStats(f).catch(() => undefined) : undefined;
      return stats?.data.resumedStep === '20' && stats.step > 22 ? f : undefined;
    }, TRAIN_TIMEOUT_MS, () => `last #stats: ${JSON.stringify(stats)}`, 1000);
    log(`resumed from the GenLab view: ${JSON.stringify(stats?.text)} (${secs(t0)})`);
    await page.screenshot({ path: shot('e2e-runs-resume.png') });
    await frame.evaluate(() => (document.getElementById('btn-start') as HTMLElement | null)?.click());
    await waitUntil('training to pause', async () => (await readStats(frame)).running === 'false', 60_000);
    const metrics = fs.readFileSync(path.join(dirs!.workspace, '.genlab', 'runs', RUN_NAME, 'metrics.jsonl'), 'utf8');
    const steps = metrics.trim().split('\n').map((l) => JSON.parse(l) as { step: number; heldout?: unknown; metrics?: unknown }).filter((r) => !r.heldout && !r.metrics).map((r) => r.step);
    assert.deepEqual(steps.slice(0, 21), Array.from({ length: 21 }, (_, i) => i + 1), 'the panel appended to the terminal run\'s metrics, from step 21 on');
    await runCommand(page, 'View: Close All Editors');
    timings.push(`runs resume ${secs(t0)}`);
  });
});
