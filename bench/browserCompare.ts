/**
 * Benchmark (not a test), the browser half of issue 8: the MLP VAE 784-400-20 (batch 128, Adam
 * 1e-3, the bundled MNIST digits) trained in headless Chromium the plain TensorFlow.js way and
 * through GenLab's Trainer and Vae, on webgl (SwiftShader here), wasm and cpu, in the same
 * browser. Every measurement is a fresh page (bench/browserPage/entry.ts); runs are interleaved
 * round by round (order reversed every other round), ratios are taken pair by pair within a
 * round, medians reported. Two clocks: wall time, and CPU time of the whole browser process tree
 * (renderer and the GPU process, where SwiftShader runs), which other load disturbs less.
 * --variants adds GenLab variants (bench/browserPage/variantTable.ts; default: "stock", GenLab
 * with tfjs's own WebGL matMul and Adam); --check first compares GenLab's kernels and each variant's with
 * tfjs's on random inputs; --profile NAME prints where a step's time goes (NAME: plain, default
 * or a variant) and exits.
 *   npx tsx bench/browserCompare.ts [--rounds 5] [--steps webgl=30,wasm=30,cpu=3]
 *     [--backends webgl,wasm,cpu] [--variants stock,a+b] [--check] [--profile NAME]
 *     [--out bench/results/browser.json]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS } from '../test/browser/harness';
import type { BackendName } from '../src/shared/protocol';
import { buildPage, childPid, serveBench, treeCpuSeconds } from './browserPage/serve';
import type { RunConfig, RunResult } from './browserPage/entry';
import { VARIANTS, variantByName } from './browserPage/variantTable';
import { median, pairedRatios, spread } from './stats';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
};
const rounds = Number(arg('rounds', '5'));
const backends = arg('backends', 'webgl,wasm,cpu').split(',') as BackendName[];
const stepsBy: Record<string, number> = { webgl: 30, wasm: 30, cpu: 3, ...Object.fromEntries(arg('steps', '').split(',').filter(Boolean).map((s) => s.split('=')).map(([k, v]) => [k, Number(v)])) };
const variantNames = arg('variants', 'stock').split(',').filter(Boolean);
const outPath = arg('out', join(__dirname, 'results', 'browser.json'));
let browserPid = 0;
const load = () => os.loadavg().map((x) => Math.round(x * 100) / 100);

/** One configuration measured every round. */
interface Config { id: string; label: string; run: RunConfig }
const configs: Config[] = [];
for (const b of backends) {
  const base = { backend: b, steps: stepsBy[b], warmup: b === 'cpu' ? 1 : 5 };
  configs.push({ id: `plain_${b}`, label: `plain tfjs, ${b}`, run: { ...base, impl: 'plain' } });
  configs.push({ id: `genlab_${b}`, label: `GenLab, ${b}`, run: { ...base, impl: 'genlab' } });
  for (const name of variantNames.filter((n) => variantByName(n)?.backend === b)) {
    const v = variantByName(name)!;
    configs.push({ id: `genlab_${b}_${name}`, label: `GenLab, ${b}, ${v.label}`, run: { ...base, impl: 'genlab', readEvery: v.readEvery, variant: v.variant } });
  }
}
for (const n of variantNames) if (!variantByName(n)) throw new Error(`--variants: unknown variant "${n}" (${Object.keys(VARIANTS).join(', ')}, or a+b)`);

/** Runs `config` in a fresh page; the CPU time of the browser's processes is read at the page's start and end marks. */
async function measure(browser: Browser, url: string, config: RunConfig): Promise<RunResult & { cpuSeconds: number }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log(`  [page error] ${e.message}`));
  const marks: number[] = [];
  await page.exposeFunction('benchMark', () => { marks.push(treeCpuSeconds(browserPid)); });
  try {
    await page.goto(url);
    await page.waitForFunction(() => 'genlabBench' in window);
    const r = await page.evaluate((c) => (window as unknown as { genlabBench: { run(c: RunConfig): Promise<RunResult> } }).genlabBench.run(c), config);
    return { ...r, cpuSeconds: marks.length === 2 ? marks[1] - marks[0] : NaN };
  } finally {
    await context.close();
  }
}

