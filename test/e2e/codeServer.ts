// Helpers for the end-to-end test: start code-server (VS Code in the browser)
// with throwaway user-data/extensions dirs, install a .vsix into it, and stop it
// again (the whole process group, also when the test process dies).
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CODE_SERVER_VERSION = '4.100.3';

/** code-server launcher: $GENLAB_CODE_SERVER, else the cache folder scripts/install-code-server.sh fills. */
export function resolveCodeServer(): string {
  const fromEnv = process.env.GENLAB_CODE_SERVER;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`GENLAB_CODE_SERVER=${fromEnv} does not exist`);
    return fromEnv;
  }
  const cache = process.env.GENLAB_CACHE || path.join(os.homedir(), '.cache', 'genlab');
  const candidate = path.join(cache, `code-server-${CODE_SERVER_VERSION}`, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (fs.existsSync(candidate)) return candidate;
  throw new Error(
    'code-server not found: set GENLAB_CODE_SERVER or run `bash scripts/install-code-server.sh` ' +
      '(or use `npm run test:e2e`, which does both).',
  );
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface CodeServerDirs {
  root: string;
  userData: string;
  extensions: string;
  workspace: string;
  log: string;
}

/** Fresh temp dirs + User/settings.json that keeps the workbench quiet. */
export function makeDirs(extraSettings: Record<string, unknown> = {}): CodeServerDirs {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'genlab-e2e-'));
  const dirs: CodeServerDirs = {
    root,
    userData: path.join(root, 'user-data'),
    extensions: path.join(root, 'extensions'),
    workspace: path.join(root, 'workspace'),
    log: path.join(root, 'code-server.log'),
  };
  for (const d of [dirs.userData, dirs.extensions, dirs.workspace, path.join(dirs.userData, 'User')]) {
    fs.mkdirSync(d, { recursive: true });
  }
  const settings = {
    'security.workspace.trust.enabled': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'extensions.ignoreRecommendations': true,
    ...extraSettings,
  };
  fs.writeFileSync(path.join(dirs.userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  fs.writeFileSync(path.join(dirs.workspace, 'README.md'), '# GenLab e2e workspace\n');
  return dirs;
}

/** Environment for code-server: keeps it from writing ~/.config/code-server and ~/.local/share/code-server. */
function codeServerEnv(dirs: CodeServerDirs): NodeJS.ProcessEnv {
  return {
    ...process.env,
    XDG_CONFIG_HOME: path.join(dirs.root, 'xdg-config'),
    XDG_DATA_HOME: path.join(dirs.root, 'xdg-data'),
  };
}

export function installExtension(codeServer: string, vsix: string, dirs: CodeServerDirs): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      codeServer,
      ['--install-extension', vsix, '--extensions-dir', dirs.extensions, '--user-data-dir', dirs.userData],
      { env: codeServerEnv(dirs), timeout: 120_000 },
      (err, stdout, stderr) => {
        const out = `${stdout}${stderr}`;
        if (err) reject(new Error(`--install-extension ${vsix} failed: ${err.message}\n${out}`));
        else resolve(out.trim());
      },
    );
  });
}

export interface RunningCodeServer {
  url: string;
  port: number;
  proc: ChildProcess;
  stop(): Promise<void>;
}

const liveGroups = new Set<number>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort (mocha bailing out, Ctrl+C): never leave code-server running.
  process.on('exit', () => {
    for (const pid of liveGroups) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => process.exit(130));
  }
}

function httpOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(5000, () => {
      req.destroy();
      resolve(false);
    });
  });
}

