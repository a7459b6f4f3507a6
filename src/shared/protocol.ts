/**
 * Every message between the extension host and the playground webview.
 * Both sides check each message on arrival with the parse functions below; anything that
 * does not match is dropped and reported, never acted on.
 */

import type { DataSet } from '../core/data/dataset';
import type { ModelSpec, OptimizerSpec } from '../core/modelfile/types';
import type { EpochRow, StepRow } from '../core/loop';
import { isEpochRows, isStepRows, isWireCheckpoint, type WireCheckpoint } from './checkpointWire';

/** Backends the playground can train on, in the order it tries them. */
export const BACKENDS = ['webgl', 'wasm', 'cpu'] as const;
/** One TensorFlow.js backend name. */
export type BackendName = (typeof BACKENDS)[number];

/** Hyperparameters of the default VAE that the panel lets a user set before starting. */
export interface VaeHyperparameters {
  latentDim: number;
  hiddenUnits: number;
  batchSize: number;
  learningRate: number;
  beta: number;
}

/** A data set as raw arrays: uint8 pixels (row-major, count×height×width×channels, channels last), float32 points or int32 text tokens, and uint8 labels. */
export type DatasetPayload = DataSet;

/**
 * What the webview keeps in its saved state (vscode.setState) so that the host can bring the panel
 * back after a window reload: the model file's URI (or "builtin"), the run folder's name (never a
 * path: the host finds it under its own runs folder), and whether it was training.
 */
export interface PanelState {
  source: string;
  run: string;
  running: boolean;
}

/** A run folder's name, as runFolderName makes it: letters, digits, ".", "-", "_", not only dots. */
export const RUN_NAME = /^(?!\.+$)[\w.-]{1,128}$/;

/** A run to go on with: its latest checkpoint and the metrics up to it, so the curves continue. */
export interface ResumeData {
  checkpoint: WireCheckpoint;
  steps: StepRow[];
  epochs: EpochRow[];
}

/** Messages the host sends to the webview. */
export type HostMessage =
  | {
      type: 'init';
      title: string;
      hyperparameters: VaeHyperparameters;
      dataset: DatasetPayload;
      strings: Record<string, string>;
      /** Base URI (with trailing slash) of the tfjs wasm binaries. */
      wasmBase: string;
      /** Backends to skip, for tests and for users whose WebGL misbehaves. */
      disabledBackends: BackendName[];
      /** The model file's resolved spec; absent for the built-in VAE, whose form sets it. */
      spec?: ModelSpec;
      /** Start training at once (▶ Train), or wait for Start (Open in Playground). */
      autostart: boolean;
      /** Seconds between checkpoints saved to the run folder (0: only on pause). */
      checkpointEverySeconds: number;
      /** The state for the webview to keep (see PanelState). */
      panelState: PanelState;
      /** A run to restore before training: after a reload, or Resume in the GenLab view. */
      resume?: ResumeData;
    }
  | { type: 'restart'; title: string; spec: ModelSpec }
  /** New optimizer settings of the same class, applied without a restart. */
  | { type: 'setOptimizer'; optimizer: OptimizerSpec }
  /** The model file cannot train (its data cannot be read, or it has errors): what to show instead, already translated. */
  | { type: 'cannotTrain'; title: string; heading: string; problems: string[]; hint: string }
  /** A checkpoint the webview sent was saved at `step` in run folder `run` (or could not be: `error`, already translated). */
  | { type: 'checkpointSaved'; step: number; run: string; error?: string };

/** Messages the webview sends to the host. */
export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'status'; step: number; epoch: number; samplesPerSec: number; backend: BackendName; running: boolean }
  | { type: 'backendFallback'; backend: BackendName; reason: string }
  | { type: 'error'; message: string }
  /** A view drawn as PNG (base64), for the host to save in the run folder; the host chooses the path. */
  | { type: 'exportPng'; view: string; step: number; png: string }
  /** A new model started from step 0 (the first, a reset or a restart): the host begins a new run folder for it. */
  | { type: 'runStarted'; spec: ModelSpec }
  /** A checkpoint for the run folder, taken on the timer or when the user paused, with the sample grid then as a PNG (base64) for the GenLab view. */
  | { type: 'checkpoint'; reason: 'timer' | 'pause'; checkpoint: WireCheckpoint; samplesPng?: string }
  /** Metric rows since the last metrics message, for the run's metrics.jsonl. */
  | { type: 'metrics'; steps: StepRow[]; epochs: EpochRow[] };

/** Every host message type, for checks and tests. */
export const HOST_MESSAGE_TYPES = ['init', 'restart', 'setOptimizer', 'cannotTrain', 'checkpointSaved'] as const;
/** Every webview message type, for checks and tests. */
export const WEBVIEW_MESSAGE_TYPES = ['ready', 'status', 'backendFallback', 'error', 'exportPng', 'runStarted', 'checkpoint', 'metrics'] as const;