(async () => {
  const bundle = await buildPage();
  const { server, url } = await serveBench(bundle);
  const launched = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  if (process.argv.includes('--profile')) return profile(launched, url, arg('profile', 'default')).finally(() => { server.close(); return launched.close(); });
  browserPid = childPid(process.pid, 'chrom');
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, browser: `Chromium ${launched.version()}`, flags: CHROMIUM_ARGS, loadBefore: load() },
    setup: { model: 'MLP VAE 784-400-20, ReLU hidden, Bernoulli decoder', optimizer: 'Adam 1e-3', batch: 128, data: 'bundled MNIST (10,000 digits)', rounds, steps: stepsBy },
  };
  const wall: Record<string, number[]> = {}, cpu: Record<string, number[]> = {};
  configs.forEach((c) => { wall[c.id] = []; cpu[c.id] = []; });
  const runs: Array<Record<string, unknown>> = [];
  try {
    if (process.argv.includes('--check')) results.checks = await runChecks(launched, url);
    for (let r = 0; r < rounds; r++) {
      for (const c of r % 2 ? [...configs].reverse() : configs) {
        try {
          const out = await measure(launched, url, c.run);
          wall[c.id][r] = out.samplesPerSecond;
          cpu[c.id][r] = (c.run.steps * 128) / out.cpuSeconds;
          runs.push({ round: r, id: c.id, load: load()[0], ...out });
          console.log(`round ${r + 1}/${rounds} ${c.label}: ${Math.round(out.samplesPerSecond)} samples/s, ${Math.round(cpu[c.id][r])} per CPU-s (loss ${out.lastLoss.toFixed(1)})`);
        } catch (e) {
          wall[c.id][r] = cpu[c.id][r] = NaN;
          runs.push({ round: r, id: c.id, error: (e as Error).message });
          console.log(`round ${r + 1}/${rounds} ${c.label}: failed: ${(e as Error).message}`);
        }
      }
    }
  } finally {
    await launched.close();
    server.close();
  }
  const valid = (xs: number[]) => xs.filter((x) => Number.isFinite(x));
  const summary = (s: Record<string, number[]>) => Object.fromEntries(configs.map((c) => [c.id, { label: c.label, median: median(valid(s[c.id])), spread: spread(valid(s[c.id])), runs: s[c.id] }]));
  const pairs = configs.filter((c) => c.id.startsWith('genlab_')).flatMap((c) => {
    const b = c.run.backend, target = b === 'webgl' && c.id === `genlab_${b}` ? 2 : undefined;
    const vsPlain = { id: `${c.id} / plain_${b}`, a: c.id, b: `plain_${b}`, target };
    return c.id === `genlab_${b}` ? [vsPlain] : [vsPlain, { id: `${c.id} / genlab_${b}`, a: c.id, b: `genlab_${b}`, target: undefined }];
  });
  // Where WebGL is drawn in software (SwiftShader here) the panel trains on wasm instead (src/webview/renderer.ts):
  // what a user of such a machine gets, against plain tfjs on the WebGL the browser offers.
  if (wall.genlab_wasm && wall.plain_webgl) pairs.push({ id: 'genlab_wasm / plain_webgl', a: 'genlab_wasm', b: 'plain_webgl', target: undefined });
  const ratio = (s: Record<string, number[]>) => pairs.map((p) => {
    const rs = valid(pairedRatios(s[p.a], s[p.b]));
    return { pair: p.id, median: median(rs), min: Math.min(...rs), max: Math.max(...rs), target: p.target ?? null, met: p.target === undefined ? null : median(rs) >= p.target };
  });
  Object.assign(results, { throughput: { wall: summary(wall), cpu: summary(cpu) }, ratios: { wall: ratio(wall), cpu: ratio(cpu) }, runs });
  (results.machine as Record<string, unknown>).loadAfter = load();
  printTable(results);
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, JSON.stringify(results, null, 2) + '\n');
  console.log(`Full results: ${outPath}`);
})().catch((e) => {
  console.error(`bench/browserCompare.ts: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});

/** Prints the costliest kernels (25, or --profile-rows N) of a webgl step of `name` (plain, default or a variant; see bench/browserPage/profile.ts). */
async function profile(browser: Browser, url: string, name: string): Promise<void> {
  const v = variantByName(name);
  if (!v && name !== 'plain' && name !== 'default') throw new Error(`--profile: unknown "${name}" (plain, default, ${Object.keys(VARIANTS).join(', ')}, or a+b)`);
  const page = await (await browser.newContext()).newPage();
  await page.goto(url);
  await page.waitForFunction(() => 'genlabBench' in window);
  const config: RunConfig = { impl: name === 'plain' ? 'plain' : 'genlab', backend: 'webgl', steps: 5, warmup: 3, readEvery: v?.readEvery, variant: v?.variant };
  const prof = await page.evaluate((c) => (window as unknown as { genlabBench: { profile(c: RunConfig): Promise<Record<string, { ms: number; calls: number }>> } }).genlabBench.profile(c), config);
  const rows = Object.entries(prof).sort((a, b) => b[1].ms - a[1].ms);
  const perStep = (x: number) => (x / config.steps).toFixed(1).padStart(7);
  console.log(`${name}, webgl: ${perStep(rows.reduce((s, [, r]) => s + r.ms, 0))} ms and ${perStep(rows.reduce((s, [, r]) => s + r.calls, 0))} kernels a step, each timed to completion`);
  rows.slice(0, Number(arg('profile-rows', '25'))).forEach(([k, r]) => console.log(`  ${perStep(r.ms)} ms ${perStep(r.calls)}×  ${k}`));
}

/** Equal-results checks of every variant asked for, each in a fresh page. */
async function runChecks(browser: Browser, url: string): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const name of ['default', ...variantNames]) {
    const v = name === 'default' ? { backend: 'webgl' as BackendName, variant: {} } : variantByName(name)!;
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction(() => 'genlabBench' in window);
    out[name] = await page.evaluate((c) => (window as unknown as { genlabBench: { check(c: unknown): Promise<Record<string, number>> } }).genlabBench.check(c), { backend: v.backend, variant: v.variant });
    await context.close();
    const worst = Math.max(0, ...Object.values(out[name]));
    console.log(`check ${name}: largest relative error ${worst.toExponential(2)} ${worst < 1e-4 ? '(< 1e-4)' : '(NOT < 1e-4)'} ${JSON.stringify(out[name])}`);
  }
  return out;
}

function printTable(results: Record<string, unknown>): void {
  const t = results.throughput as Record<'wall' | 'cpu', Record<string, { label: string; median: number; spread: number }>>;
  const r = results.ratios as Record<'wall' | 'cpu', Array<{ pair: string; median: number; min: number; max: number; target: number | null; met: boolean | null }>>;
  const f = (x: number, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '—');
  const m = results.machine as Record<string, unknown>;
  console.log(`\nMLP VAE 784-400-20, batch 128, Adam, in ${m.browser} (${m.cpus}× ${m.model}); load before ${(m.loadBefore as number[]).join(' ')}, after ${(m.loadAfter as number[]).join(' ')}`);
  console.log(`Samples/s, median of ${rounds} interleaved rounds (spread = (max − min) / median): wall clock | per CPU-second of the browser`);
  for (const id of Object.keys(t.wall)) console.log(`  ${t.wall[id].label.padEnd(40)} ${f(t.wall[id].median).padStart(6)} (±${f(100 * t.wall[id].spread)}%) | ${f(t.cpu[id].median).padStart(6)} (±${f(100 * t.cpu[id].spread)}%)`);
  console.log('Ratios, pair by pair within a round: median [min–max], wall | CPU');
  r.wall.forEach((w, i) => {
    const c = r.cpu[i];
    console.log(`  ${w.pair.padEnd(48)} ${f(w.median, 2)}× [${f(w.min, 2)}–${f(w.max, 2)}] | ${f(c.median, 2)}× [${f(c.min, 2)}–${f(c.max, 2)}]${w.target ? `  target ≥ ${w.target}: ${w.met ? 'met' : 'NOT met'} | ${c.met ? 'met' : 'NOT met'}` : ''}`);
  });
}
