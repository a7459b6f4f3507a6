/**
 * A data set held on the active TensorFlow.js backend (the GPU under WebGL): uploaded once,
 * with batches gathered there, so that a training step copies only its batch indices.
 */
import * as tf from '@tensorflow/tfjs-core';
import { channelsOf, isPointSet, isTextSet, type DataSet } from './dataset';
import type { Rng } from '../rng';

/**
 * A batch: inputs flattened to [batch, features] (images in [0, 1], points as they are), and
 * integer labels. For text, x holds int32 windows of `window` + 1 consecutive tokens (inputs and
 * their next-token targets), and y is all zeros.
 */
export interface Batch {
  x: tf.Tensor2D;
  y: tf.Tensor1D;
}

/** A data set uploaded to the backend as float32 (images scaled to [0, 1], points as they are), with int32 labels. */
export class DeviceData {
  /** All inputs, [count, features]. */
  readonly x: tf.Tensor2D;
  /** All labels, [count]. */
  readonly y: tf.Tensor1D;
  /** How many examples there are. */
  readonly count: number;
  /** Features per example (height·width·channels, or a point's dimensions). */
  readonly features: number;

  /** For text: the window length (the model's context); examples are windows starting every `stride` tokens. */
  readonly window: number;
  private readonly stride: number;

  /**
   * Uploads `set` once. Text is cut into windows of `text.window` + 1 tokens starting every
   * `text.stride` tokens (1 for training; the window itself for held-out data, so that every
   * character is scored once). The caller disposes this object when done.
   */
  constructor(readonly set: DataSet, text: { window: number; stride?: number } = { window: 0 }) {
    this.count = set.count;
    this.window = text.window;
    this.stride = text.stride ?? 1;
    if (isTextSet(set)) {
      if (!(this.window > 0)) throw new Error('text data needs a window length (the model\'s context)');
      if (set.count < this.window + 1) throw new Error(`the text has ${set.count} characters, fewer than the context of ${this.window} + 1`);
      this.count = Math.floor((set.count - this.window - 1) / this.stride) + 1;
      this.features = this.window + 1;
      this.x = tf.tensor2d(set.tokens, [set.count, 1], 'int32');
    } else if (isPointSet(set)) {
      this.features = set.dims;
      this.x = tf.tensor2d(set.points, [set.count, set.dims], 'float32');
    } else {
      this.features = set.height * set.width * channelsOf(set);
      if (set.pixels.length !== set.count * this.features) {
        throw new Error(`${set.name}: ${set.pixels.length} pixel values do not make ${set.count} images of ${set.height}×${set.width}×${channelsOf(set)}`);
      }
      // Scaled to [0, 1] here, not on the backend: tfjs-backend-webgl 4.22 keeps a GPU division's
      // result packed, and its gather reads unpacked textures, so every batch would unpack the whole
      // set (measured 1.48× less CPU per VAE step on SwiftShader). The values are the same.
      const scaled = new Float32Array(set.pixels.length);
      for (let i = 0; i < scaled.length; i++) scaled[i] = set.pixels[i] / 255;
      this.x = tf.tensor2d(scaled, [set.count, this.features], 'float32');
    }
    this.y = tf.tensor1d(set.labels, 'int32');
  }

  /** Bytes this data set takes on the backend. */
  get bytes(): number {
    return (this.x.size + this.y.size) * 4; // float32 or int32 values, 4 bytes each (text keeps only its tokens)
  }

  /** Gathers the examples at `indices` on the backend (caller disposes the batch). */
  gather(indices: Int32Array): Batch {
    if (isTextSet(this.set)) return this.windows(indices);
    return tf.tidy(() => {
      const idx = tf.tensor1d(indices, 'int32');
      return { x: tf.gather(this.x, idx) as tf.Tensor2D, y: tf.gather(this.y, idx) as tf.Tensor1D };
    });
  }

