/**
 * The browser benchmark's plumbing: bundles bench/browserPage/entry.ts with esbuild into a
 * temporary folder (scripts/build.mjs stays as it is), serves it on 127.0.0.1 with the wasm
 * binaries and the bundled MNIST digits, and reads CPU time of a process tree from /proc.
 */
import * as esbuild from 'esbuild';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadBundledMnist } from '../../src/node/bundledData';

const ROOT = join(__dirname, '..', '..');
const WASM_DIR = join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');

/** Bundles a page script of this folder (browser, ESM, as the webview bundle is built); returns its JavaScript. */
export async function buildPage(entry = 'entry.ts'): Promise<string> {
  const outfile = join(mkdtempSync(join(tmpdir(), 'genlab-bench-')), 'bench.js');
  await esbuild.build({ entryPoints: [join(__dirname, entry)], outfile, bundle: true, platform: 'browser', format: 'esm', target: 'es2022', logLevel: 'warning' });
  return readFileSync(outfile, 'utf8');
}

/** Serves the page, its script, tfjs's wasm binaries (/wasm/) and the bundled MNIST (/data/pixels, /data/labels). */
export async function serveBench(script: string): Promise<{ server: Server; url: string }> {
  const mnist = loadBundledMnist(ROOT);
  const wasm = new Set(readdirSync(WASM_DIR).filter((f) => f.endsWith('.wasm')));
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const send = (type: string, body: string | Uint8Array) => { res.writeHead(200, { 'content-type': type }); res.end(body); };
    if (path === '/') send('text/html', '<!doctype html><meta charset="utf-8"><title>GenLab bench</title><script type="module" src="/bench.js"></script>');
    else if (path === '/bench.js') send('text/javascript', script);
    else if (path === '/data/pixels') send('application/octet-stream', mnist.pixels);
    else if (path === '/data/labels') send('application/octet-stream', mnist.labels);
    else if (path.startsWith('/wasm/') && wasm.has(basename(path))) send('application/wasm', readFileSync(join(WASM_DIR, basename(path))));
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

/** Parent pid and user + system CPU seconds of every process, from /proc/<pid>/stat (proc(5); 100 ticks a second on Linux). */
function processTable(): Map<number, { ppid: number; cpu: number }> {
  const table = new Map<number, { ppid: number; cpu: number }>();
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
      table.set(Number(name), { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / 100 });
    } catch {
      // the process ended while the table was read
    }
  }
  return table;
}

/** CPU seconds used so far by `root` and all its descendants (0 for pid 0). */
export function treeCpuSeconds(root: number): number {
  if (!root) return NaN;
  const table = processTable();
  let total = 0;
  const walk = (pid: number) => {
    total += table.get(pid)?.cpu ?? 0;
    for (const [child, p] of table) if (p.ppid === pid) walk(child);
  };
  walk(root);
  return total;
}

/** The first child of `parent` whose command name contains `name`, or 0. */
export function childPid(parent: number, name: string): number {
  for (const [pid, p] of processTable()) {
    if (p.ppid !== parent) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').includes(name)) return pid;
    } catch {
      // gone
    }
  }
  return 0;
}
