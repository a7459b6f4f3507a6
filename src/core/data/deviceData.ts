/**
 * A data set held on the active TensorFlow.js backend (the GPU under WebGL): uploaded once,
 * with batches gathered there, so that a training step copies only its batch indices.
 */
import * as tf from '@tensorflow/tfjs-core';
import { isPointSet, type DataSet } from './dataset';
import type { Rng } from '../rng';

/** A batch: inputs flattened to [batch, features] in [0, 1], and integer labels. */
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

  /** Uploads `set` once. The caller disposes this object when done. */
  constructor(readonly set: DataSet) {
    this.count = set.count;
    if (isPointSet(set)) {
      this.features = set.dims;
      this.x = tf.tensor2d(set.points, [set.count, set.dims], 'float32');
    } else {
      this.features = set.height * set.width;
      this.x = tf.tidy(() => tf.div(tf.cast(tf.tensor2d(set.pixels, [set.count, this.features], 'int32'), 'float32'), 255) as tf.Tensor2D);
    }
    this.y = tf.tensor1d(set.labels, 'int32');
  }

  /** Bytes this data set takes on the backend. */
  get bytes(): number {
    return this.count * this.features * 4 + this.count * 4;
  }

  /** Gathers the examples at `indices` on the backend (caller disposes the batch). */
  gather(indices: Int32Array): Batch {
    return tf.tidy(() => {
      const idx = tf.tensor1d(indices, 'int32');
      return { x: tf.gather(this.x, idx) as tf.Tensor2D, y: tf.gather(this.y, idx) as tf.Tensor1D };
    });
  }

  /** The examples from `start` (inclusive) to `end` (exclusive), as a batch (caller disposes). */
  range(start: number, end: number): Batch {
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
  /** Completed passes over the data. */
  epoch = 0;

  /** Samples batches of `batchSize` from `count` examples, shuffled by `rng`. */
  constructor(private readonly count: number, readonly batchSize: number, private readonly rng: Rng) {
    if (batchSize > count) throw new Error(`batch size ${batchSize} is larger than the data set (${count} examples)`);
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
      this.order = this.rng.permutation(this.count);
      epochEnded = true;
    }
    return { indices, epochEnded };
  }
}