/** The largest PNG a webview may send, as base64 characters (about 12 MB of image). */
export const MAX_PNG_BASE64 = 16 * 2 ** 20;
/** A view id as the views name them: a letter, then letters, digits, "-" or "_". */
export const VIEW_ID = /^[A-Za-z][\w-]{0,63}$/;

type Check = (v: unknown) => boolean;

/** The most problems a cannotTrain message lists (the Problems panel has them all). */
export const MAX_PROBLEMS = 20;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const isStr: Check = (v) => typeof v === 'string';
const isBool: Check = (v) => typeof v === 'boolean';
const isBackend: Check = (v) => typeof v === 'string' && (BACKENDS as readonly string[]).includes(v);
const isBytes: Check = (v) => v instanceof Uint8Array;
const has = (o: Record<string, unknown>, fields: Record<string, Check>): boolean =>
  Object.entries(fields).every(([k, check]) => check(o[k]));

/** Largest string a webview may send in one field (a stack trace fits, a flood does not). */
export const MAX_STRING = 4096;
const shortStr: Check = (v) => isStr(v) && (v as string).length <= MAX_STRING;

const hyperChecks: Record<string, Check> = {
  latentDim: isNum, hiddenUnits: isNum, batchSize: isNum, learningRate: isNum, beta: isNum,
};
const isCount: Check = (v) => Number.isInteger(v) && (v as number) >= 0;
const isSize: Check = (v) => Number.isInteger(v) && (v as number) > 0;
const imageChecks: Record<string, Check> = {
  name: isStr, count: isCount, height: isSize, width: isSize, pixels: isBytes, labels: isBytes,
  channels: (v) => v === undefined || v === 1 || v === 3,
  classNames: (v) => v === undefined || (Array.isArray(v) && v.every(isStr)),
};
/** Grey or RGB images whose pixels hold exactly count·height·width·channels bytes (channels 1 when absent). */
const isImageSet = (v: Record<string, unknown>): boolean => has(v, imageChecks)
  && (v.pixels as Uint8Array).length === (v.count as number) * (v.height as number) * (v.width as number) * ((v.channels as number | undefined) ?? 1)
  && (v.labels as Uint8Array).length === v.count;
const pointChecks: Record<string, Check> = {
  name: isStr, count: isNum, dims: isNum, classes: isNum, points: (v) => v instanceof Float32Array, labels: isBytes,
};
const textChecks: Record<string, Check> = {
  name: isStr, count: isNum, tokens: (v) => v instanceof Int32Array, labels: isBytes,
  vocab: (v) => Array.isArray(v) && v.length > 0 && v.every((c) => isStr(c) && Array.from(c as string).length === 1),
};
/** An image, point or text set whose arrays hold exactly `count` examples (text: tokens that index the vocabulary). */
const isDataset: Check = (v) => {
  if (!isObj(v)) return false;
  if (v.kind === 'text') {
    if (!has(v, textChecks) || (v.tokens as Int32Array).length !== v.count || (v.labels as Uint8Array).length !== v.count) return false;
    const size = (v.vocab as string[]).length;
    return (v.tokens as Int32Array).every((t) => t >= 0 && t < size);
  }
  if (v.kind === 'points') {
    return has(v, pointChecks) && (v.points as Float32Array).length === (v.count as number) * (v.dims as number) && (v.labels as Uint8Array).length === v.count;
  }
  return (v.kind === undefined || v.kind === 'images') && isImageSet(v);
};

const isLayerList: Check = (v) => Array.isArray(v) && v.every((l) => isObj(l) && isStr(l.type));
const optionalNum = (v: unknown) => v === undefined || isNum(v);
/** Optimizer settings: a known type, a positive learning rate, optional β1, β2 and momentum. */
const isOptimizer: Check = (v) => isObj(v) && ['adam', 'sgd', 'rmsprop'].includes(v.type as string)
  && isNum(v.learningRate) && (v.learningRate as number) > 0 && optionalNum(v.beta1) && optionalNum(v.beta2) && optionalNum(v.momentum);
/** A resolved model spec, checked field by field (the host resolved it; this guards the boundary). */
const isSpec: Check = (v) => isObj(v) && isStr(v.family) && isStr(v.name) && isNum(v.latentDim)
  && isObj(v.data) && isObj(v.networks) && Object.values(v.networks).every(isLayerList)
  && isObj(v.loss) && isNum((v.loss as Record<string, unknown>).beta)
  && isOptimizer(v.optimizer)
  && isObj(v.training) && has(v.training as Record<string, unknown>, { batchSize: isNum, epochs: isNum, seed: isNum })
  && Array.isArray(v.views) && v.views.every(isStr);

/** Whether `v` is a resolved model spec in the shape the webview needs (a run's model.genlab.json, a message field). */
export function isModelSpec(v: unknown): v is ModelSpec {
  return isSpec(v);
}

