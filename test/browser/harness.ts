/**
 * Browser-test harness: serves the real playground page (the host's HTML and CSP, the built
 * webview bundle) on 127.0.0.1, with a stand-in acquireVsCodeApi that answers "ready" with
 * the same init message the host sends, and opens it in headless Chromium via playwright-core.
 */
import { createServer, type Server } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildPlaygroundHtml, makeNonce } from '../../src/extension/html';
import { loadBundledMnist } from '../../src/node/bundledData';
import { WEBVIEW_STRINGS } from '../../src/shared/strings';
import { VAE_DEFAULTS } from '../../src/core/families/vaeConfig';
import type { BackendName, ResumeData, VaeHyperparameters } from '../../src/shared/protocol';
import type { WireCheckpoint } from '../../src/shared/checkpointWire';
import type { ModelSpec } from '../../src/core/modelfile/types';
import type { DataSet } from '../../src/core/data/dataset';

const ROOT = normalize(join(__dirname, '..', '..'));
const MIME: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.png': 'image/png', '.html': 'text/html' };

/** Flags Chromium needs here: no sandbox as root, no background traffic, WebGL on SwiftShader. */
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run', '--disable-quic', '--enable-unsafe-swiftshader', '--use-angle=swiftshader', '--ignore-gpu-blocklist',
];

/** What a test can set about the page. */
export interface PageOptions {
  /**
   * Default: ['wasm'] (none with noWebGL), so that tests train on WebGL even on SwiftShader, where
   * GenLab would otherwise put wasm first (src/webview/renderer.ts); a test of that choice passes [].
   */
  disabledBackends?: BackendName[];
  hyperparameters?: Partial<VaeHyperparameters>;
  extraArgs?: string[];
  /** Makes getContext('webgl'/'webgl2') return null, as in VS Code installs without WebGL. */
  noWebGL?: boolean;
  /** A model file's resolved spec, as the host sends for ▶ Train. */
  spec?: ModelSpec;
  /** Makes requestAnimationFrame never call back, as in a hidden webview. */
  noAnimationFrames?: boolean;
  /** The data to send (default: the bundled MNIST digits). */
  dataset?: DataSet;
  /** Keeps every WebGL context the page creates in window.__gl, so that a test can lose one (WEBGL_lose_context). */
  captureWebGL?: boolean;
  /** Seconds between checkpoints sent to the host (default 0: only on pause). */
  checkpointEverySeconds?: number;
  /** A run to go on from, as the host sends it after a reload (see pageCheckpoint). */
  resume?: ResumeData;
  /** Whether the init message starts training (default true). */
  autostart?: boolean;
}

/** The run folder name the stand-in host gives the page. */
export const TEST_RUN = 'test-run-20261129-000000';

/** JSON with every Uint8Array as {$b64}, for the stand-in to revive in the page. */
function encodeBytes(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? { $b64: Buffer.from(v).toString('base64') } : v));
}

/** A served playground page in a running browser. */
export interface PlaygroundPage {
  page: Page;
  browser: Browser;
  /** Messages the webview posted to the stand-in host. */
  toHost(): Promise<Array<{ type: string; [k: string]: unknown }>>;
  /** CSP violations reported by the page. */
  cspViolations(): Promise<string[]>;
  /** Uncaught errors and rejections in the page so far, each as its message. */
  pageErrors(): string[];
  close(): Promise<void>;
}

