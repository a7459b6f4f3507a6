#!/usr/bin/env node
// In-host checks of the extension in desktop VS Code (Electron) via
// @vscode/test-electron: `npm run test:electron`.
//
// VS Code is used only when one is available:
//   1. VSCODE_EXECUTABLE_PATH (the Electron binary, e.g. /usr/share/code/code);
//   2. a `code` on PATH that resolves to desktop VS Code's Electron binary;
//   3. a copy already downloaded into .vscode-test/ (VSCODE_VERSION, default 1.100.3);
//   4. a download of VSCODE_VERSION, only when GENLAB_ALLOW_VSCODE_DOWNLOAD=1.
// Otherwise the suite is skipped (exit 0) with the reason printed; set
// GENLAB_REQUIRE_ELECTRON=1 to turn a skip into a failure (CI that has VS Code).
// On Linux without $DISPLAY the run is wrapped in xvfb-run when available.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync, execFileSync } = require('node:child_process');

const REPO = path.resolve(__dirname, '..', '..');
const VSCODE_VERSION = process.env.VSCODE_VERSION || '1.100.3';

function skip(reason) {
  if (process.env.GENLAB_REQUIRE_ELECTRON === '1') {
    console.error(`electron suite: FAILED — ${reason} (GENLAB_REQUIRE_ELECTRON=1)`);
    process.exit(1);
  }
  console.log(`electron suite: skipped — ${reason}`);
  process.exit(0);
}

function isFile(p) {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function which(cmd) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of process.platform === 'win32' ? ['.cmd', '.exe', ''] : ['']) {
      const p = path.join(dir, cmd + ext);
      if (isFile(p)) return p;
    }
  }
  return undefined;
}

/** `code` launcher on PATH -> Electron binary of that desktop VS Code (undefined for code-server's remote CLI etc.). */
function electronFromCodeOnPath() {
  const launcher = which('code');
  if (!launcher) return { reason: 'no `code` on PATH' };
  let real;
  try {
    real = fs.realpathSync(launcher);
  } catch {
    return { reason: `cannot resolve ${launcher}` };
  }
  const binDir = path.dirname(real); // <install>/bin (Linux, Windows) or .../Resources/app/bin (macOS)
  const candidates =
    process.platform === 'darwin'
      ? [path.resolve(binDir, '../../../MacOS/Electron'), path.resolve(binDir, '../../../MacOS/Code')]
      : process.platform === 'win32'
        ? [path.resolve(binDir, '../Code.exe')]
        : [path.resolve(binDir, '../code')];
  const found = candidates.find((c) => isFile(c) && c !== real);
  return found ? { path: found } : { reason: `\`code\` on PATH (${real}) is not a desktop VS Code install` };
}

function cachedDownload() {
  try {
    const { downloadDirToExecutablePath } = require('@vscode/test-electron/out/util');
    const platform =
      process.platform === 'darwin'
        ? process.arch === 'arm64' ? 'darwin-arm64' : 'darwin'
        : process.platform === 'win32'
          ? process.arch === 'arm64' ? 'win32-arm64-archive' : 'win32-x64-archive'
          : process.arch === 'arm64' ? 'linux-arm64' : process.arch === 'arm' ? 'linux-armhf' : 'linux-x64';
    const dir = path.join(REPO, '.vscode-test', `vscode-${platform}-${VSCODE_VERSION}`);
    const exe = downloadDirToExecutablePath(dir, platform);
    return isFile(exe) ? exe : undefined;
  } catch {
    return undefined;
  }
}

async function resolveVSCode() {
  const tried = [];
  const fromEnv = process.env.VSCODE_EXECUTABLE_PATH;
  if (fromEnv) {
    if (isFile(fromEnv)) return fromEnv;
    tried.push(`VSCODE_EXECUTABLE_PATH=${fromEnv} does not exist`);
  }
  const onPath = electronFromCodeOnPath();
  if (onPath.path) return onPath.path;
  tried.push(onPath.reason);
  const cached = cachedDownload();
  if (cached) return cached;
  if (process.env.GENLAB_ALLOW_VSCODE_DOWNLOAD === '1') {
    const { downloadAndUnzipVSCode } = require('@vscode/test-electron');
    try {
      return await downloadAndUnzipVSCode({ version: VSCODE_VERSION, timeout: 30_000 });
    } catch (e) {
      skip(`downloading VS Code ${VSCODE_VERSION} failed (${String(e && e.message ? e.message : e).split('\n')[0]})`);
    }
  }
  skip(
    `no VS Code installed and the network blocks downloading one (${tried.join('; ')}; ` +
      'set VSCODE_EXECUTABLE_PATH, or GENLAB_ALLOW_VSCODE_DOWNLOAD=1 to download one)',
  );
  return undefined;
}

async function main() {
  const vscodeExecutablePath = await resolveVSCode();

  // Electron needs a display on Linux: re-run under xvfb-run when there is none.
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY && !process.env.GENLAB_UNDER_XVFB) {
    const xvfb = which('xvfb-run');
    if (!xvfb) skip('no display ($DISPLAY unset) and xvfb-run is not installed (apt-get install xvfb)');
    const r = spawnSync(xvfb, ['-a', process.execPath, __filename], {
      stdio: 'inherit',
      env: { ...process.env, GENLAB_UNDER_XVFB: '1', VSCODE_EXECUTABLE_PATH: vscodeExecutablePath },
    });
    process.exit(r.status ?? 1);
  }

  console.log(`electron suite: VS Code at ${vscodeExecutablePath}`);
  console.log('electron suite: building the extension (node scripts/build.mjs)');
  execFileSync(process.execPath, [path.join(REPO, 'scripts', 'build.mjs')], { cwd: REPO, stdio: 'inherit' });

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'genlab-electron-'));
  const workspace = path.join(tmp, 'workspace');
  const userData = path.join(tmp, 'user-data');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.mkdirSync(workspace, { recursive: true });
  fs.writeFileSync(
    path.join(userData, 'User', 'settings.json'),
    JSON.stringify({ 'security.workspace.trust.enabled': false, 'workbench.startupEditor': 'none' }, null, 2),
  );

  const { runTests } = require('@vscode/test-electron');
  try {
    await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: REPO,
      extensionTestsPath: path.join(__dirname, 'suite', 'index.js'),
      launchArgs: [
        workspace,
        '--user-data-dir', userData,
        '--extensions-dir', path.join(tmp, 'extensions'),
        '--disable-extensions', // other extensions; the one under development still loads
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        '--disable-gpu-sandbox',
        ...(process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : []),
      ],
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error('electron suite: FAILED');
  console.error(err);
  process.exit(1);
});