  /** Text windows: tokens p·stride … p·stride + window for each example p, as int32 [n, window + 1]. */
  private windows(indices: Int32Array): Batch {
    const n = indices.length, w = this.window + 1;
    const at = new Int32Array(n * w);
    for (let i = 0; i < n; i++) for (let j = 0; j < w; j++) at[i * w + j] = indices[i] * this.stride + j;
    return tf.tidy(() => ({
      x: tf.reshape(tf.gather(tf.reshape(this.x, [-1]), tf.tensor1d(at, 'int32')), [n, w]) as tf.Tensor2D,
      y: tf.zeros([n], 'int32') as tf.Tensor1D,
    }));
  }

  /** The examples from `start` (inclusive) to `end` (exclusive), as a batch (caller disposes). */
  range(start: number, end: number): Batch {
    if (isTextSet(this.set)) return this.windows(Int32Array.from({ length: end - start }, (_, i) => start + i));
    return tf.tidy(() => ({
      x: tf.slice(this.x, [start, 0], [end - start, this.features]),
      y: tf.slice(this.y, [start], [end - start]),
    }));
  }

  /** Frees the backend memory. */
  dispose(): void {
    this.x.dispose();
    this.y.dispose();
  }
}

/** Draws batches without replacement, reshuffling at the start of every epoch. */
export class EpochSampler {
  private order: Int32Array;
  private pos = 0;
  /** The generator's state just before it drew the current order, so that a checkpoint need not store the order. */
  private orderState: number;
  /** Completed passes over the data. */
  epoch = 0;

  /** Samples batches of `batchSize` from `count` examples, shuffled by `rng`. */
  constructor(private readonly count: number, readonly batchSize: number, private readonly rng: Rng) {
    if (batchSize > count) throw new Error(`batch size ${batchSize} is larger than the data set (${count} examples)`);
    this.orderState = rng.state;
    this.order = rng.permutation(count);
  }

  /** Batches in one epoch (the last partial batch is dropped). */
  get batchesPerEpoch(): number {
    return Math.floor(this.count / this.batchSize);
  }

  /** The indices of the next batch; `epochEnded` is true when this batch completes an epoch. */
  next(): { indices: Int32Array; epochEnded: boolean } {
    const indices = this.order.slice(this.pos, this.pos + this.batchSize);
    this.pos += this.batchSize;
    let epochEnded = false;
    if (this.pos + this.batchSize > this.count) {
      this.epoch++;
      this.pos = 0;
      this.orderState = this.rng.state;
      this.order = this.rng.permutation(this.count);
      epochEnded = true;
    }
    return { indices, epochEnded };
  }

  /** Where the sampler is: epoch, position in the epoch, and the state its order was drawn from. */
  get state(): SamplerState {
    return { epoch: this.epoch, pos: this.pos, orderState: this.orderState };
  }

  /** Continues from a saved state: the same order, the same next batch. */
  restore(s: SamplerState): void {
    if (!(Number.isInteger(s.pos) && s.pos >= 0 && s.pos + this.batchSize <= this.count)) throw new Error(`the checkpoint's position in the epoch (${s.pos}) does not fit ${this.count} examples in batches of ${this.batchSize}`);
    this.rng.state = s.orderState;
    this.orderState = s.orderState;
    this.order = this.rng.permutation(this.count);
    this.pos = s.pos;
    this.epoch = s.epoch;
  }
}

/** An EpochSampler's position, as a checkpoint keeps it. */
export interface SamplerState {
  epoch: number;
  pos: number;
  orderState: number;
}

/**
 * Uploads one split for a model: text is cut into windows of the model's `context` (every token
 * for training, every `context` tokens for held-out data, so each character is scored once);
 * images and points ignore `context`.
 */
export function uploadSplit(set: DataSet, role: 'train' | 'heldout', context: number): DeviceData {
  if (!isTextSet(set)) return new DeviceData(set);
  return new DeviceData(set, { window: context, stride: role === 'train' ? 1 : context });
}