/** Returns `v` if it is a well-formed PanelState (what a reloaded webview hands back), else undefined. */
export function parsePanelState(v: unknown): PanelState | undefined {
  if (!isObj(v) || typeof v.source !== 'string' || v.source.length > MAX_STRING || typeof v.run !== 'string' || !RUN_NAME.test(v.run) || !isBool(v.running)) return undefined;
  return { source: v.source, run: v.run, running: v.running as boolean };
}

const isResume: Check = (v) => v === undefined || (isObj(v) && isWireCheckpoint(v.checkpoint) && isStepRows(v.steps) && isEpochRows(v.epochs));

/** Returns the message if it is a well-formed host message, else undefined. */
export function parseHostMessage(v: unknown): HostMessage | undefined {
  if (!isObj(v)) return undefined;
  if (v.type === 'restart') return has(v, { title: isStr, spec: isSpec }) ? (v as unknown as HostMessage) : undefined;
  if (v.type === 'setOptimizer') return has(v, { optimizer: isOptimizer }) ? { type: 'setOptimizer', optimizer: v.optimizer as OptimizerSpec } : undefined;
  if (v.type === 'cannotTrain') {
    const ok = has(v, { title: isStr, heading: isStr, hint: isStr }) && Array.isArray(v.problems) && v.problems.length <= MAX_PROBLEMS && v.problems.every(isStr);
    return ok ? { type: 'cannotTrain', title: v.title as string, heading: v.heading as string, problems: v.problems as string[], hint: v.hint as string } : undefined;
  }
  if (v.type === 'checkpointSaved') {
    const ok = Number.isInteger(v.step) && typeof v.run === 'string' && RUN_NAME.test(v.run) && (v.error === undefined || isStr(v.error));
    return ok ? { type: 'checkpointSaved', step: v.step as number, run: v.run as string, ...(v.error === undefined ? {} : { error: v.error as string }) } : undefined;
  }
  if (v.type === 'init') {
    const ok = has(v, { title: isStr, wasmBase: isStr, strings: isObj, hyperparameters: isObj, dataset: isObj, autostart: isBool, checkpointEverySeconds: isNum })
      && parsePanelState(v.panelState) !== undefined && isResume(v.resume)
      && (v.spec === undefined || isSpec(v.spec))
      && has(v.hyperparameters as Record<string, unknown>, hyperChecks)
      && isDataset(v.dataset)
      && Array.isArray(v.disabledBackends) && v.disabledBackends.every(isBackend)
      && Object.values(v.strings as Record<string, unknown>).every(isStr);
    return ok ? (v as unknown as HostMessage) : undefined;
  }
  return undefined;
}

/** Base64 text of at most MAX_PNG_BASE64 characters (the PNG signature is checked where the bytes are written). */
const isPngBase64 = (v: unknown): v is string => typeof v === 'string' && v.length <= MAX_PNG_BASE64 && /^[A-Za-z0-9+/]+={0,2}$/.test(v);

/** Returns the message if it is a well-formed webview message, else undefined. */
export function parseWebviewMessage(v: unknown): WebviewMessage | undefined {
  if (!isObj(v)) return undefined;
  switch (v.type) {
    case 'ready':
      return { type: 'ready' };
    case 'status':
      return has(v, { step: isNum, epoch: isNum, samplesPerSec: isNum, backend: isBackend, running: isBool })
        ? { type: 'status', step: v.step as number, epoch: v.epoch as number, samplesPerSec: v.samplesPerSec as number, backend: v.backend as BackendName, running: v.running as boolean }
        : undefined;
    case 'backendFallback':
      return has(v, { backend: isBackend, reason: shortStr })
        ? { type: 'backendFallback', backend: v.backend as BackendName, reason: v.reason as string }
        : undefined;
    case 'error':
      return has(v, { message: shortStr }) ? { type: 'error', message: v.message as string } : undefined;
    case 'exportPng':
      return typeof v.view === 'string' && VIEW_ID.test(v.view) && Number.isInteger(v.step) && (v.step as number) >= 0 && isPngBase64(v.png)
        ? { type: 'exportPng', view: v.view, step: v.step as number, png: v.png }
        : undefined;
    case 'runStarted':
      return isSpec(v.spec) ? { type: 'runStarted', spec: v.spec as ModelSpec } : undefined;
    case 'checkpoint':
      return (v.reason === 'timer' || v.reason === 'pause') && isWireCheckpoint(v.checkpoint) && (v.samplesPng === undefined || isPngBase64(v.samplesPng))
        ? { type: 'checkpoint', reason: v.reason, checkpoint: v.checkpoint, ...(v.samplesPng === undefined ? {} : { samplesPng: v.samplesPng as string }) }
        : undefined;
    case 'metrics':
      return isStepRows(v.steps) && isEpochRows(v.epochs) ? { type: 'metrics', steps: v.steps, epochs: v.epochs } : undefined;
    default:
      return undefined;
  }
}
