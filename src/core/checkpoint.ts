/**
 * Checkpoints: everything needed to continue a run exactly where it stopped. Every network's
 * weights in TensorFlow.js's own format (topology + weight specs + one weight buffer, what
 * tf.loadLayersModel reads), every optimizer's state (Adam's moments and step count, encoded by
 * tf.io.encodeWeights), the trainer's step and sampler position, the model's random generators,
 * and a hash of the model spec. Restoring checks names, shapes, byte lengths and finite values
 * before it changes anything, and refuses a mismatch with a message that names the tensor.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GenerativeModel } from './family';
import type { Trainer, TrainerState } from './loop';

/** One network as tf.LayersModel.save() gives it. */
export interface NetworkArtifacts {
  /** The Keras-style topology JSON (model.json's modelTopology). */
  topology: object;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
}

/** What a checkpoint says about itself (state.json on disk). */
export interface CheckpointState {
  format: 'genlab-checkpoint';
  version: 1;
  family: string;
  /** A digest of the resolved model spec (see specHash): a checkpoint only loads into the same model. */
  specHash: string;
  trainer: TrainerState;
  /** States of the model's random generators, in GenerativeModel.rngs order. */
  rngs: number[];
  /** The model's counters (GenerativeModel.counters), if it has any. */
  counters: Record<string, number>;
  learningRate: number;
  savedAt: string;
}

/** One optimizer's state: its weights as tf.io.encodeWeights gives them, and Adam's running powers β1^t, β2^t. */
export interface OptimizerState {
  specs: tf.io.WeightsManifestEntry[];
  data: ArrayBuffer;
  /**
   * Adam's accBeta1 and accBeta2, which getWeights() leaves out: setWeights() recomputes them as
   * β^(t+1), which differs in the last bits from the product the running optimizer kept.
   */
  powers?: [number, number];
}

/** A whole checkpoint in memory: state, networks, and one state per optimizer. */
export interface Checkpoint {
  state: CheckpointState;
  networks: Record<string, NetworkArtifacts>;
  optimizers: OptimizerState[];
}

/** Adam's running powers, where the optimizer has them. */
type WithPowers = { accBeta1?: tf.Variable; accBeta2?: tf.Variable };

/** A 64-bit FNV-1a hash (hex) of a JSON value with sorted keys: equal specs, equal hashes. */
export function specHash(value: unknown): string {
  const text = stableJson(value);
  let h1 = 0x811c9dc5, h2 = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
}

/** JSON with object keys sorted, so that key order does not change the hash. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

/** The weight buffer of save artifacts as one ArrayBuffer. */
function joined(data: tf.io.WeightData | undefined): ArrayBuffer {
  return data ? tf.io.CompositeArrayBuffer.join(data) : new ArrayBuffer(0);
}

/**
 * Captures a checkpoint of `model` trained by `trainer` (flush the trainer first). Reads every
 * tensor back from the backend. tfjs's Optimizer.getWeights() makes a new step-count tensor on
 * every call (tfjs issue #8238); it is disposed here, so saving leaks nothing.
 */
