/**
 * The training driver: runs the core's training loop in the webview without blocking it.
 * Steps go out in chunks of `readEvery`; each chunk ends in one asynchronous read, and the
 * driver then yields a task (never waiting on requestAnimationFrame, which stops when hidden).
 */
import { shapeOfData, type DataSet } from '../core/data/dataset';
import { createModel } from '../core/families';
import type { DataShape, GenerativeModel } from '../core/family';
import type { ModelSpec, OptimizerSpec } from '../core/modelfile/types';
import { Trainer } from '../core/loop';
import { captureCheckpoint, restoreCheckpoint, specHash, type Checkpoint } from '../core/checkpoint';
import { yieldToEventLoop } from './scheduler';
import { ContextLostError, type ContextWatch } from './contextLoss';
import { SpeedMeter } from './speed';
import { UploadedData } from './uploaded';
import type { DriverEvents } from './driverEvents';

export type { DriverEvents, DriverStatus } from './driverEvents';

/** The learning rate after a divergence, as a fraction of the last good checkpoint's. */
const RECOVERY_FACTOR = 0.1;

/** How often the driver keeps a checkpoint in memory to fall back to after a divergence (or more often: checkpointMs). */
const GOOD_CHECKPOINT_MS = 20_000;

/** Views refresh at least this far apart, and take at most 1/VIEW_DUTY of the time. */
const VIEW_INTERVAL_MS = 1000;
const VIEW_DUTY = 5;

/** Trains one model at a time on one uploaded data set. */
export class TrainingDriver {
  private readonly uploaded: UploadedData;
  private inputs: Record<string, string | number> = {};
  private model: GenerativeModel | undefined;
  private trainer: Trainer | undefined;
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  /** The checkpoint being read from the model, if any: the model must not change or be freed under it. */
  private reading: Promise<unknown> = Promise.resolve();
  private lastViews = 0;
  private viewCost = 0;
  private focusIndex = 0;
  private secondIndex: number | undefined;
  private readonly speed = new SpeedMeter();
  /** The last checkpoint taken while every loss term was finite, and when. */
  private good: { checkpoint: Checkpoint; at: number } | undefined;
  private hash = '';
  private spec: ModelSpec | undefined;
  /** Milliseconds between checkpoints taken while training. */
  checkpointMs = GOOD_CHECKPOINT_MS;

  /** Keeps the data, uploaded on the first reset; `readEvery` is the number of steps between loss reads. */
  constructor(private readonly data: { train: DataSet; heldout: DataSet }, private readonly events: DriverEvents, private readonly readEvery: number, private readonly watch?: ContextWatch) {
    this.uploaded = new UploadedData(data);
  }

  /** `p`, failing with ContextLostError as soon as the WebGL context is lost (GPU waits would hang). */
  private g<T>(p: Promise<T>): Promise<T> {
    return this.watch ? this.watch.guard(p) : p;
  }

  /** A checkpoint of the current model, unless the context is lost before or during the read (weights would read as zeros). */
  private async captureGood(): Promise<Checkpoint | undefined> {
    if (!this.model || !this.trainer || this.watch?.lost) return undefined;
    const read = this.g(captureCheckpoint(this.model, this.trainer, this.hash));
    this.reading = read.catch(() => undefined);
    const checkpoint = await read;
    if (this.watch?.lost) return undefined;
    this.good = { checkpoint, at: performance.now() };
    return checkpoint;
  }

  /** A checkpoint of the current model while paused (for the run folder), or undefined if there is none to take. */
  async checkpoint(): Promise<Checkpoint | undefined> {
    if (this.running) return undefined;
    return this.captureGood();
  }

  /**
   * Continues from `checkpoint` (a saved run): its weights, optimizer state, step and random state.
   * The panel starts over (onModel) and `redraw` puts back the run's curves before the first views.
   */
  async restore(checkpoint: Checkpoint, redraw?: () => void): Promise<void> {
    if (!this.model || !this.trainer || !this.spec) throw new Error('there is no model to restore into');
    await this.settle();
    await restoreCheckpoint(this.model, this.trainer, checkpoint, this.hash);
    this.good = { checkpoint, at: performance.now() };
    this.speed.clear();
    this.events.onModel(this.model, this.spec);
    redraw?.();
    await this.refreshViews();
    this.emitStatus();
  }

