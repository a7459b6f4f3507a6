/** Reading tensors back from the backend without long main-thread tasks. */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Reads a 2-D tensor in slices of at most `maxValues` values, one asynchronous read each, so
 * that no single download (and the decode that follows it on WebGL) blocks for long.
 * Disposes `t`.
 */
export async function readRows(t: tf.Tensor2D, maxValues = 40000): Promise<Float32Array> {
  const [rows, cols] = t.shape;
  const out = new Float32Array(rows * cols);
  const step = Math.max(1, Math.floor(maxValues / Math.max(1, cols)));
  for (let r = 0; r < rows; r += step) {
    const n = Math.min(step, rows - r);
    const piece = rows <= step ? t : tf.slice(t, [r, 0], [n, cols]);
    out.set(await piece.data() as Float32Array, r * cols);
    if (piece !== t) piece.dispose();
  }
  t.dispose();
  return out;
}
