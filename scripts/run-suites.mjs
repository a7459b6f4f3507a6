// Runs every test suite in turn, streams its output, and closes with one line:
// "tests: N passed, N failed, N skipped". Exits non-zero if any suite failed.
import { spawn } from 'node:child_process';

const suites = [
  ['typecheck', 'npm', ['run', '-s', 'typecheck']],
  ['unit', 'npm', ['run', '-s', 'test:unit']],
  ['browser', 'npm', ['run', '-s', 'test:browser']],
  ['e2e', 'npm', ['run', '-s', 'test:e2e']],
  ['electron', 'npm', ['run', '-s', 'test:electron']],
];
const only = process.argv.slice(2);
let passed = 0, failed = 0, skipped = 0;
const failedSuites = [];

for (const [name, cmd, args] of suites) {
  if (only.length && !only.includes(name)) continue;
  console.log(`\n=== ${name} ===`);
  const started = Date.now();
  let out = '';
  const code = await new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const tee = (stream, sink) => stream.on('data', (d) => { out += d; sink.write(d); });
    tee(child.stdout, process.stdout);
    tee(child.stderr, process.stderr);
    child.on('close', resolve);
  });
  const count = (re) => [...out.matchAll(re)].reduce((s, m) => s + Number(m[1]), 0);
  const p = count(/^\s*(\d+) passing/gm), f = count(/^\s*(\d+) failing/gm), k = count(/^\s*(\d+) pending/gm) + (out.match(/^\S+ suite: skipped/gm) ?? []).length;
  passed += p; failed += f; skipped += k;
  if (name === 'typecheck') code === 0 ? passed++ : failed++;
  if (code !== 0) {
    failedSuites.push(name);
    if (f === 0 && name !== 'typecheck') failed++;
  }
  console.log(`=== ${name}: exit ${code}, ${p} passed, ${f} failed, ${k} skipped, ${((Date.now() - started) / 1000).toFixed(0)} s ===`);
}
if (failedSuites.length) console.log(`failed suites: ${failedSuites.join(', ')}`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failedSuites.length ? 1 : 0);
