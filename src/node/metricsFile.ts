/**
 * A run's metrics.jsonl: one JSON object per line, written as training goes, by `genlab train`
 * and by the panel alike. Step rows are {step, epoch, <term>: value…}, held-out rows
 * {step, epoch, heldout: {…}}, view metrics {step, metrics: {…}}.
 */
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { EpochRow, StepRow } from '../core/loop';
import type { View } from '../core/views';

/** Rounds to 6 significant digits for compact JSON lines. */
const round = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : v);
const roundAll = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)]));

/** Appends one JSON object per line to a run's metrics.jsonl as training goes. */
export class MetricsFile {
  private readonly fd: number;

  /**
   * Creates (or truncates) `path`; with `resumeAt`, keeps the rows up to that step (those a
   * resumed run had when its checkpoint was saved) and appends after them.
   */
  constructor(readonly path: string, resumeAt?: number) {
    const kept = resumeAt === undefined || !existsSync(path) ? [] : readFileSync(path, 'utf8').split('\n').filter((line) => {
      try {
        return line.trim() !== '' && (JSON.parse(line) as { step: number }).step <= resumeAt;
      } catch {
        return false; // a line cut short by a crash
      }
    });
    this.fd = openSync(path, 'w');
    if (kept.length) writeSync(this.fd, kept.join('\n') + '\n');
  }

  /** Per-step rows: {step, epoch, loss terms…}. */
  steps(rows: readonly StepRow[]): void {
    this.write(rows.map((r) => ({ step: r.step, epoch: round(r.epoch), ...roundAll(r.values) })));
  }

  /** Metrics computed with the views (e.g. a divergence): {step, metrics: {name: value}}. */
  metrics(step: number, views: readonly View[]): void {
    const values = Object.assign({}, ...views.map((v) => (v.kind === 'metrics' ? v.values : {}))) as Record<string, number>;
    if (Object.keys(values).length) this.write([{ step, metrics: roundAll(values) }]);
  }

  /** A held-out evaluation: {step, epoch, heldout: {loss terms…}}. */
  heldout(row: EpochRow): void {
    this.write([{ step: row.step, epoch: row.epoch, heldout: roundAll(row.heldout) }]);
  }

  private write(objects: readonly object[]): void {
    if (objects.length) writeSync(this.fd, objects.map((o) => JSON.stringify(o)).join('\n') + '\n');
  }

  /** Closes the file. */
  close(): void {
    closeSync(this.fd);
  }
}

/**
 * The step and held-out rows of a metrics.jsonl up to step `upTo` (a checkpoint's), for a resumed
 * panel to redraw its curves; at most `maxRows` step rows, evenly thinned when there are more.
 */
export function readMetricsHistory(path: string, upTo: number, maxRows = 5000): { steps: StepRow[]; epochs: EpochRow[] } {
  const steps: StepRow[] = [], epochs: EpochRow[] = [];
  if (!existsSync(path)) return { steps, epochs };
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue; // blank, or cut short by a crash
    }
    const { step, epoch, heldout, metrics, ...values } = row;
    if (typeof step !== 'number' || step > upTo || metrics !== undefined) continue;
    const e = typeof epoch === 'number' ? epoch : 0;
    const numbers = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? v : NaN]));
    if (heldout && typeof heldout === 'object') epochs.push({ step, epoch: e, heldout: numbers(heldout as Record<string, unknown>) });
    else steps.push({ step, epoch: e, values: numbers(values) });
  }
  const every = Math.ceil(steps.length / maxRows);
  return { steps: every > 1 ? steps.filter((_, i) => i % every === 0 || i === steps.length - 1) : steps, epochs: epochs.slice(-maxRows) };
}