function serve(opts: PageOptions): Promise<Server> {
  const set: DataSet = opts.dataset ?? loadBundledMnist(ROOT);
  const { pixels, points, tokens, ...header } = set as DataSet & { pixels?: Uint8Array; points?: Float32Array; tokens?: Int32Array };
  const body = pixels ?? new Uint8Array(((points ?? tokens) as Float32Array | Int32Array).buffer, (points ?? tokens)?.byteOffset, (points ?? tokens)?.byteLength);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (url.pathname === '/' || url.pathname === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(buildPlaygroundHtml({ cspSource: origin, nonce: makeNonce(), scriptUri: `${origin}/dist/webview.js`, styleUri: `${origin}/media/playground.css`, lang: 'en', title: 'GenLab test' }));
      return;
    }
    if (url.pathname === '/test/init.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(encodeBytes({
        type: 'init', title: 'GenLab test',
        hyperparameters: { ...pick(VAE_DEFAULTS), ...opts.hyperparameters },
        dataset: header,
        strings: Object.fromEntries(WEBVIEW_STRINGS.map((s) => [s, s])),
        wasmBase: `${origin}/dist/wasm/`,
        disabledBackends: opts.disabledBackends ?? (opts.noWebGL ? [] : ['wasm']),
        autostart: opts.autostart ?? true,
        checkpointEverySeconds: opts.checkpointEverySeconds ?? 0,
        panelState: { source: 'builtin', run: TEST_RUN, running: opts.autostart ?? true },
        ...(opts.spec ? { spec: opts.spec } : {}),
        ...(opts.resume ? { resume: opts.resume } : {}),
      }));
      return;
    }
    if (url.pathname === '/test/pixels' || url.pathname === '/test/labels') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const bytes = url.pathname === '/test/labels' ? set.labels : body;
      res.end(Buffer.from(bytes));
      return;
    }
    const file = normalize(join(ROOT, decodeURIComponent(url.pathname)));
    const allowed = [join(ROOT, 'dist'), join(ROOT, 'media')].some((d) => file.startsWith(d + '/'));
    if (!allowed || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function pick(c: typeof VAE_DEFAULTS): VaeHyperparameters {
  return { latentDim: c.latentDim, hiddenUnits: c.hiddenUnits, batchSize: c.batchSize, learningRate: c.learningRate, beta: c.beta };
}

/** The stand-in for VS Code's webview API, installed before any page script runs. */
const STAND_IN = `
  window.__toHost = []; window.__csp = []; window.__longTasks = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' at ' + e.sourceFile + ':' + e.lineNumber + ':' + e.columnNumber + ' ' + e.sample));
  try { new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__longTasks.push({ start: e.startTime, duration: e.duration })))
    .observe({ type: 'longtask', buffered: true }); } catch {}
  window.__checkpoints = []; window.__state = undefined;
  const revive = (v) => {
    if (Array.isArray(v)) return v.map(revive);
    if (!v || typeof v !== 'object') return v;
    if (typeof v.$b64 === 'string') return Uint8Array.from(atob(v.$b64), (c) => c.charCodeAt(0));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]));
  };
  window.acquireVsCodeApi = () => ({
    getState: () => window.__state, setState: (s) => { window.__state = s; },
    postMessage: async (m) => {
      if (m && m.type === 'checkpoint') {
        // Kept whole for the test; the log gets a summary (a checkpoint is megabytes).
        window.__checkpoints.push(m);
        window.__toHost.push({ type: 'checkpoint', reason: m.reason, step: m.checkpoint.state.trainer.step });
        window.postMessage({ type: 'checkpointSaved', step: m.checkpoint.state.trainer.step, run: '${TEST_RUN}' }, '*');
        return;
      }
      window.__toHost.push(m);
      if (m && m.type === 'ready') {
        const init = revive(await (await fetch('/test/init.json')).json());
        const body = await (await fetch('/test/pixels')).arrayBuffer();
        if (init.dataset.kind === 'points') init.dataset.points = new Float32Array(body);
        else if (init.dataset.kind === 'text') init.dataset.tokens = new Int32Array(body);
        else init.dataset.pixels = new Uint8Array(body);
        init.dataset.labels = new Uint8Array(await (await fetch('/test/labels')).arrayBuffer());
        window.postMessage(init, '*');
      }
    },
  });`;

/** Removes WebGL the way a VS Code install without it does: getContext returns null. */
const NO_WEBGL = `
  for (const C of [HTMLCanvasElement, typeof OffscreenCanvas === 'undefined' ? null : OffscreenCanvas]) {
    if (!C) continue;
    const original = C.prototype.getContext;
    C.prototype.getContext = function (kind, ...rest) {
      return /webgl/i.test(String(kind)) ? null : original.call(this, kind, ...rest);
    };
  }`;

/** Records each WebGL context in window.__gl. */
const CAPTURE_WEBGL = `
  window.__gl = [];
  for (const C of [HTMLCanvasElement, typeof OffscreenCanvas === 'undefined' ? null : OffscreenCanvas]) {
    if (!C) continue;
    const original = C.prototype.getContext;
    C.prototype.getContext = function (kind, ...rest) {
      const ctx = original.call(this, kind, ...rest);
      if (ctx && /webgl/i.test(String(kind))) window.__gl.push(ctx);
      return ctx;
    };
  }`;

/** Serves the playground and opens it in headless Chromium. */
export async function openPlayground(opts: PageOptions = {}): Promise<PlaygroundPage> {
  const server = await serve(opts);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [...CHROMIUM_ARGS, ...(opts.extraArgs ?? [])] });
  const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
  const errors: string[] = [];
  // With where it was thrown (the test bundle is not minified, so its function names show).
  page.on('pageerror', (e) => {
    errors.push(e.message);
    console.log(`      [page error] ${e.message}${(e.stack ?? '').split('\n').slice(1, 8).map((l) => `\n        ${l.trim()}`).join('')}`);
  });
  page.on('console', (m) => { if (m.type() === 'error') console.log(`      [console] ${m.text()}`); });
  await page.addInitScript(STAND_IN);
  if (opts.noWebGL) await page.addInitScript(NO_WEBGL);
  if (opts.captureWebGL) await page.addInitScript(CAPTURE_WEBGL);
  if (opts.noAnimationFrames) await page.addInitScript('window.__rafCalls = 0; window.requestAnimationFrame = () => ++window.__rafCalls;');
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  return {
    page, browser,
    toHost: () => page.evaluate(() => (window as unknown as { __toHost: Array<{ type: string }> }).__toHost),
    cspViolations: () => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp),
    pageErrors: () => [...errors],
    close: async () => { await browser.close(); server.close(); },
  };
}

