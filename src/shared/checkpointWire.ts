/**
 * Checkpoints and metrics as they cross between the webview and the host. A checkpoint's buffers
 * travel as Uint8Arrays (VS Code sends typed arrays as binary both ways); everything else is
 * plain JSON. Each side checks what arrives here before it acts on it: names that become folder
 * names, tensor byte lengths against their shapes, sizes, and finite numbers.
 */
import type { Checkpoint, CheckpointState } from '../core/checkpoint';
import type { EpochRow, StepRow } from '../core/loop';

/** One network of a checkpoint on the wire. */
export interface WireNetwork {
  topology: object;
  weightSpecs: Array<{ name: string; shape: number[]; dtype: 'float32' | 'int32' }>;
  weightData: Uint8Array;
}

/** A checkpoint on the wire: Checkpoint with Uint8Array buffers. */
export interface WireCheckpoint {
  state: CheckpointState;
  networks: Record<string, WireNetwork>;
  optimizers: Array<{ specs: WireNetwork['weightSpecs']; data: Uint8Array; powers?: [number, number] }>;
}

/** The largest checkpoint either side accepts, in bytes of tensors (the default VAE's is about 10 MB). */
export const MAX_CHECKPOINT_BYTES = 512 * 2 ** 20;
/** A network name, which becomes a folder name on disk: a letter, then letters, digits, "-" or "_". */
export const NETWORK_NAME = /^[A-Za-z][\w-]{0,63}$/;
/** The most networks and optimizers a checkpoint may hold. */
const MAX_PARTS = 16;
/** The most metric rows one message may carry. */
export const MAX_METRIC_ROWS = 10_000;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const shortStr = (v: unknown, max = 256): v is string => typeof v === 'string' && v.length <= max;

/** Bytes the tensors of `specs` take, or -1 when a spec is malformed. */
function specBytes(specs: unknown): number {
  if (!Array.isArray(specs) || specs.length > 4096) return -1;
  let total = 0;
  for (const s of specs) {
    if (!isObj(s) || !shortStr(s.name) || (s.dtype !== 'float32' && s.dtype !== 'int32')) return -1;
    if (!Array.isArray(s.shape) || s.shape.length > 8 || !s.shape.every(isCount)) return -1;
    total += (s.shape as number[]).reduce((a, b) => a * b, 1) * 4;
  }
  return total;
}

/** Whether `v` is a checkpoint's state.json as GenLab writes it. */
export function isCheckpointState(v: unknown): v is CheckpointState {
  if (!isObj(v) || v.format !== 'genlab-checkpoint' || v.version !== 1) return false;
  const t = v.trainer as Record<string, unknown> | undefined;
  const s = isObj(t) ? (t.sampler as Record<string, unknown> | undefined) : undefined;
  return shortStr(v.family, 64) && shortStr(v.specHash, 64) && shortStr(v.savedAt, 64)
    && isObj(t) && isCount(t.step) && isObj(s) && isCount(s.epoch) && isCount(s.pos) && isNum(s.orderState)
    && Array.isArray(v.rngs) && v.rngs.length <= 64 && v.rngs.every(isNum)
    && isObj(v.counters) && Object.keys(v.counters).length <= 64 && Object.values(v.counters).every(isNum)
    && isNum(v.learningRate) && v.learningRate > 0;
}

/**
 * Whether `v` is a well-formed wire checkpoint: a valid state, plain network names, each
 * buffer exactly as long as its tensors' shapes say, and no more than MAX_CHECKPOINT_BYTES.
 */
export function isWireCheckpoint(v: unknown): v is WireCheckpoint {
  if (!isObj(v) || !isCheckpointState(v.state) || !isObj(v.networks) || !Array.isArray(v.optimizers)) return false;
  const nets = Object.entries(v.networks);
  if (nets.length === 0 || nets.length > MAX_PARTS || v.optimizers.length > MAX_PARTS) return false;
  let total = 0;
  for (const [name, net] of nets) {
    if (!NETWORK_NAME.test(name) || !isObj(net) || !isObj(net.topology) || !(net.weightData instanceof Uint8Array)) return false;
    const bytes = specBytes(net.weightSpecs);
    if (bytes < 0 || bytes !== net.weightData.byteLength) return false;
    total += bytes;
  }
  for (const o of v.optimizers) {
    if (!isObj(o) || !(o.data instanceof Uint8Array)) return false;
    const bytes = specBytes(o.specs);
    if (bytes < 0 || bytes !== o.data.byteLength) return false;
    if (o.powers !== undefined && !(Array.isArray(o.powers) && o.powers.length === 2 && o.powers.every(isNum))) return false;
    total += bytes;
  }
  return total <= MAX_CHECKPOINT_BYTES;
}

const bytesOf = (b: ArrayBuffer): Uint8Array => new Uint8Array(b);
const bufferOf = (u: Uint8Array): ArrayBuffer => u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;

/** A checkpoint as it goes on the wire. */
export function toWire(c: Checkpoint): WireCheckpoint {
  return {
    state: c.state,
    networks: Object.fromEntries(Object.entries(c.networks).map(([k, n]) => [k, { topology: n.topology, weightSpecs: n.weightSpecs as WireNetwork['weightSpecs'], weightData: bytesOf(n.weightData) }])),
    optimizers: c.optimizers.map((o) => ({ specs: o.specs as WireNetwork['weightSpecs'], data: bytesOf(o.data), ...(o.powers ? { powers: o.powers } : {}) })),
  };
}

/** A checkpoint back from the wire (buffers copied out of their views). */
export function fromWire(w: WireCheckpoint): Checkpoint {
  return {
    state: w.state,
    networks: Object.fromEntries(Object.entries(w.networks).map(([k, n]) => [k, { topology: n.topology, weightSpecs: n.weightSpecs, weightData: bufferOf(n.weightData) }])),
    optimizers: w.optimizers.map((o) => ({ specs: o.specs, data: bufferOf(o.data), ...(o.powers ? { powers: o.powers } : {}) })),
  };
}

const isTerms = (v: unknown): v is Record<string, number> => isObj(v) && Object.keys(v).length <= 64 && Object.entries(v).every(([k, x]) => k.length <= 64 && (typeof x === 'number' || x === null));

/** Whether `v` is a list of at most MAX_METRIC_ROWS step rows ({step, epoch, values}); a value may be null: NaN and ±Infinity (a divergence) arrive so through JSON. */
export function isStepRows(v: unknown): v is StepRow[] {
  return Array.isArray(v) && v.length <= MAX_METRIC_ROWS && v.every((r) => isObj(r) && isCount(r.step) && isNum(r.epoch) && isTerms(r.values));
}

/** Whether `v` is a list of at most MAX_METRIC_ROWS held-out rows ({step, epoch, heldout}). */
export function isEpochRows(v: unknown): v is EpochRow[] {
  return Array.isArray(v) && v.length <= MAX_METRIC_ROWS && v.every((r) => isObj(r) && isCount(r.step) && isNum(r.epoch) && isTerms(r.heldout));
}
