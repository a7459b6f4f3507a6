/**
 * Benchmark (not a test) of issue 8: the MLP VAE 784-400-20 (Bernoulli decoder, Adam 1e-3,
 * batch 128) on Fashion-MNIST, trained (a) the plain TensorFlow.js way, (b) through GenLab's
 * Trainer and Vae, on Node's wasm and cpu backends, and (c) by PyTorch on the CPU. Every run is a
 * fresh process (bench/vaeTask.ts, bench/torch_vae.py); runs are interleaved round by round (the
 * order reversed every other round), ratios are taken pair by pair within a round, and medians
 * are reported, since the machine is noisy and shared. Quality at equal work: held-out −ELBO on
 * the 10,000 test images after 1 and 5 epochs, GenLab against PyTorch, pixel intensities in
 * [0, 1] as Bernoulli targets for both. Prints a table; writes everything to --out.
 *   npx tsx bench/compare.ts [--rounds 5] [--steps 60] [--cpu-steps 3] [--epochs 1,5]
 *     [--threads 2] [--skip cpu,torch,threads,quality,matmul] [--out bench/results/latest.json]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { dirname, join } from 'node:path';
import { median, pairedRatios, spread } from './stats';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
};
const rounds = Number(arg('rounds', '5'));
const steps = arg('steps', '60'), cpuSteps = arg('cpu-steps', '3'), threads = arg('threads', '2');
const epochs = arg('epochs', '1,5');
const skip = new Set(arg('skip', '').split(',').filter(Boolean));
const outPath = arg('out', join(__dirname, 'results', 'latest.json'));
const PYTHON = process.env.GENLAB_BENCH_PYTHON ?? '/usr/bin/python3';
const TSX = require.resolve('tsx/cli');

/** One configuration measured every round. */
interface Config { id: string; label: string; run: () => string[] }
const task = (...args: string[]) => () => [process.execPath, TSX, join(__dirname, 'vaeTask.ts'), ...args];
const torch = (...args: string[]) => () => [PYTHON, join(__dirname, 'torch_vae.py'), ...args];

/** Runs a command that prints one JSON object on its last line of output; throws with its error output otherwise. */
function runJson(cmd: string[], timeoutMs = 1_800_000): Record<string, unknown> {
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  const last = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  if (r.status === 0 && last.startsWith('{')) return JSON.parse(last) as Record<string, unknown>;
  throw new Error(`${cmd.slice(1, 3).join(' ')}: exit ${r.status}: ${(r.stderr || r.stdout || '').trim().split('\n').slice(-3).join(' | ')}`);
}

