/**
 * The host's half of a panel's run: its folder under a runs folder (the workspace's
 * .genlab/runs, or the extension's storage), the model file as trained, run.json (which model
 * file it came from), metrics.jsonl and the checkpoints the webview sends. The webview never
 * names a path: the folder is a name the host chose, joined to a root the host chose.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { specHash } from '../core/checkpoint';
import type { EpochRow, StepRow } from '../core/loop';
import type { ModelSpec } from '../core/modelfile/types';
import { fromWire, type WireCheckpoint, toWire } from '../shared/checkpointWire';
import { isModelSpec, RUN_NAME, type ResumeData } from '../shared/protocol';
import { loadCheckpoint, saveCheckpoint } from './checkpointStore';
import { MetricsFile, readMetricsHistory } from './metricsFile';
import { runFolderName } from './runs';

/** What run.json records: the model file a run came from ("builtin" for the built-in VAE). */
export interface RunOrigin {
  source: string;
}

/** Reads a run folder's run.json, if it has a valid one. */
export function readRunOrigin(runDir: string): RunOrigin | undefined {
  try {
    const v = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { source?: unknown };
    return typeof v.source === 'string' ? { source: v.source } : undefined;
  } catch {
    return undefined;
  }
}

/** A fresh run folder name for `model` under `root`: <model>-<time>, with -2, -3… when taken. */
export function freshRunName(root: string, model: string, now = new Date()): string {
  const base = runFolderName(model.slice(0, 96), now);
  let name = base;
  for (let i = 2; existsSync(join(root, name)); i++) name = `${base}-${i}`;
  return name;
}

/** One panel's run on disk. */
export class PanelRun {
  private metricsFile: MetricsFile | undefined;
  private resumeAt: number | undefined;

  /**
   * A run named `name` (a plain folder name, checked) under `root`, for the model called
   * `model` from `source` (a model file's URI, or "builtin"); nothing is written until used.
   */
  constructor(readonly root: string, private runName: string, private readonly model: string, readonly source: string, private spec?: ModelSpec) {
    if (!RUN_NAME.test(runName)) throw new Error(`"${runName}" is not a run folder name`);
  }

  /** The run folder's name. */
  get name(): string {
    return this.runName;
  }

  /** The run folder. */
  get dir(): string {
    return join(this.root, this.runName);
  }

  /** Whether the folder has been made. */
  get exists(): boolean {
    return existsSync(this.dir);
  }

  /** Makes the folder (once) with the model file as trained and run.json; returns it. */
  ensure(): string {
    const dir = this.dir;
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
    if (this.spec && !existsSync(join(dir, 'model.genlab.json'))) writeFileSync(join(dir, 'model.genlab.json'), `${JSON.stringify(this.spec, null, 2)}\n`);
    if (!existsSync(join(dir, 'run.json'))) writeFileSync(join(dir, 'run.json'), `${JSON.stringify({ source: this.source } satisfies RunOrigin, null, 1)}\n`);
    return dir;
  }

  /** The model spec the run was trained with (its model.genlab.json), if it has a valid one. */
  savedSpec(): ModelSpec | undefined {
    try {
      const spec = JSON.parse(readFileSync(join(this.dir, 'model.genlab.json'), 'utf8')) as unknown;
      return isModelSpec(spec) ? spec : undefined;
    } catch {
      return undefined;
    }
  }

  /** A new model started from step 0 with `spec`: a run folder already in use gives way to a fresh one. */
  started(spec: ModelSpec): void {
    this.closeMetrics();
    this.resumeAt = undefined;
    const used = this.exists && readdirSync(this.dir).some((n) => n !== 'model.genlab.json' && n !== 'run.json');
    if (used) this.runName = freshRunName(this.root, this.model);
    else if (this.exists) writeFileSync(join(this.dir, 'model.genlab.json'), `${JSON.stringify(spec, null, 2)}\n`);
    this.spec = spec;
  }

  /** Appends metric rows to metrics.jsonl (after a resume, the rows past the checkpoint are dropped first). */
  metrics(steps: readonly StepRow[], epochs: readonly EpochRow[]): void {
    if (!this.metricsFile) {
      this.ensure();
      this.metricsFile = new MetricsFile(join(this.dir, 'metrics.jsonl'), this.resumeAt ?? (existsSync(join(this.dir, 'metrics.jsonl')) ? Infinity : undefined));
    }
    this.metricsFile.steps(steps);
    epochs.forEach((r) => this.metricsFile?.heldout(r));
  }

  /**
   * Saves a checkpoint the webview sent as the run's latest (atomically, keeping the previous);
   * refuses one of another family or model spec. Returns its step.
   */
  saveCheckpoint(wire: WireCheckpoint): number {
    if (this.spec && wire.state.family !== this.spec.family) throw new Error(`the checkpoint is of a ${wire.state.family}, but the run trains a ${this.spec.family}`);
    if (this.spec && wire.state.specHash !== specHash(this.spec)) throw new Error('the checkpoint was taken from a different model spec than the run trains');
    saveCheckpoint(this.ensure(), fromWire(wire));
    return wire.state.trainer.step;
  }

  /**
   * The run's latest checkpoint that fits `spec` and its metrics up to that step, for the webview
   * to go on from; undefined when it has none. Metrics written after this drop the rows past it.
   */
  resumeData(spec: ModelSpec): ResumeData | undefined {
    if (!this.exists) return undefined;
    const hash = specHash(spec);
    const found = loadCheckpoint(this.dir, (c) => (c.state.family !== spec.family ? `it is of a ${c.state.family}, not a ${spec.family}`
      : c.state.specHash !== hash ? 'it was saved from a different model file (its settings or networks changed)' : undefined));
    if (!found) return undefined;
    const step = found.checkpoint.state.trainer.step;
    this.closeMetrics();
    this.resumeAt = step;
    this.spec = spec;
    return { checkpoint: toWire(found.checkpoint), ...readMetricsHistory(join(this.dir, 'metrics.jsonl'), step) };
  }

  private closeMetrics(): void {
    this.metricsFile?.close();
    this.metricsFile = undefined;
  }

  /** Closes metrics.jsonl. */
  dispose(): void {
    this.closeMetrics();
  }
}