export async function captureCheckpoint(model: GenerativeModel, trainer: Trainer, hash: string): Promise<Checkpoint> {
  const state: CheckpointState = {
    format: 'genlab-checkpoint', version: 1, family: model.family, specHash: hash,
    trainer: trainer.state, rngs: model.rngs.map((r) => r.state), counters: { ...(model.counters ?? {}) }, learningRate: model.optimizers.learningRate, savedAt: new Date().toISOString(),
  };
  const networks: Record<string, NetworkArtifacts> = {};
  for (const [name, net] of Object.entries(model.networks)) {
    await net.save(tf.io.withSaveHandler(async (a) => {
      networks[name] = { topology: a.modelTopology as object, weightSpecs: a.weightSpecs ?? [], weightData: joined(a.weightData) };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
  }
  const optimizers: Checkpoint['optimizers'] = [];
  for (const optimizer of model.optimizers.all) {
    const weights = await optimizer.getWeights();
    try {
      const { data, specs } = await tf.io.encodeWeights(weights);
      const { accBeta1, accBeta2 } = optimizer as unknown as WithPowers;
      const powers: [number, number] | undefined = accBeta1 && accBeta2 ? [(await accBeta1.data())[0], (await accBeta2.data())[0]] : undefined;
      optimizers.push({ specs, data: joined(data), ...(powers ? { powers } : {}) });
    } finally {
      weights.filter((w) => w.name === 'iter').forEach((w) => w.tensor.dispose()); // the step count, made anew by getWeights
    }
  }
  return { state, networks, optimizers };
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/** Checks that `specs` describe `data` exactly and that float values are finite; returns a message naming the first bad tensor. */
function checkWeightData(where: string, specs: tf.io.WeightsManifestEntry[], data: ArrayBuffer): string | undefined {
  let offset = 0;
  for (const s of specs) {
    const size = s.shape.reduce((a, b) => a * b, 1) * (BYTES[s.dtype] ?? NaN);
    if (!Number.isFinite(size) || s.quantization) return `${where} "${s.name}": unsupported dtype ${s.dtype}${s.quantization ? ' (quantized)' : ''}`;
    if (offset + size > data.byteLength) return `${where} "${s.name}": the weight data ends after ${data.byteLength} bytes, but this tensor needs bytes ${offset} to ${offset + size}`;
    if (s.dtype === 'float32') {
      const values = new Float32Array(data.slice(offset, offset + size));
      const bad = values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) return `${where} "${s.name}" holds ${values[bad]} at index ${bad}: the checkpoint was saved from a diverged or lost model`;
    }
    offset += size;
  }
  if (offset !== data.byteLength) return `${where}: the weight data has ${data.byteLength} bytes, but its tensors take ${offset}`;
  return undefined;
}

/**
 * Why `ckpt` cannot be restored into `model`, or undefined: another family or spec, a network or
 * tensor missing or extra, a shape or byte length that differs, or a value that is not finite.
 */
export function checkpointProblem(model: GenerativeModel, ckpt: Checkpoint, hash: string): string | undefined {
  const s = ckpt.state;
  if (s?.format !== 'genlab-checkpoint' || s.version !== 1) return 'not a GenLab checkpoint (format genlab-checkpoint, version 1)';
  if (s.family !== model.family) return `the checkpoint is of a ${s.family}, but the model is a ${model.family}`;
  if (s.specHash !== hash) return 'the checkpoint was saved from a different model file (its settings or networks changed): start a new run';
  if (s.rngs.length !== model.rngs.length) return `the checkpoint has ${s.rngs.length} random generators, the model ${model.rngs.length}`;
  for (const [name, net] of Object.entries(model.networks)) {
    const saved = ckpt.networks[name];
    if (!saved) return `the checkpoint has no network "${name}"`;
    const problem = checkWeightData(`network "${name}", tensor`, saved.weightSpecs, saved.weightData);
    if (problem) return problem;
    const specs = new Map(saved.weightSpecs.map((w) => [w.name, w]));
    for (const w of net.weights) {
      const spec = specs.get(w.originalName);
      if (!spec) return `network "${name}": the checkpoint has no tensor "${w.originalName}"`;
      if (spec.shape.join('×') !== w.shape.join('×')) return `network "${name}", tensor "${w.originalName}": the checkpoint has shape [${spec.shape.join(', ')}], the model [${w.shape.join(', ')}]`;
      specs.delete(w.originalName);
    }
    if (specs.size) return `network "${name}": the checkpoint has tensors the model lacks: ${[...specs.keys()].join(', ')}`;
  }
  const extra = Object.keys(ckpt.networks).filter((n) => !(n in model.networks));
  if (extra.length) return `the checkpoint has networks the model lacks: ${extra.join(', ')}`;
  if (ckpt.optimizers.length !== model.optimizers.all.length) return `the checkpoint has ${ckpt.optimizers.length} optimizers, the model ${model.optimizers.all.length}`;
  for (const [i, o] of ckpt.optimizers.entries()) {
    const problem = checkWeightData(`optimizer ${i + 1}, tensor`, o.specs, o.data);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Restores `ckpt` into `model` and `trainer` (built from the same spec; fresh, or running, as
 * after a divergence): weights, optimizer moments and step count, the trainer's step and next
 * batch, the random generators and counters. Throws, changing nothing, when checkpointProblem
 * finds a problem.
 */
export async function restoreCheckpoint(model: GenerativeModel, trainer: Trainer, ckpt: Checkpoint, hash: string): Promise<void> {
  const problem = checkpointProblem(model, ckpt, hash);
  if (problem) throw new Error(`cannot restore the checkpoint: ${problem}`);
  for (const [name, net] of Object.entries(model.networks)) {
    const saved = ckpt.networks[name];
    const map = tf.io.decodeWeights(saved.weightData, saved.weightSpecs);
    try {
      net.setWeights(net.weights.map((w) => map[w.originalName]));
    } finally {
      tf.dispose(Object.values(map));
    }
  }
  for (const [i, o] of ckpt.optimizers.entries()) {
    const map = tf.io.decodeWeights(o.data, o.specs);
    // setWeights copies each tensor into a new variable, by position (tfjs matches moments to variables by order).
    const list = o.specs.map((s) => ({ name: s.name, tensor: map[s.name] }));
    try {
      const optimizer = model.optimizers.all[i];
      // setWeights() replaces the moment variables without freeing the old ones: free them first (restoring into a running model).
      const old = await optimizer.getWeights();
      tf.dispose(old.map((w) => w.tensor));
      await optimizer.setWeights(list);
      const { accBeta1, accBeta2 } = optimizer as unknown as WithPowers;
      if (o.powers && accBeta1 && accBeta2) tf.tidy(() => (accBeta1.assign(tf.scalar(o.powers![0])), accBeta2.assign(tf.scalar(o.powers![1]))));
    } finally {
      tf.dispose(Object.values(map));
    }
  }
  trainer.restore(ckpt.state.trainer);
  ckpt.state.rngs.forEach((r, i) => (model.rngs[i].state = r));
  if (model.counters) Object.assign(model.counters, ckpt.state.counters);
  model.optimizers.setLearningRate(ckpt.state.learningRate);
}
