/**
 * Benchmark (not a test) of issue 8: training throughput (samples/s) of every family's default
 * model, i.e. each example model file examples/*.genlab.json, on Node's wasm and cpu backends,
 * trained through the same path as `genlab train` (bench/familyTask.ts). Every measurement is a
 * fresh process; runs are interleaved round by round (the order reversed every other round),
 * the wasm/cpu ratio is taken pair by pair within a round, and medians are reported, since the
 * machine is noisy and shared. Load averages are recorded before every run.
 * A "sample" is one training example of a batch: an image, a 2-D point, or one context window of
 * text (autoregressive); a GAN step is its discriminator step(s) and one generator step.
 * On cpu the convolutional and transformer models take seconds per step: a model whose timed cpu
 * step takes more than --cpu-slow-s seconds of CPU time (less disturbed by other load than wall
 * time) in round 1 is measured in round 1 only (one warm-up step and --cpu-min-steps timed
 * steps), which the table marks; wasm is measured every round.
 *   npx tsx bench/families.ts [--rounds 3] [--backends wasm,cpu] [--only vae-mnist,gan-ring]
 *     [--seconds 3] [--cpu-seconds 2] [--cpu-min-steps 1] [--cpu-slow-s 2.5] [--out bench/results/families.json]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { dirname, join } from 'node:path';
import { median, pairedRatios, spread } from './stats';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
};
const rounds = Number(arg('rounds', '3'));
const backends = arg('backends', 'wasm,cpu').split(',').filter(Boolean);
const only = new Set(arg('only', '').split(',').filter(Boolean));
const seconds = arg('seconds', '3'), cpuSeconds = arg('cpu-seconds', '2'), cpuMinSteps = arg('cpu-min-steps', '1');
const cpuSlowSeconds = Number(arg('cpu-slow-s', '2.5'));
const outPath = arg('out', join(__dirname, 'results', 'families.json'));
const EXAMPLES = join(__dirname, '..', 'examples');
const TSX = require.resolve('tsx/cli');

const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.genlab.json')).sort()
  .filter((f) => only.size === 0 || only.has(f.replace(/\.genlab\.json$/, '')));
if (files.length === 0) throw new Error(`${EXAMPLES}: no model files${only.size ? ` named ${[...only].join(', ')}` : ''}`);

/** One model on one backend, measured every round (or until found too slow on cpu). */
interface Config { id: string; model: string; backend: string; args: string[] }
const configs: Config[] = files.flatMap((f) => backends.map((b) => ({
  id: `${f.replace(/\.genlab\.json$/, '')}/${b}`,
  model: f.replace(/\.genlab\.json$/, ''),
  backend: b,
  args: [join(EXAMPLES, f), '--backend', b, ...(b === 'cpu' ? ['--warmup', '1', '--seconds', cpuSeconds, '--min-steps', cpuMinSteps] : ['--warmup', '2', '--seconds', seconds, '--min-steps', '3'])],
})));

/** Runs a command that prints one JSON object on its last line of output; throws with its error output otherwise. */
function runJson(cmd: string[], timeoutMs = 600_000): Record<string, unknown> {
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  const last = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  if (r.status === 0 && last.startsWith('{')) return JSON.parse(last) as Record<string, unknown>;
  throw new Error(`${cmd.slice(2, 3).join(' ')}: exit ${r.status ?? r.signal}: ${(r.stderr || r.stdout || '').trim().split('\n').slice(-3).join(' | ')}`);
}

const load = () => os.loadavg().map((x) => Math.round(x * 100) / 100);
const machine: Record<string, unknown> = { cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), platform: `${os.platform()} ${os.release()}`, node: process.version, loadBefore: load() };

const METRICS = { wall: 'samples_per_s', cpu: 'samples_per_cpu_s' } as const;
type Metric = keyof typeof METRICS;
const samples: Record<Metric, Record<string, number[]>> = { wall: {}, cpu: {} };
for (const m of Object.keys(METRICS) as Metric[]) configs.forEach((c) => { samples[m][c.id] = []; });
const info: Record<string, { family?: unknown; batch?: unknown; parameters?: unknown }> = {};
const tooSlow = new Map<string, number>(); // cpu configs measured once: their seconds per step
const runs: Array<Record<string, unknown>> = [];
const t0 = Date.now();
for (let r = 0; r < rounds; r++) {
  for (const c of r % 2 ? [...configs].reverse() : configs) {
    if (tooSlow.has(c.id)) continue;
    const loadAtStart = load();
    try {
      const out = runJson([process.execPath, TSX, join(__dirname, 'familyTask.ts'), ...c.args]);
      for (const m of Object.keys(METRICS) as Metric[]) samples[m][c.id][r] = out[METRICS[m]] as number;
      info[c.id] ??= { family: out.family, batch: out.batch, parameters: out.parameters };
      runs.push({ round: r, id: c.id, load: loadAtStart, ...out });
      const perStep = (out.cpuSeconds as number) / (out.steps as number);
      if (c.backend === 'cpu' && perStep > cpuSlowSeconds) tooSlow.set(c.id, perStep);
      console.log(`round ${r + 1}/${rounds} ${c.id}: ${fmt(out.samples_per_s as number, 1)} samples/s over ${out.steps} steps (${fmt(out.samples_per_cpu_s as number, 1)} per CPU-s; load ${loadAtStart[0]})`);
    } catch (e) {
      runs.push({ round: r, id: c.id, load: loadAtStart, error: (e as Error).message });
      console.log(`round ${r + 1}/${rounds} ${c.id}: failed: ${(e as Error).message}`);
    }
  }
}
machine.loadAfter = load();