  /** Bytes the data takes on the backend. */
  get dataBytes(): number {
    return this.uploaded.bytes;
  }

  /** Whether the loop is running. */
  get isRunning(): boolean {
    return this.running;
  }

  /** Steps taken by the current model. */
  get step(): number {
    return this.trainer?.step ?? 0;
  }

  /** The current model's family. */
  get family(): string | undefined {
    return this.model?.family;
  }

  /** Trainable parameters of the current model. */
  get parameterCount(): number {
    return this.model?.parameterCount ?? 0;
  }

  /** The data's shape. */
  get shape(): DataShape {
    return shapeOfData(this.data.train);
  }

  /** Builds a fresh model from `spec` (disposing the old one) and shows its untrained views. */
  async reset(spec: ModelSpec): Promise<void> {
    await this.settle();
    this.trainer?.dispose();
    this.model?.dispose();
    this.model = undefined;
    const { train, heldout } = this.uploaded.forSpec(spec);
    this.model = createModel(spec, this.shape);
    this.model.setTrainingSet?.(this.data.train);
    this.inputs = Object.fromEntries((this.model.controls ?? []).map((c) => [c.id, c.default]));
    this.trainer = new Trainer(this.model, train, heldout, { batchSize: spec.training.batchSize, readEvery: this.readEvery, seed: spec.training.seed + 6 }, {
      onSteps: (rows) => this.events.onSteps(rows),
      onEpoch: (row) => this.events.onEpoch(row),
      onDiverged: (d) => {
        this.running = false;
        const state = this.good?.checkpoint.state;
        this.events.onDiverged(d, { step: state?.trainer.step ?? 0, learningRate: (state?.learningRate ?? this.learningRate) * RECOVERY_FACTOR });
      },
    });
    this.hash = specHash(spec);
    this.spec = spec;
    this.good = undefined;
    await this.captureGood();
    this.speed.clear();
    this.events.onModel(this.model, spec);
    await this.refreshViews();
    this.emitStatus();
  }

  /** Starts or resumes the loop. */
  start(): void {
    if (this.running || !this.trainer) return;
    this.running = true;
    this.speed.clear();
    this.loopDone = this.loop().catch((e) => {
      this.running = false;
      if (e instanceof ContextLostError) this.events.onContextLost();
      else this.events.onError(e instanceof Error ? e : new Error(String(e)));
    });
    this.emitStatus();
  }

  /** Stops the loop after the chunk in flight and waits for it. */
  async pause(): Promise<void> {
    this.running = false;
    await this.loopDone;
    this.emitStatus();
  }

  /**
   * Pauses and waits for any checkpoint still being read (a Pause followed at once by Reset read
   * a freed model: "Tensor is disposed"), so that the model can change or be freed.
   */
  private async settle(): Promise<void> {
    await this.pause();
    for (let r = this.reading; ; r = this.reading) {
      await r;
      if (r === this.reading) return;
    }
  }

  /** Takes exactly one step while paused, then updates every view. */
  async stepOnce(): Promise<void> {
    if (this.running || !this.trainer) return;
    await this.trainer.runSteps(1);
    await this.trainer.flush();
    await this.refreshViews();
    this.emitStatus();
  }

  /**
   * After a divergence: restores the last good checkpoint into the running model, with its
   * learning rate times `factor`; returns that learning rate.
   */
  async recover(factor = RECOVERY_FACTOR): Promise<number> {
    if (!this.model || !this.trainer || !this.good) throw new Error('there is no checkpoint to restore');
    await this.settle();
    await restoreCheckpoint(this.model, this.trainer, this.good.checkpoint, this.hash);
    const lr = this.good.checkpoint.state.learningRate * factor;
    this.model.optimizers.setLearningRate(lr);
    this.speed.clear();
    await this.refreshViews();
    this.emitStatus();
    return lr;
  }