/** For afterEach: screenshots the page of a failed test into test-results/browser-<title>.png, then closes it. */
export async function closeAfterTest(p: PlaygroundPage | undefined, test: { title: string; state?: string } | undefined): Promise<void> {
  if (p && test?.state === 'failed') {
    await p.page.screenshot({ path: `test-results/browser-${test.title.replace(/\W+/g, '-').slice(0, 60)}.png`, fullPage: true }).catch(() => {});
  }
  await p?.close();
}

/** The page's latest checkpoint message (sent on pause or by the timer), as the host would receive it. */
export async function pageCheckpoint(page: Page): Promise<WireCheckpoint> {
  const json = await page.evaluate(() => {
    const list = (window as unknown as { __checkpoints: Array<{ checkpoint: unknown }> }).__checkpoints;
    const last = list[list.length - 1];
    if (!last) return '';
    return JSON.stringify(last.checkpoint, (_k, v: unknown) => {
      if (!(v instanceof Uint8Array)) return v;
      let s = '';
      for (let i = 0; i < v.length; i += 0x8000) s += String.fromCharCode(...v.subarray(i, i + 0x8000));
      return { $b64: btoa(s) };
    });
  });
  if (!json) throw new Error('the page sent no checkpoint');
  return JSON.parse(json, (_k, v: unknown) => (v && typeof v === 'object' && typeof (v as { $b64?: unknown }).$b64 === 'string' ? new Uint8Array(Buffer.from((v as { $b64: string }).$b64, 'base64')) : v)) as WireCheckpoint;
}

/** Waits until the stats element reports at least `steps` steps; returns its data attributes. */
export async function waitForSteps(page: Page, steps: number, timeoutMs: number): Promise<Record<string, string>> {
  await page.waitForFunction((n) => Number(document.getElementById('stats')?.dataset.step ?? 0) >= n, steps, { timeout: timeoutMs, polling: 250 });
  return page.evaluate(() => ({ ...(document.getElementById('stats') as HTMLElement).dataset }) as Record<string, string>);
}