function fmt(x: number, d = 0): string {
  return Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '—';
}
const valid = (xs: number[]) => xs.filter((x) => Number.isFinite(x));
const summary = (m: Metric) => Object.fromEntries(configs.map((c) => {
  const xs = valid(samples[m][c.id]);
  return [c.id, { ...info[c.id], model: c.model, backend: c.backend, median: median(xs), spread: spread(xs), runs: samples[m][c.id], measuredOnce: tooSlow.has(c.id) ? `cpu step ${fmt(tooSlow.get(c.id) as number, 1)} CPU-s > ${cpuSlowSeconds} CPU-s: measured in round 1 only` : undefined }];
}));
const throughput = { wall: summary('wall'), cpu: summary('cpu') };
const models = [...new Set(configs.map((c) => c.model))];
const pair = (m: Metric, model: string) => {
  const rs = valid(pairedRatios(samples[m][`${model}/wasm`] ?? [], samples[m][`${model}/cpu`] ?? []));
  return rs.length ? { model, median: median(rs), min: Math.min(...rs), max: Math.max(...rs), pairs: rs.length } : { model, median: NaN, pairs: 0 };
};
const ratios = backends.includes('wasm') && backends.includes('cpu') ? { wall: models.map((m) => pair('wall', m)), cpu: models.map((m) => pair('cpu', m)) } : undefined;

const results = {
  date: new Date().toISOString(),
  machine,
  setup: {
    models: 'every examples/*.genlab.json, prepared and trained as `genlab train` does (bench/familyTask.ts)',
    sample: 'one training example of a batch: an image, a 2-D point, or a context window of text; a GAN step = its discriminator step(s) + one generator step',
    rounds, backends, wasm: { warmupSteps: 2, seconds: Number(seconds), minSteps: 3 },
    cpu: { warmupSteps: 1, seconds: Number(cpuSeconds), minSteps: Number(cpuMinSteps), slowPerStepSeconds: cpuSlowSeconds, slowRule: 'a model whose timed cpu step takes more than slowPerStepSeconds of CPU time in round 1 is not measured again' },
    minutes: (Date.now() - t0) / 60_000,
  },
  throughput, ratios, runs,
};

// The table.
console.log(`\nTraining throughput of each example model, samples/s: median of up to ${rounds} interleaved rounds (fresh process per run)`);
console.log(`${os.cpus().length}× ${os.cpus()[0]?.model}, Node ${process.version}; load before ${(machine.loadBefore as number[]).join(' ')}, after ${load().join(' ')}`);
const head = ['model', 'family', 'batch', ...backends.flatMap((b) => [`${b} samples/s`, `${b} per CPU-s`]), ...(ratios ? ['wasm/cpu'] : [])];
const widths = [28, 15, 5, ...backends.flatMap(() => [17, 15]), 9];
const row = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' ');
console.log(row(head));
for (const model of models) {
  const any = throughput.wall[`${model}/${backends[0]}`];
  const cells = [model, String(any?.family ?? '?'), String(any?.batch ?? '?')];
  for (const b of backends) {
    const w = throughput.wall[`${model}/${b}`], u = throughput.cpu[`${model}/${b}`];
    const n = valid(w.runs).length;
    const note = w.measuredOnce ? ' (1 run)' : n > 1 ? ` ±${fmt(50 * w.spread)}%` : '';
    cells.push(`${fmt(w.median, w.median < 100 ? 1 : 0)}${note}`, fmt(u.median, u.median < 100 ? 1 : 0));
  }
  if (ratios) {
    const r = ratios.wall.find((x) => x.model === model);
    cells.push(r && r.pairs ? `${fmt(r.median, 1)}×` : '—');
  }
  console.log(row(cells));
}
console.log('± is half the spread (max − min) / median over the rounds; (1 run): cpu step too slow to repeat (see setup.cpu.slowRule).');
mkdirSync(dirname(outPath), { recursive: true });
writeFileSync(outPath, JSON.stringify(results, null, 2) + '\n');
console.log(`Full results: ${outPath}`);