/** Whether PyTorch can be imported; installs Debian's python3-torch through apt when running as root and allowed. */
function torchStatus(): { ok: boolean; note: string } {
  const probe = () => spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  let p = probe();
  if (p.status === 0) return { ok: true, note: `torch ${p.stdout.trim()}` };
  const mayInstall = process.getuid?.() === 0 && !process.env.GENLAB_BENCH_NO_APT;
  if (!mayInstall) return { ok: false, note: `missing: ${PYTHON} cannot import torch (apt-get install python3-torch libopenblas0-pthread as root)` };
  console.log('PyTorch missing: apt-get install -y python3-torch libopenblas0-pthread …');
  const apt = spawnSync('apt-get', ['install', '-y', 'python3-torch', 'libopenblas0-pthread'], { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  p = probe();
  return p.status === 0 ? { ok: true, note: `torch ${p.stdout.trim()} (installed by apt)` } : { ok: false, note: `missing: apt-get install failed (exit ${apt.status})` };
}

const torchInfo = skip.has('torch') ? { ok: false, note: 'skipped' } : torchStatus();
const configs: Config[] = [
  { id: 'plain_wasm', label: 'plain tfjs, wasm', run: task('throughput', '--impl', 'plain', '--backend', 'wasm', '--steps', String(Math.max(8, Math.round(Number(steps) / 3)))) },
  { id: 'genlab_wasm', label: 'GenLab, wasm', run: task('throughput', '--impl', 'genlab', '--backend', 'wasm', '--steps', steps) },
  ...(torchInfo.ok ? [{ id: 'torch_cpu', label: 'PyTorch, CPU', run: torch('throughput', '--steps', String(Number(steps) * 2)) }] : []),
  ...(skip.has('threads') ? [] : [{ id: 'genlab_wasm_threads', label: `GenLab, wasm ${threads} threads`, run: task('throughput', '--impl', 'genlab', '--backend', 'wasm', '--threads', threads, '--steps', steps) }]),
  ...(skip.has('cpu') ? [] : [
    { id: 'plain_cpu', label: 'plain tfjs, cpu', run: task('throughput', '--impl', 'plain', '--backend', 'cpu', '--steps', cpuSteps, '--warmup', '1') },
    { id: 'genlab_cpu', label: 'GenLab, cpu', run: task('throughput', '--impl', 'genlab', '--backend', 'cpu', '--steps', cpuSteps, '--warmup', '1') },
  ]),
];

/** The pairs whose ratios the issue sets targets for (or that tell what a change gives). */
const PAIRS: Array<{ id: string; a: string; b: string; target?: number }> = [
  { id: 'genlab_wasm / plain_wasm', a: 'genlab_wasm', b: 'plain_wasm', target: 4 },
  { id: 'genlab_wasm / torch_cpu', a: 'genlab_wasm', b: 'torch_cpu', target: 0.25 },
  { id: 'genlab_wasm_threads / genlab_wasm', a: 'genlab_wasm_threads', b: 'genlab_wasm' },
  { id: 'genlab_cpu / plain_cpu', a: 'genlab_cpu', b: 'plain_cpu' },
  { id: 'plain_wasm / torch_cpu', a: 'plain_wasm', b: 'torch_cpu' },
];

const load = () => os.loadavg().map((x) => Math.round(x * 100) / 100);
const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), platform: `${os.platform()} ${os.release()}`, node: process.version, loadBefore: load() },
  setup: { model: 'MLP VAE 784-400-20, ReLU hidden, Bernoulli decoder', optimizer: 'Adam 1e-3', batch: 128, data: 'Fashion-MNIST (60,000 train / 10,000 test), intensities in [0, 1] as Bernoulli targets', rounds, steps: Number(steps), cpuSteps: Number(cpuSteps), torch: torchInfo.note },
};

// Throughput, interleaved: round r runs every configuration, in reverse order on odd rounds.
// Two clocks: wall time (what a user waits) and the process's CPU time (all its threads), which
// other load on a shared machine disturbs far less.
const METRICS = { wall: 'samples_per_s', cpu: 'samples_per_cpu_s' } as const;
type Metric = keyof typeof METRICS;
const samples: Record<Metric, Record<string, number[]>> = { wall: {}, cpu: {} };
for (const m of Object.keys(METRICS) as Metric[]) configs.forEach((c) => { samples[m][c.id] = []; });
const runs: Array<Record<string, unknown>> = [];
for (let r = 0; r < rounds; r++) {
  for (const c of r % 2 ? [...configs].reverse() : configs) {
    try {
      const out = runJson(c.run());
      for (const m of Object.keys(METRICS) as Metric[]) samples[m][c.id][r] = out[METRICS[m]] as number;
      runs.push({ round: r, id: c.id, ...out });
      console.log(`round ${r + 1}/${rounds} ${c.label}: ${Math.round(out.samples_per_s as number)} samples/s (${Math.round(out.samples_per_cpu_s as number)} per CPU-second)`);
    } catch (e) {
      runs.push({ round: r, id: c.id, error: (e as Error).message });
      console.log(`round ${r + 1}/${rounds} ${c.label}: failed: ${(e as Error).message}`);
    }
  }
}
const valid = (xs: number[]) => xs.filter((x) => Number.isFinite(x));
const summary = (m: Metric) => Object.fromEntries(configs.map((c) => [c.id, { label: c.label, median: median(valid(samples[m][c.id])), spread: spread(valid(samples[m][c.id])), runs: samples[m][c.id] }]));
const pairRatios = (m: Metric) => PAIRS.filter((p) => samples[m][p.a] && samples[m][p.b]).map((p) => {
  const rs = valid(pairedRatios(samples[m][p.a], samples[m][p.b]));
  const med = median(rs);
  return { pair: p.id, median: med, min: Math.min(...rs), max: Math.max(...rs), target: p.target ?? null, met: p.target === undefined ? null : med >= p.target };
});
const throughput = { wall: summary('wall'), cpu: summary('cpu') };
const ratios = { wall: pairRatios('wall'), cpu: pairRatios('cpu') };
Object.assign(results, { throughput, ratios, runs });

