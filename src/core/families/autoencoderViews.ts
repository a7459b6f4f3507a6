/**
 * The autoencoder's views, one per use the lecture names: reconstructions, the codes as a
 * scatter (dimensionality reduction and visualization), and anomaly detection by reconstruction
 * error (a histogram of the error over all held-out data, and the worst-reconstructed examples).
 */
import * as tf from '@tensorflow/tfjs-core';
import { channelsOf, isPointSet, type ImageSet } from '../data/dataset';
import type { DeviceData } from '../data/deviceData';
import { TOY_EXTENT } from '../data/toy';
import { readRows } from '../read';
import type { HistogramView, ImagesView, PlaneView, ScatterView, View } from '../views';

/** What the views need from an autoencoder. */
export interface AutoencoderLike {
  readonly latentDim: number;
  readonly reconstruction: 'bernoulli' | 'gaussian';
  /** Codes z = f(x), [n, latentDim]. */
  encode(x: tf.Tensor2D): tf.Tensor2D;
  /** Reconstructions x̂ in data space, [n, features]. */
  reconstruct(x: tf.Tensor2D): tf.Tensor2D;
  /** Reconstruction loss of each example, [n]. */
  perExampleLoss(x: tf.Tensor2D): tf.Tensor1D;
}

const RECON_COUNT = 10;
const ANOMALY_COUNT = 10;
const SCATTER_MAX = 2000;
const PLANE_POINTS = 1000;
const ERROR_BINS = 30;
const ERROR_CHUNK = 1000;
/** The error histogram marks this quantile: a threshold above which 1% of held-out data counts as anomalous. */
const MARKER_QUANTILE = 0.99;

/** Counts of `values` in `bins` equal bins from their minimum to their maximum (the maximum goes into the last bin); NaNs are skipped. */
export function histogram(values: Float32Array, bins: number): { edges: Float32Array; counts: Uint32Array } {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) { lo = 0; hi = 1; }
  if (!(hi > lo)) hi = lo + 1;
  const edges = new Float32Array(bins + 1).map((_, i) => lo + ((hi - lo) * i) / bins);
  const counts = new Uint32Array(bins);
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    counts[Math.min(bins - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * bins)))]++;
  }
  return { edges, counts };
}

/** The q-quantile of `values`, linearly interpolated between order statistics. */
export function quantile(values: Float32Array, q: number): number {
  const sorted = Float32Array.from(values).sort();
  if (sorted.length === 0) return NaN;
  const pos = q * (sorted.length - 1);
  const i = Math.floor(pos), frac = pos - i;
  return i + 1 < sorted.length ? sorted[i] + frac * (sorted[i + 1] - sorted[i]) : sorted[i];
}

/** Indices of the `k` largest values, largest first. */
export function largestIndices(values: Float32Array, k: number): Int32Array {
  const order = Array.from(values.keys()).sort((a, b) => values[b] - values[a]);
  return Int32Array.from(order.slice(0, k));
}

function imagesView(id: string, title: string, pixels: Float32Array, count: number, cols: number, heldout: DeviceData): ImagesView {
  const set = heldout.set as ImageSet;
  return { kind: 'images', id, title, pixels, count, height: set.height, width: set.width, channels: channelsOf(set), cols, rowLabels: ['x', 'x̂'] };
}

/** Per-example reconstruction loss of all of `heldout`, in chunks, as [count, 1]. */
function allErrors(ae: AutoencoderLike, heldout: DeviceData): tf.Tensor2D {
  return tf.tidy(() => {
    const parts: tf.Tensor1D[] = [];
    for (let start = 0; start < heldout.count; start += ERROR_CHUNK) {
      const n = Math.min(ERROR_CHUNK, heldout.count - start);
      parts.push(ae.perExampleLoss(tf.slice(heldout.x, [start, 0], [n, heldout.features])));
    }
    return tf.reshape(tf.concat(parts), [heldout.count, 1]) as tf.Tensor2D;
  });
}

/** Computes the autoencoder views from `heldout`, reading results back asynchronously. */
export async function autoencoderViews(ae: AutoencoderLike, heldout: DeviceData): Promise<View[]> {
  const points = isPointSet(heldout.set);
  const f = heldout.features;
  const nRecon = Math.min(points ? PLANE_POINTS : RECON_COUNT, heldout.count);
  const nScatter = Math.min(SCATTER_MAX, heldout.count);

  const [recon, codes] = tf.tidy(() => {
    const originals = tf.slice(heldout.x, [0, 0], [nRecon, f]);
    const reconT = points ? ae.reconstruct(originals) : tf.concat([originals, tf.clipByValue(ae.reconstruct(originals), 0, 1)], 0);
    const z = ae.encode(tf.slice(heldout.x, [0, 0], [nScatter, f]));
    const z2 = ae.latentDim >= 2 ? tf.slice(z, [0, 0], [nScatter, 2]) : tf.concat([z, tf.zerosLike(z)], 1);
    return [reconT as tf.Tensor2D, z2 as tf.Tensor2D];
  });
  const errorsT = allErrors(ae, heldout);
  // One read after another, each in slices: a single large download blocks the main thread.
  const reconPx = await readRows(recon);
  const zPts = await readRows(codes);
  const errors = await readRows(errorsT);

  const views: View[] = [];
  if (points) {
    if (f === 2) {
      const plane: PlaneView = {
        kind: 'plane', id: 'reconstructions', title: 'Reconstructions: held-out points and their reconstructions', extent: [...TOY_EXTENT],
        layers: [{ name: 'inputs', points: heldout.set.points.slice(0, nRecon * 2) }, { name: 'reconstructions', points: reconPx }],
      };
      views.push(plane);
    }
  } else {
    views.push(imagesView('reconstructions', 'Reconstructions: held-out inputs (top) and their reconstructions (bottom)', reconPx, 2 * nRecon, nRecon, heldout));
  }
  const latent: ScatterView = {
    kind: 'scatter', id: 'latent', title: 'Held-out examples encoded to latent space (z), coloured by label', points: zPts,
    labels: heldout.set.labels.subarray(0, nScatter), xLabel: 'z1', yLabel: 'z2',
  };
  views.push(latent);
  const { edges, counts } = histogram(errors, ERROR_BINS);
  const errorView: HistogramView = {
    kind: 'histogram', id: 'errors', title: 'Reconstruction error of every held-out example', edges, counts,
    xLabel: ae.reconstruction === 'bernoulli' ? 'reconstruction loss (nats)' : 'squared error',
    marker: quantile(errors, MARKER_QUANTILE), markerLabel: '99th percentile',
  };
  views.push(errorView);
  if (!points) {
    const worst = largestIndices(errors, Math.min(ANOMALY_COUNT, heldout.count));
    const anomalies = tf.tidy(() => {
      const x = tf.gather(heldout.x, tf.tensor1d(worst, 'int32')) as tf.Tensor2D;
      return tf.concat([x, tf.clipByValue(ae.reconstruct(x), 0, 1)], 0) as tf.Tensor2D;
    });
    const px = await readRows(anomalies);
    views.push(imagesView('anomalies', 'Anomalies: the worst-reconstructed held-out examples (top) and their reconstructions (bottom)', px, 2 * worst.length, worst.length, heldout));
  }
  return views;
}
