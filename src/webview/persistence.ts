/**
 * Keeps the panel's run on disk through the host: the metric rows (about once a second), a
 * checkpoint every `checkpointEverySeconds` and when the user pauses, and the webview's saved
 * state (which run, whether it trains) for the host to bring the panel back after a reload.
 */
import type { Checkpoint } from '../core/checkpoint';
import type { EpochRow, StepRow } from '../core/loop';
import type { ModelSpec } from '../core/modelfile/types';
import { toWire } from '../shared/checkpointWire';
import type { PanelState } from '../shared/protocol';
import { postToHost, saveState } from './host';
import { canvasPng } from './exportButton';

/** How often metric rows go to the host. */
const METRICS_MS = 1000;

/** The views whose picture stands for a run in the GenLab view, in order of preference. */
const PREVIEW_VIEWS = ['samples', 'classes', 'strip', 'reconstructions'];

/** The first drawn preview view as PNG base64, if the panel shows one. */
function samplesPreview(): string | undefined {
  for (const id of PREVIEW_VIEWS) {
    const canvas = document.getElementById(`view-${id}`) as HTMLCanvasElement | null;
    const png = canvas ? canvasPng(canvas) : undefined;
    if (png) return png;
  }
  return undefined;
}

/** The webview's half of a run that survives: metrics, checkpoints and saved state. */
export class RunPersistence {
  private steps: StepRow[] = [];
  private epochs: EpochRow[] = [];
  private lastSent = performance.now();
  private readonly timer: ReturnType<typeof setInterval>;
  /** The step of the last checkpoint the host saved, if any. */
  savedStep: number | undefined;

  /** Starts sending metrics; `everySeconds` 0 saves checkpoints only on pause. */
  constructor(private state: PanelState, readonly everySeconds: number) {
    saveState(state);
    this.timer = setInterval(() => this.flushMetrics(), METRICS_MS);
  }

  /** A new model starts at step 0: the host begins a new run folder, named back in the next init only after a reload. */
  runStarted(spec: ModelSpec): void {
    this.flushMetrics();
    this.steps = [];
    this.epochs = [];
    this.savedStep = undefined;
    postToHost({ type: 'runStarted', spec });
  }

  /** Rows to append to metrics.jsonl. */
  addSteps(rows: readonly StepRow[]): void {
    this.steps.push(...rows);
  }

  /** A held-out row to append to metrics.jsonl. */
  addEpoch(row: EpochRow): void {
    this.epochs.push(row);
  }

  /** Whether a timer checkpoint is due (never when the interval is 0). */
  get due(): boolean {
    return this.everySeconds > 0 && performance.now() - this.lastSent >= this.everySeconds * 1000;
  }

  /** Sends `checkpoint` to the host for the run folder, after the metrics up to it, with the sample grid shown then. */
  send(checkpoint: Checkpoint, reason: 'timer' | 'pause'): void {
    this.flushMetrics();
    this.lastSent = performance.now();
    const samplesPng = samplesPreview();
    postToHost({ type: 'checkpoint', reason, checkpoint: toWire(checkpoint), ...(samplesPng ? { samplesPng } : {}) });
  }

  /** The host saved a checkpoint at `step` in run folder `run`: a reload goes on from there. */
  saved(step: number, run: string): void {
    this.savedStep = step;
    if (run !== this.state.run) {
      this.state = { ...this.state, run };
      saveState(this.state);
    }
  }

  /** Records whether training runs, for a reload to resume it or not. */
  setRunning(running: boolean): void {
    if (running === this.state.running) return;
    this.state = { ...this.state, running };
    saveState(this.state);
  }

  /** Sends the metric rows gathered since the last call. */
  flushMetrics(): void {
    if (!this.steps.length && !this.epochs.length) return;
    postToHost({ type: 'metrics', steps: this.steps, epochs: this.epochs });
    this.steps = [];
    this.epochs = [];
  }

  /** Stops the metrics timer. */
  dispose(): void {
    clearInterval(this.timer);
  }
}