// matMul with and without transposes on wasm, the backend's own kernels against GenLab's.
if (!skip.has('matmul')) {
  try {
    results.matmul = Object.fromEntries(['own', 'fast'].map((k) => [k, runJson(task('matmul', '--backend', 'wasm', '--kernels', k)()).ms]));
  } catch (e) {
    results.matmul = { error: (e as Error).message };
  }
}

// Quality at equal work: held-out −ELBO after each epoch in --epochs, GenLab (wasm) and PyTorch.
if (!skip.has('quality')) {
  const q: Record<string, unknown> = {};
  const jobs: Array<{ id: string; cmd: () => string[] }> = [{ id: 'genlab_wasm', cmd: task('quality', '--backend', 'wasm', '--epochs', epochs) }];
  if (torchInfo.ok) jobs.push({ id: 'torch_cpu', cmd: torch('quality', '--epochs', epochs) });
  for (const { id, cmd } of jobs) {
    try {
      q[id] = runJson(cmd()).epochs;
    } catch (e) {
      q[id] = { error: (e as Error).message };
    }
  }
  results.quality = q;
}
(results.machine as Record<string, unknown>).loadAfter = load();

// The table.
const fmt = (x: number, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '—');
console.log(`\nMLP VAE 784-400-20, batch 128, Adam; ${os.cpus().length}× ${os.cpus()[0]?.model}, Node ${process.version}; load ${load().join(' ')}`);
console.log(`Training throughput, samples/s: median of ${rounds} interleaved rounds, by wall clock and per CPU-second (spread = (max − min) / median)`);
for (const c of configs) {
  const w = throughput.wall[c.id], u = throughput.cpu[c.id];
  console.log(`  ${c.label.padEnd(28)} ${fmt(w.median).padStart(8)} (spread ${fmt(100 * w.spread).padStart(3)}%)   ${fmt(u.median).padStart(8)} per CPU-s (spread ${fmt(100 * u.spread).padStart(3)}%)`);
}
if (!torchInfo.ok) console.log(`  ${'PyTorch, CPU'.padEnd(28)} ${torchInfo.note}`);
console.log('Ratios, pair by pair within a round: median [min–max], by wall clock | by CPU time');
ratios.wall.forEach((r, i) => {
  const c = ratios.cpu[i];
  const target = r.target === null ? '' : `   target ≥ ${r.target}: ${r.met ? 'met' : 'NOT met'} | ${c.met ? 'met' : 'NOT met'}`;
  console.log(`  ${r.pair.padEnd(36)} ${fmt(r.median, 2).padStart(6)}× [${fmt(r.min, 2)}–${fmt(r.max, 2)}] | ${fmt(c.median, 2).padStart(6)}× [${fmt(c.min, 2)}–${fmt(c.max, 2)}]${target}`);
});
const mm = results.matmul as Record<string, Record<string, number>> | undefined;
if (mm?.own) console.log(`matMul 128×784 by 784×400 on wasm (ms, median): ${Object.keys(mm.own).map((k) => `${k} ${fmt(mm.own[k], 1)} → ${fmt(mm.fast[k], 1)}`).join(', ')}  (tfjs's kernel → GenLab's)`);
const q = results.quality as Record<string, Array<Record<string, number>>> | undefined;
if (q) {
  console.log('Held-out −ELBO (nats/image, Fashion-MNIST test set, intensities in [0, 1] as Bernoulli targets)');
  const g = Array.isArray(q.genlab_wasm) ? q.genlab_wasm : [], t = Array.isArray(q.torch_cpu) ? q.torch_cpu : [];
  for (const row of g) {
    const ref = t.find((x) => x.epoch === row.epoch);
    const diff = ref ? (100 * (row.negElbo - ref.negElbo)) / ref.negElbo : NaN;
    console.log(`  epoch ${row.epoch}: GenLab ${fmt(row.negElbo, 2)}   PyTorch ${ref ? fmt(ref.negElbo, 2) : torchInfo.note}   difference ${fmt(diff, 2)}%${ref ? (Math.abs(diff) <= 1 ? ' (within 1%)' : ' (NOT within 1%)') : ''}`);
  }
}
mkdirSync(dirname(outPath), { recursive: true });
writeFileSync(outPath, JSON.stringify(results, null, 2) + '\n');
console.log(`Full results: ${outPath}`);
