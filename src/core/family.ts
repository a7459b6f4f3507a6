/**
 * The one interface every model family implements (Karpathy's makemore shape: every model
 * is "batch in → scalar loss terms out", so one training loop serves them all).
 * build from config → step → sample → views/metrics.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Batch, DeviceData } from './data/deviceData';
import type { DataSet } from './data/dataset';
import type { ChartSpec, ControlSpec, FormulaSpec, View } from './views';
import type { StepRow } from './loop';
import type { OptimizerSet } from './optimizers';
import type { Rng } from './rng';

/** Named scalar loss terms of one step or one evaluation; the caller disposes them. */
export type LossTerms = Record<string, tf.Scalar>;

/** Options a family's views may use (a chosen held-out example, say). */
export interface ViewOptions {
  /** Index of the held-out example the user chose, for views centred on one point. */
  focusIndex: number;
  /** The example chosen before it, for views between two points (interpolation). */
  secondIndex?: number;
  /** Current values of the model's controls (a prompt, a temperature, a time step), by control id. */
  inputs?: Readonly<Record<string, string | number>>;
}

/** A trainable generative model. */
export interface GenerativeModel {
  /** The family name, as in a model file. */
  readonly family: string;
  /** Names of the loss terms step() and evaluate() return, the first being the optimized loss. */
  readonly lossTerms: readonly string[];
  /** One optimization step on `batch`; returns its loss terms (caller disposes). */
  step(batch: Batch): LossTerms;
  /** Loss terms on `batch` without changing any weight (caller disposes). */
  evaluate(batch: Batch): LossTerms;
  /** The charts of loss terms and metrics the panel draws, in order. */
  readonly charts: readonly ChartSpec[];
  /** The formula of the optimized loss, shown above the first chart, if any. */
  readonly formula?: FormulaSpec;
  /** Inputs the panel shows for this model's views (a prompt box, sliders); their values arrive in ViewOptions.inputs. */
  readonly controls?: readonly ControlSpec[];
  /** Hands over the training data, for baselines a model reports beside its loss (the transformer's bigram model). */
  setTrainingSet?(train: DataSet): void;
  /** A warning about training going wrong, judged from the latest step rows (e.g. a GAN's discriminator winning), or undefined. */
  watch?(rows: readonly StepRow[]): string | undefined;
  /** `n` samples in data space, [n, features] in [0, 1] (caller disposes). */
  sample(n: number): tf.Tensor2D;
  /** The family's views, computed from held-out data; reads back from the backend asynchronously. */
  views(heldout: DeviceData, options: ViewOptions): Promise<View[]>;
  /** The optimizers: the learning rate and live settings (OptimizerSet), and their moments for checkpoints. */
  readonly optimizers: OptimizerSet;
  /** The random generators the model draws from while training (noise, time steps), for checkpoints. */
  readonly rngs: readonly Rng[];
  /** Counts of training progress beyond the trainer's step (a GAN's discriminator and generator updates), for checkpoints; changed in place. */
  readonly counters?: Record<string, number>;
  /** The family's networks by name (e.g. encoder, decoder), for saving and export. */
  readonly networks: Readonly<Record<string, LayersModel>>;
  /** Number of trainable parameters. */
  readonly parameterCount: number;
  /** Frees every tensor the model holds. */
  dispose(): void;
}

/** Shape of the data a model is built for. */
export interface DataShape {
  height: number;
  width: number;
  channels: number;
  classes: number;
  /** 'points' for vectors that are not images (the 2-D toy sets), 'text' for characters; images otherwise. */
  kind?: 'points' | 'text';
}
