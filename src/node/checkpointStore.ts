/**
 * Checkpoints on disk, written so that a crash at any point of a save leaves a loadable one:
 * the new checkpoint goes into a temporary folder, its state.json last; only then does the
 * current one become checkpoint-previous and the temporary folder become checkpoint. Each
 * network is a TensorFlow.js model folder (model.json + weights.bin, for tf.loadLayersModel).
 *
 *   <run>/checkpoint/state.json                       step, random state, spec hash, …
 *   <run>/checkpoint/<network>/model.json, weights.bin
 *   <run>/checkpoint/optimizers.json, optimizer-<i>.bin
 *   <run>/checkpoint-previous/…                       the one before
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type * as tf from '@tensorflow/tfjs-core';
import type { Checkpoint, CheckpointState, OptimizerState } from '../core/checkpoint';
import { WEIGHTS_FILE } from './saveModel';

/** The folder of the latest checkpoint in a run folder. */
export const LATEST = 'checkpoint';
/** The folder of the checkpoint before it. */
export const PREVIOUS = 'checkpoint-previous';
const TEMP_PREFIX = 'checkpoint.tmp-';
const STATE_FILE = 'state.json';

/** Writes `bytes` to `path` and flushes it to the disk. */
function writeDurably(path: string, bytes: Uint8Array | string): void {
  const fd = openSync(path, 'w');
  try {
    const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
    let off = 0;
    while (off < data.byteLength) off += writeSync(fd, data, off, data.byteLength - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `ckpt` into `dir` (which must not exist yet); state.json last, so its presence means the rest is complete. */
function writeInto(dir: string, ckpt: Checkpoint, generatedBy: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, net] of Object.entries(ckpt.networks)) {
    mkdirSync(join(dir, name));
    writeDurably(join(dir, name, WEIGHTS_FILE), new Uint8Array(net.weightData));
    const modelJson: tf.io.ModelJSON = {
      modelTopology: net.topology, format: 'layers-model', generatedBy, convertedBy: null,
      weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: net.weightSpecs }],
    };
    writeDurably(join(dir, name, 'model.json'), JSON.stringify(modelJson));
  }
  ckpt.optimizers.forEach((o, i) => writeDurably(join(dir, `optimizer-${i}.bin`), new Uint8Array(o.data)));
  writeDurably(join(dir, 'optimizers.json'), JSON.stringify(ckpt.optimizers.map((o) => ({ specs: o.specs, ...(o.powers ? { powers: o.powers } : {}) }))));
  writeDurably(join(dir, STATE_FILE), JSON.stringify({ ...ckpt.state, networks: Object.keys(ckpt.networks) }, null, 1));
}

/** Saves `ckpt` as the run's latest checkpoint, keeping the one before as checkpoint-previous. */
export function saveCheckpoint(runDir: string, ckpt: Checkpoint, generatedBy = 'GenLab'): void {
  const temp = join(runDir, `${TEMP_PREFIX}${randomBytes(4).toString('hex')}`);
  try {
    writeInto(temp, ckpt, generatedBy);
  } catch (e) {
    rmSync(temp, { recursive: true, force: true });
    throw e;
  }
  const latest = join(runDir, LATEST), previous = join(runDir, PREVIOUS);
  if (existsSync(latest)) {
    rmSync(previous, { recursive: true, force: true });
    renameSync(latest, previous);
  }
  renameSync(temp, latest);
  // Leftovers of saves that crashed before this one.
  for (const name of readdirSync(runDir)) if (name.startsWith(TEMP_PREFIX)) rmSync(join(runDir, name), { recursive: true, force: true });
}

/** Reads a checkpoint folder; throws naming the file when something is missing or malformed. */
export function readCheckpointDir(dir: string): Checkpoint {
  const read = (f: string) => readFileSync(join(dir, f));
  const json = <T>(f: string): T => {
    try {
      return JSON.parse(read(f).toString('utf8')) as T;
    } catch (e) {
      throw new Error(`${join(dir, f)}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  };
  const bytes = (f: string) => {
    const b = read(f);
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  };
  const state = json<CheckpointState & { networks: string[] }>(STATE_FILE);
  if (!Array.isArray(state.networks)) throw new Error(`${join(dir, STATE_FILE)}: no list of networks`);
  const networks: Checkpoint['networks'] = {};
  for (const name of state.networks) {
    const model = json<tf.io.ModelJSON>(join(name, 'model.json'));
    networks[name] = { topology: model.modelTopology as object, weightSpecs: model.weightsManifest.flatMap((g) => g.weights), weightData: bytes(join(name, WEIGHTS_FILE)) };
  }
  const optimizers = json<Array<Omit<OptimizerState, 'data'>>>('optimizers.json').map((o, i) => ({ ...o, data: bytes(`optimizer-${i}.bin`) }));
  const { networks: _names, ...rest } = state;
  return { state: rest, networks, optimizers };
}

/**
 * The run's most recent complete checkpoint: the latest, else a complete temporary one left by a
 * save that crashed between its renames, else the previous; undefined when there is none.
 * `accept` may refuse one (it does not fit the model), and the next is tried.
 */
export function loadCheckpoint(runDir: string, accept: (c: Checkpoint) => string | undefined = () => undefined): { checkpoint: Checkpoint; from: string } | undefined {
  const temps = existsSync(runDir)
    ? readdirSync(runDir).filter((n) => n.startsWith(TEMP_PREFIX)).map((n) => join(runDir, n)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
    : [];
  const problems: string[] = [];
  for (const dir of [join(runDir, LATEST), ...temps, join(runDir, PREVIOUS)]) {
    if (!existsSync(join(dir, STATE_FILE))) continue;
    try {
      const checkpoint = readCheckpointDir(dir);
      const problem = accept(checkpoint);
      if (!problem) return { checkpoint, from: dir };
      problems.push(`${dir}: ${problem}`);
    } catch (e) {
      problems.push(e instanceof Error ? e.message : String(e));
    }
  }
  if (problems.length) throw new Error(`no checkpoint in ${runDir} can be restored: ${problems.join('; ')}`);
  return undefined;
}