export async function startCodeServer(codeServer: string, dirs: CodeServerDirs, timeoutMs = 120_000): Promise<RunningCodeServer> {
  installExitHook();
  const port = await freePort();
  const args = [
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions,
  ];
  const logFd = fs.openSync(dirs.log, 'a');
  // detached: own process group, so stop() can take down the server's children too.
  const proc = spawn(codeServer, args, { env: codeServerEnv(dirs), stdio: ['ignore', logFd, logFd], detached: true });
  fs.closeSync(logFd);
  const pid = proc.pid;
  if (!pid) throw new Error('could not spawn code-server');
  liveGroups.add(pid);
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => proc.once('exit', () => { exited = true; resolve(); }));

  const stop = async (): Promise<void> => {
    if (!liveGroups.has(pid)) return;
    const kill = (sig: NodeJS.Signals) => {
      try {
        process.kill(-pid, sig);
      } catch {
        /* already gone */
      }
    };
    kill('SIGTERM');
    await Promise.race([exitedPromise, new Promise((r) => setTimeout(r, 5000))]);
    kill('SIGKILL'); // stragglers in the group (extension host, pty host, ...)
    liveGroups.delete(pid);
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (!(await httpOk(`${url}/healthz`))) {
    if (exited) {
      liveGroups.delete(pid);
      throw new Error(`code-server exited during startup:\n${tail(dirs.log)}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on ${url} within ${timeoutMs} ms:\n${tail(dirs.log)}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return { url, port, proc, stop };
}

export function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${file})`;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `probe` every `intervalMs` until it returns something other than undefined/false
 * and returns that; after `timeoutMs` throws `timed out after N s waiting for <what>`,
 * followed by `detail()` (e.g. the last state seen) when given.
 */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  detail?: () => string | Promise<string>,
  intervalMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let value: T | undefined | false;
    try {
      value = await probe();
    } catch {
      value = undefined; // e.g. a frame that navigated away; try again
    }
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      const more = detail ? await Promise.resolve(detail()).catch((e) => `(detail failed: ${String(e)})`) : '';
      throw new Error(`timed out after ${(timeoutMs / 1000).toFixed(0)} s waiting for ${what}${more ? `\n${more}` : ''}`);
    }
    await sleep(intervalMs);
  }
}

/**
 * Headless Chromium flags for the e2e tests (see the comment in train-vae.e2e.ts for why each is
 * there), plus any extra flags in $GENLAB_E2E_CHROMIUM_ARGS (space-separated).
 */
export function chromiumArgs(): string[] {
  return [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
    '--enable-unsafe-swiftshader',
    '--use-angle=swiftshader',
    ...(process.env.GENLAB_E2E_CHROMIUM_ARGS ? process.env.GENLAB_E2E_CHROMIUM_ARGS.split(/\s+/).filter(Boolean) : []),
  ];
}

/** A headless Chromium page with its browser, collecting console errors and warnings. */
export interface BrowserSession {
  browser: Browser;
  page: Page;
  consoleLines: string[];
}

/** Launches Chromium at `executablePath` with chromiumArgs() and opens a 1400×900 page. */
export async function openBrowser(executablePath: string): Promise<BrowserSession> {
  const browser = await chromium.launch({ executablePath, headless: true, args: chromiumArgs() });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const consoleLines: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') consoleLines.push(`[${m.type()}] ${m.text().slice(0, 300)}`);
  });
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${String(e).slice(0, 300)}`));
  return { browser, page, consoleLines };
}

/** Opens the workspace folder in the workbench and waits until it has finished restoring. */
export async function openWorkbench(page: Page, server: RunningCodeServer, dirs: CodeServerDirs): Promise<void> {
  await page.goto(`${server.url}/?folder=${encodeURIComponent(dirs.workspace)}`);
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 120_000 });
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
  await sleep(2000); // extension host up, layout settled
}

/** Closes the browser, stops code-server, keeps its log at `logCopy`, and removes the temp dirs (unless GENLAB_E2E_KEEP=1). */
export async function shutDown(browser: Browser | undefined, server: RunningCodeServer | undefined, dirs: CodeServerDirs | undefined, logCopy: string): Promise<void> {
  await browser?.close().catch(() => undefined);
  await server?.stop();
  if (!dirs) return;
  fs.mkdirSync(path.dirname(logCopy), { recursive: true });
  try {
    fs.copyFileSync(dirs.log, logCopy);
  } catch {
    /* no log */
  }
  if (process.env.GENLAB_E2E_KEEP === '1') console.log(`      [e2e] kept ${dirs.root}`);
  else fs.rmSync(dirs.root, { recursive: true, force: true });
}

/** Runs a command by its palette title; retries while the command list is still loading. */
export async function runCommand(page: Page, title: string): Promise<void> {
  for (let attempt = 1; attempt <= 4; attempt++) {
    await page.keyboard.press('Control+Shift+P');
    const input = page.locator('.quick-input-widget input.input');
    try {
      await input.waitFor({ state: 'visible', timeout: 10_000 });
    } catch {
      console.log(`      [e2e] command palette did not open (attempt ${attempt})`);
      await page.keyboard.press('Escape');
      continue;
    }
    await page.keyboard.type(title, { delay: 10 });
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 10_000 });
    } catch {
      console.log(`      [e2e] "${title}" not in the command palette yet (attempt ${attempt})`);
      await page.keyboard.press('Escape');
      await sleep(1000);
      continue;
    }
    await row.click();
    return;
  }
  throw new Error(`could not run "${title}" from the command palette`);
}
