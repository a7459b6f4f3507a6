/**
 * Exports of a run: its metrics as CSV (one row per step, held-out values on the steps they were
 * measured), and a trained network (the generator or decoder) as a standalone TensorFlow.js model
 * folder that tf.loadLayersModel reads.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LATEST } from './checkpointStore';
import { WEIGHTS_FILE } from './saveModel';

/** A CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180). */
function field(v: unknown): string {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * metrics.jsonl as CSV: columns step, epoch, then every training term, then "heldout <term>" and
 * "metric <name>" columns; held-out and metric rows merge into the row of their step.
 */
export function metricsCsv(jsonl: string): string {
  const rows = new Map<number, Record<string, unknown>>();
  const columns = new Set<string>(['step', 'epoch']);
  for (const line of jsonl.split('\n')) {
    let r: Record<string, unknown>;
    try {
      r = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue; // blank, or cut short by a crash
    }
    if (typeof r.step !== 'number') continue;
    const row = rows.get(r.step) ?? { step: r.step };
    const nested = (prefix: string, o: unknown) => Object.entries((o ?? {}) as Record<string, unknown>).forEach(([k, v]) => {
      columns.add(`${prefix} ${k}`);
      row[`${prefix} ${k}`] = v;
    });
    if ('heldout' in r) nested('heldout', r.heldout);
    else if ('metrics' in r) nested('metric', r.metrics);
    else {
      for (const [k, v] of Object.entries(r)) {
        columns.add(k);
        if (k !== 'epoch' || row.epoch === undefined) row[k] = v;
      }
    }
    rows.set(r.step, row);
  }
  const order = [...columns].sort((a, b) => rank(a) - rank(b));
  const lines = [order.map(field).join(',')];
  for (const step of [...rows.keys()].sort((a, b) => a - b)) lines.push(order.map((c) => field(rows.get(step)?.[c])).join(','));
  return lines.join('\n') + '\n';
}

/** Column order: step, epoch, training terms, held-out terms, metrics. */
function rank(c: string): number {
  return c === 'step' ? 0 : c === 'epoch' ? 1 : c.startsWith('heldout ') ? 3 : c.startsWith('metric ') ? 4 : 2;
}

/** The networks in a run's latest checkpoint that make data: generator or decoder first, then the rest. */
export function exportableNetworks(runDir: string): string[] {
  const dir = join(runDir, LATEST);
  if (!existsSync(dir)) return [];
  const nets = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'model.json'))).map((e) => e.name);
  const first = ['generator', 'decoder', 'denoiser', 'transformer', 'coupling'];
  return nets.sort((a, b) => (first.indexOf(a) + 1 || 99) - (first.indexOf(b) + 1 || 99) || a.localeCompare(b));
}

/** Copies network `name` of the run's latest checkpoint to `target` (model.json + weights.bin); returns the files written. */
export function exportNetwork(runDir: string, name: string, target: string): string[] {
  const from = join(runDir, LATEST, name);
  if (!existsSync(join(from, 'model.json'))) throw new Error(`the run ${runDir} has no network "${name}" in its latest checkpoint`);
  const json = JSON.parse(readFileSync(join(from, 'model.json'), 'utf8')) as { weightsManifest?: Array<{ paths: string[] }> };
  const files = ['model.json', ...(json.weightsManifest ?? []).flatMap((g) => g.paths.map((p) => p.replace(/^\.\//, '')))];
  const unsafe = files.find((f) => !/^[\w.-]+$/.test(f) || f === '..' || f === '.');
  if (unsafe !== undefined) throw new Error(`${join(from, 'model.json')}: the weights manifest names "${unsafe}", which is not a file beside it`);
  if (!files.includes(WEIGHTS_FILE)) throw new Error(`${join(from, 'model.json')}: no ${WEIGHTS_FILE} in its weights manifest`);
  mkdirSync(target, { recursive: true });
  for (const f of files) copyFileSync(join(from, f), join(target, f));
  return files.map((f) => join(target, f));
}
