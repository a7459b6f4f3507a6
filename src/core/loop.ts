/**
 * The one training loop that drives every model family. It never waits on a GPU→CPU read
 * per step: loss terms stay on the backend and are read in one asynchronous batch every
 * `readEvery` steps (tfjs-examples' pattern), which is also where the loop yields.
 */
import * as tf from '@tensorflow/tfjs-core';
import { EpochSampler, type DeviceData, type SamplerState } from './data/deviceData';
import type { GenerativeModel, LossTerms } from './family';
import { Rng } from './rng';

/** Loss terms of one step, read back as numbers. */
export interface StepRow {
  step: number;
  epoch: number;
  values: Record<string, number>;
}

/** Mean held-out loss terms at the end of an epoch. */
export interface EpochRow {
  step: number;
  epoch: number;
  heldout: Record<string, number>;
}

/** A loss term that became NaN or ±Infinity, and when. */
export interface Divergence {
  step: number;
  term: string;
  value: number;
}

/** Receives what the loop measures. */
export interface TrainerListener {
  onSteps?(rows: StepRow[]): void;
  onEpoch?(row: EpochRow): void;
  /** A loss term is not finite: training stops until the model is restored (restore()) or rebuilt. */
  onDiverged?(d: Divergence): void;
}

/** How the loop batches and reads. */
export interface TrainerOptions {
  batchSize: number;
  /** Steps between reads of the loss terms. */
  readEvery: number;
  seed: number;
  /** Examples per held-out evaluation batch. */
  evalBatch?: number;
}

/** A Trainer's position, as a checkpoint keeps it. */
export interface TrainerState {
  step: number;
  sampler: SamplerState;
}

/** Trains one model on one data set, step by step, epoch by epoch. */
export class Trainer {
  /** Steps taken so far. */
  step = 0;
  private readonly sampler: EpochSampler;
  private pending: { step: number; epoch: number; terms: LossTerms }[] = [];

  /** Prepares to train `model` on `train`, evaluating on `heldout` after every epoch. */
  constructor(
    readonly model: GenerativeModel,
    readonly train: DeviceData,
    readonly heldout: DeviceData,
    readonly options: TrainerOptions,
    private readonly listener: TrainerListener = {},
  ) {
    this.sampler = new EpochSampler(train.count, options.batchSize, new Rng(options.seed));
  }

  /** Where training is, for a checkpoint: the step and the sampler's position. Call flush() first. */
  get state(): TrainerState {
    if (this.pending.length) throw new Error('flush() the trainer before saving its state');
    return { step: this.step, sampler: this.sampler.state };
  }

  /** Continues from a checkpoint's state: the same step count and the same next batch. */
  restore(state: TrainerState): void {
    this.sampler.restore(state.sampler);
    this.step = state.step;
    this.diverged = undefined;
  }

  /** The first non-finite loss term seen, once training diverged; runSteps() does nothing until restore(). */
  diverged: Divergence | undefined;

  /** Completed epochs. */
  get epoch(): number {
    return this.sampler.epoch;
  }

  /** Fractional epochs, for charts. */
  get epochProgress(): number {
    return this.step / this.sampler.batchesPerEpoch;
  }

  /** Takes `n` steps, reading loss terms every `readEvery` steps and evaluating at epoch ends. */
  async runSteps(n: number): Promise<void> {
    for (let i = 0; i < n && !this.diverged; i++) {
      const { indices, epochEnded } = this.sampler.next();
      const batch = this.train.gather(indices);
      const terms = this.model.step(batch);
      tf.dispose([batch.x, batch.y]);
      this.step++;
      this.pending.push({ step: this.step, epoch: this.epochProgress, terms });
      if (epochEnded) {
        await this.flush();
        if (this.diverged) return;
        const heldout = await this.evaluate(this.heldout);
        this.listener.onEpoch?.({ step: this.step, epoch: this.epoch, heldout });
      } else if (this.pending.length >= this.options.readEvery) {
        await this.flush();
      }
    }
  }

  /** Reads all pending loss terms in one asynchronous transfer and reports them. */
  async flush(): Promise<StepRow[]> {
    if (this.pending.length === 0) return [];
    const pending = this.pending;
    this.pending = [];
    const names = this.model.lossTerms;
    const stacked = tf.tidy(() => tf.stack(pending.flatMap((p) => names.map((n) => p.terms[n]))));
    pending.forEach((p) => tf.dispose(Object.values(p.terms)));
    const flat = await stacked.data();
    stacked.dispose();
    const rows = pending.map((p, i) => ({
      step: p.step,
      epoch: p.epoch,
      values: Object.fromEntries(names.map((n, j) => [n, flat[i * names.length + j]])),
    }));
    this.listener.onSteps?.(rows);
    // The loss terms are read here anyway: checking them costs nothing more.
    for (const row of rows) {
      const bad = names.find((n) => !Number.isFinite(row.values[n]));
      if (bad !== undefined && !this.diverged) {
        this.diverged = { step: row.step, term: bad, value: row.values[bad] };
        this.listener.onDiverged?.(this.diverged);
        break;
      }
    }
    return rows;
  }

  /** Mean loss terms over all of `data`, without updating the model. */
  async evaluate(data: DeviceData): Promise<Record<string, number>> {
    const size = this.options.evalBatch ?? 500;
    const names = this.model.lossTerms;
    const sums = tf.tidy(() => {
      let acc = tf.zeros([names.length]);
      for (let start = 0; start < data.count; start += size) {
        const end = Math.min(data.count, start + size);
        const batch = data.range(start, end);
        const t = this.model.evaluate(batch);
        acc = tf.add(acc, tf.mul(tf.stack(names.map((n) => t[n])), end - start));
      }
      return tf.div(acc, data.count);
    });
    const values = await sums.data();
    sums.dispose();
    return Object.fromEntries(names.map((n, j) => [n, values[j]]));
  }

  /** Frees pending loss terms (the model and data belong to the caller). */
  dispose(): void {
    this.pending.forEach((p) => tf.dispose(Object.values(p.terms)));
    this.pending = [];
  }
}