  /**
   * After the WebGL context was lost: lets go of every tensor of the lost context (they cannot be
   * read or freed), lets `restartBackend` start a backend, uploads the data again, rebuilds the
   * model and restores the last good checkpoint (held as bytes, not on the GPU). Returns its step.
   */
  async recoverContext(restartBackend: () => Promise<void>): Promise<number> {
    const { good, spec } = this;
    if (!spec) throw new Error('there is no model to recover');
    this.running = false;
    this.model = undefined;
    this.trainer = undefined;
    this.uploaded.forget();
    await restartBackend();
    await this.reset(spec);
    if (good && this.model && this.trainer) {
      await restoreCheckpoint(this.model, this.trainer, good.checkpoint, this.hash);
      this.good = good;
      await this.refreshViews();
      this.emitStatus();
    }
    return this.step;
  }

  /** Changes the learning rate from the next step on; weights and Adam moments stay. */
  setLearningRate(lr: number): void {
    this.model?.optimizers.setLearningRate(lr);
  }

  /** Applies new optimizer settings of the same class without a restart. */
  setOptimizer(spec: OptimizerSpec): void {
    this.model?.optimizers.setOptimizer(spec);
  }

  /** The current model's learning rate. */
  get learningRate(): number {
    return this.model?.optimizers.learningRate ?? 0;
  }

  /** Chooses held-out example `index` (the traversal's centre); the one chosen before becomes the other end of the interpolation. */
  async setFocus(index: number): Promise<void> {
    if (index !== this.focusIndex) this.secondIndex = this.focusIndex;
    this.focusIndex = index;
    if (!this.running) await this.refreshViews();
  }

  /** Sets the value of one of the model's controls (a prompt, a slider) and refreshes the views. */
  async setInput(id: string, value: string | number): Promise<void> {
    this.inputs = { ...this.inputs, [id]: value };
    if (!this.running) await this.refreshViews();
  }

  private async loop(): Promise<void> {
    const trainer = this.trainer as Trainer;
    while (this.running) {
      // One step per task keeps every task short; the trainer itself waits on the GPU only
      // at its read every `readEvery` steps, which is what paces the loop.
      await this.g(trainer.runSteps(1));
      if (trainer.diverged) break;
      const now = performance.now();
      this.speed.add(trainer.options.batchSize, now, trainer.step % this.readEvery === 0);
      if (now - this.lastViews > Math.max(VIEW_INTERVAL_MS, VIEW_DUTY * this.viewCost)) {
        await this.g(trainer.flush());
        if (trainer.diverged) break;
        if (now - (this.good?.at ?? 0) > Math.min(GOOD_CHECKPOINT_MS, this.checkpointMs)) {
          const checkpoint = await this.captureGood();
          if (checkpoint) this.events.onCheckpoint?.(checkpoint);
        }
        await this.refreshViews();
        this.emitStatus();
      }
      await yieldToEventLoop();
    }
    await this.g(trainer.flush());
    if (this.running || trainer.diverged) {
      this.running = false; // stopped by itself (a divergence), not by pause()
      this.emitStatus();
    }
  }

  private async refreshViews(): Promise<void> {
    const heldout = this.uploaded.heldout;
    if (!this.model || !heldout) return;
    const started = performance.now();
    await this.events.onViews(await this.g(this.model.views(heldout, { focusIndex: this.focusIndex, secondIndex: this.secondIndex, inputs: this.inputs })));
    this.lastViews = performance.now();
    this.viewCost = this.lastViews - started;
  }

  private emitStatus(): void {
    this.events.onStatus({
      step: this.step,
      epoch: this.trainer?.epochProgress ?? 0,
      samplesPerSec: this.running ? this.speed.samplesPerSec : 0,
      running: this.running,
    });
  }

  /** Stops training and frees all tensors. */
  async dispose(): Promise<void> {
    await this.settle();
    this.trainer?.dispose();
    this.model?.dispose();
    this.uploaded.dispose();
  }
}
