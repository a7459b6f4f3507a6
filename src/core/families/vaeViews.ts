/** The VAE's views: samples, reconstructions, latent traversal and latent scatter. */
import * as tf from '@tensorflow/tfjs-core';
import type { DeviceData } from '../data/deviceData';
import { readRows } from '../read';
import type { ImagesView, ScatterView, View } from '../views';

/** What the views need from a VAE. */
export interface VaeLike {
  readonly latentDim: number;
  /** Posterior means μ(x), [n, latent]. */
  encodeMean(x: tf.Tensor2D): tf.Tensor2D;
  /** Decoder means σ(logits), [n, features]. */
  decodeMean(z: tf.Tensor2D): tf.Tensor2D;
  /** Fixed z ~ N(0, I) for the sample grid, so the grid is comparable over time. */
  readonly fixedZ: tf.Tensor2D;
}

/** Inverse CDF of N(0, 1) (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** The z grid of Kingma & Welling's Figure 4: Φ⁻¹ of an evenly spaced grid on the unit square. */
export function manifoldGrid(side: number): Float32Array {
  const z = new Float32Array(side * side * 2);
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      const k = (r * side + c) * 2;
      z[k] = normalQuantile((c + 0.5) / side);
      z[k + 1] = normalQuantile(1 - (r + 0.5) / side);
    }
  }
  return z;
}

const TRAVERSAL_STEPS = 11;
const TRAVERSAL_RANGE = 3;
const MAX_TRAVERSED_DIMS = 10;
const RECON_COUNT = 10;
const SCATTER_MAX = 2000;

function imagesView(id: string, title: string, pixels: Float32Array, count: number, cols: number, side: number, extra: Partial<ImagesView> = {}): ImagesView {
  return { kind: 'images', id, title, pixels, count, height: side, width: side, channels: 1, cols, ...extra };
}

/** Computes the VAE views from `heldout`, reading results back asynchronously. */
export async function vaeViews(vae: VaeLike, heldout: DeviceData, focusIndex: number): Promise<View[]> {
  const side = heldout.set.height;
  const focus = Math.min(Math.max(0, Math.floor(focusIndex)), heldout.count - 1);
  const nRecon = Math.min(RECON_COUNT, heldout.count);
  const nScatter = Math.min(SCATTER_MAX, heldout.count);
  const traversedDims = Math.min(vae.latentDim, MAX_TRAVERSED_DIMS);
  const manifoldSide = 15;

  const [samples, recon, traversal, scatter] = tf.tidy(() => {
    const samplesT = vae.decodeMean(vae.fixedZ);
    const originals = tf.slice(heldout.x, [0, 0], [nRecon, heldout.features]);
    const reconT = tf.concat([originals, vae.decodeMean(vae.encodeMean(originals))], 0);
    let travZ: tf.Tensor2D;
    if (vae.latentDim === 2) {
      travZ = tf.tensor2d(manifoldGrid(manifoldSide), [manifoldSide * manifoldSide, 2]);
    } else {
      const center = vae.encodeMean(tf.slice(heldout.x, [focus, 0], [1, heldout.features]));
      const offsets = new Float32Array(traversedDims * TRAVERSAL_STEPS * vae.latentDim);
      for (let d = 0; d < traversedDims; d++) {
        for (let s = 0; s < TRAVERSAL_STEPS; s++) {
          offsets[(d * TRAVERSAL_STEPS + s) * vae.latentDim + d] = -TRAVERSAL_RANGE + (2 * TRAVERSAL_RANGE * s) / (TRAVERSAL_STEPS - 1);
        }
      }
      travZ = tf.add(center, tf.tensor2d(offsets, [traversedDims * TRAVERSAL_STEPS, vae.latentDim]));
    }
    const mu = vae.encodeMean(tf.slice(heldout.x, [0, 0], [nScatter, heldout.features]));
    const mu2 = vae.latentDim >= 2 ? tf.slice(mu, [0, 0], [nScatter, 2]) : tf.concat([mu, tf.zerosLike(mu)], 1);
    return [samplesT, reconT, vae.decodeMean(travZ), mu2 as tf.Tensor2D];
  });
  // One read after another, each in slices: a single large download blocks the main thread.
  const sPx = await readRows(samples);
  const rPx = await readRows(recon);
  const tPx = await readRows(traversal);
  const zPts = await readRows(scatter);

  const nSamples = vae.fixedZ.shape[0];
  const cols = Math.ceil(Math.sqrt(nSamples));
  const views: View[] = [
    imagesView('samples', 'samples', sPx, nSamples, cols, side),
    imagesView('reconstructions', 'reconstructions', rPx, 2 * nRecon, nRecon, side, { rowLabels: ['x', 'x̂'] }),
  ];
  if (vae.latentDim === 2) {
    views.push(imagesView('traversal', 'manifold', tPx, manifoldSide * manifoldSide, manifoldSide, side));
  } else {
    const rowLabels = Array.from({ length: traversedDims }, (_, d) => `z${d + 1}`);
    views.push(imagesView('traversal', 'traversal', tPx, traversedDims * TRAVERSAL_STEPS, TRAVERSAL_STEPS, side, { rowLabels }));
  }
  const latent: ScatterView = {
    kind: 'scatter', id: 'latent', title: 'latent', points: zPts,
    labels: heldout.set.labels.subarray(0, nScatter), xLabel: 'z1', yLabel: 'z2',
  };
  views.push(latent);
  return views;
}
