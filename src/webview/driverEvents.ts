/** What the training driver tells the panel: its status, and callbacks for each thing that happens. */
import type { Checkpoint } from '../core/checkpoint';
import type { GenerativeModel } from '../core/family';
import type { Divergence, EpochRow, StepRow } from '../core/loop';
import type { ModelSpec } from '../core/modelfile/types';
import type { View } from '../core/views';

/** What the panel shows about training. */
export interface DriverStatus {
  step: number;
  epoch: number;
  samplesPerSec: number;
  running: boolean;
}

/** Callbacks from the driver to the panel. */
export interface DriverEvents {
  /** A new model was built (after a reset), before its first views. */
  onModel(model: GenerativeModel, spec: ModelSpec): void;
  onSteps(rows: StepRow[]): void;
  onEpoch(row: EpochRow): void;
  onViews(views: View[]): Promise<void>;
  onStatus(status: DriverStatus): void;
  onError(error: Error): void;
  /** A loss term became NaN or infinite: training paused; recover() restores the last good checkpoint (`restore`: its step, and the learning rate it will use). */
  onDiverged(d: Divergence, restore: { step: number; learningRate: number }): void;
  /** The WebGL context was lost: training stopped; recoverContext() rebuilds on a new backend. */
  onContextLost(): void;
  /** A checkpoint was taken while training (every `checkpointMs`), for the run folder. */
  onCheckpoint?(checkpoint: Checkpoint): void;
}
