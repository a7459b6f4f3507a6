/** The VAE's views: samples, reconstructions, latent traversal, latent scatter and interpolation. */
import * as tf from '@tensorflow/tfjs-core';
import { channelsOf, isPointSet, type ImageSet } from '../data/dataset';
import type { DeviceData } from '../data/deviceData';
import { TOY_EXTENT } from '../data/toy';
import type { ViewOptions } from '../family';
import { readRows } from '../read';
import type { ImagesView, PlaneView, ScatterView, View } from '../views';

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

/**
 * Spherical linear interpolation between rows of `a` and `b` (Shoemake 1985; White 2016,
 * "Sampling Generative Networks"): slerp(a, b; t) = sin((1−t)Ω)/sin Ω · a + sin(tΩ)/sin Ω · b,
 * Ω = arccos(â·b̂). It keeps interpolants at the norm typical of N(0, I) samples; falls back to
 * linear when a and b are (anti)parallel.
 */
export function slerp(a: Float32Array, b: Float32Array, t: number): Float32Array {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  const cos = Math.max(-1, Math.min(1, dot / Math.sqrt(na * nb || 1)));
  const omega = Math.acos(cos);
  const out = new Float32Array(a.length);
  const s = Math.sin(omega);
  const [wa, wb] = s < 1e-6 ? [1 - t, t] : [Math.sin((1 - t) * omega) / s, Math.sin(t * omega) / s];
  for (let i = 0; i < a.length; i++) out[i] = wa * a[i] + wb * b[i];
  return out;
}

/** Linear interpolation between `a` and `b`: (1 − t)·a + t·b. */
export function lerp(a: Float32Array, b: Float32Array, t: number): Float32Array {
  return a.map((v, i) => (1 - t) * v + t * b[i]);
}

/** Steps of an interpolation row, ends included. */
export const INTERPOLATION_STEPS = 10;

const TRAVERSAL_STEPS = 11;
const TRAVERSAL_RANGE = 3;
const MAX_TRAVERSED_DIMS = 10;
const RECON_COUNT = 10;
const SCATTER_MAX = 2000;

/** The size of one image of a set: height, width and channels. */
type ImageSize = Pick<ImagesView, 'height' | 'width' | 'channels'>;

function imagesView(id: string, title: string, pixels: Float32Array, count: number, cols: number, size: ImageSize, extra: Partial<ImagesView> = {}): ImagesView {
  return { kind: 'images', id, title, pixels, count, ...size, cols, ...extra };
}

/** View captions (English; the webview translates them). */
export const VAE_VIEW_TITLES = {
  samples: 'Samples from fixed z ~ N(0, I)',
  reconstructions: 'Reconstructions: held-out inputs (top) and their reconstructions (bottom)',
  manifold: 'Latent manifold: decoded grid of z (Kingma & Welling, Fig. 4)',
  traversal: 'Latent traversal: each row varies one dimension from −3 to +3 around the chosen point',
  latent: 'Held-out examples encoded to latent space (μ), coloured by label',
  interpolation: 'Interpolation between the two chosen held-out examples: linear (top) and spherical (bottom) in latent space',
  plane: 'Data (held-out) and decoded samples',
} as const;

const clampIndex = (i: number, n: number) => Math.min(Math.max(0, Math.floor(i)), n - 1);

/** Computes the VAE views from `heldout`, reading results back asynchronously. */
export async function vaeViews(vae: VaeLike, heldout: DeviceData, options: ViewOptions): Promise<View[]> {
  const set = heldout.set;
  const nScatter = Math.min(SCATTER_MAX, heldout.count);
  const scatterT = tf.tidy(() => {
    const mu = vae.encodeMean(tf.slice(heldout.x, [0, 0], [nScatter, heldout.features]));
    return (vae.latentDim >= 2 ? tf.slice(mu, [0, 0], [nScatter, 2]) : tf.concat([mu, tf.zerosLike(mu)], 1)) as tf.Tensor2D;
  });
  const latent: ScatterView = {
    kind: 'scatter', id: 'latent', title: VAE_VIEW_TITLES.latent, points: await readRows(scatterT),
    labels: set.labels.subarray(0, nScatter), xLabel: 'z1', yLabel: 'z2',
  };
  if (isPointSet(set)) {
    const samplesT = tf.tidy(() => vae.decodeMean(tf.randomNormal([1000, vae.latentDim], 0, 1, 'float32', 7)));
    const generated = await readRows(samplesT);
    const plane: PlaneView = {
      kind: 'plane', id: 'samples', title: VAE_VIEW_TITLES.plane, extent: TOY_EXTENT,
      layers: [{ name: 'real', points: set.points.subarray(0, 1000 * set.dims) }, { name: 'generated', points: generated }],
    };
    return [plane, latent];
  }
  return [...await imageViews(vae, heldout, options), latent];
}

/** The image views: samples, reconstructions, manifold or traversal, and the interpolation. */
async function imageViews(vae: VaeLike, heldout: DeviceData, options: ViewOptions): Promise<View[]> {
  const set = heldout.set as ImageSet;
  const size: ImageSize = { height: set.height, width: set.width, channels: channelsOf(set) };
  const focus = clampIndex(options.focusIndex, heldout.count);
  const second = clampIndex(options.secondIndex ?? (focus === 0 ? 1 : 0), heldout.count);
  const nRecon = Math.min(RECON_COUNT, heldout.count);
  const traversedDims = Math.min(vae.latentDim, MAX_TRAVERSED_DIMS);
  const manifoldSide = 15;
  const ends = tf.tidy(() => vae.encodeMean(tf.gather(heldout.x, tf.tensor1d([second, focus], 'int32')) as tf.Tensor2D));
  const endRows = await readRows(ends);
  const a = endRows.subarray(0, vae.latentDim), b = endRows.subarray(vae.latentDim);
  const path = new Float32Array(2 * INTERPOLATION_STEPS * vae.latentDim);
  for (let s = 0; s < INTERPOLATION_STEPS; s++) {
    const t = s / (INTERPOLATION_STEPS - 1);
    path.set(lerp(a, b, t), s * vae.latentDim);
    path.set(slerp(a, b, t), (INTERPOLATION_STEPS + s) * vae.latentDim);
  }

  const [samples, recon, traversal, interpolation] = tf.tidy(() => {
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
    const interp = vae.decodeMean(tf.tensor2d(path, [2 * INTERPOLATION_STEPS, vae.latentDim]));
    return [samplesT, reconT, vae.decodeMean(travZ), interp];
  });
  // One read after another, each in slices (readRows disposes each): a single large download blocks the main thread.
  const sPx = await readRows(samples);
  const rPx = await readRows(recon);
  const tPx = await readRows(traversal);
  const iPx = await readRows(interpolation);

  const nSamples = vae.fixedZ.shape[0];
  const cols = Math.ceil(Math.sqrt(nSamples));
  const views: View[] = [
    imagesView('samples', VAE_VIEW_TITLES.samples, sPx, nSamples, cols, size),
    imagesView('reconstructions', VAE_VIEW_TITLES.reconstructions, rPx, 2 * nRecon, nRecon, size, { rowLabels: ['x', 'x̂'] }),
  ];
  if (vae.latentDim === 2) {
    views.push(imagesView('traversal', VAE_VIEW_TITLES.manifold, tPx, manifoldSide * manifoldSide, manifoldSide, size));
  } else {
    const rowLabels = Array.from({ length: traversedDims }, (_, d) => `z${d + 1}`);
    views.push(imagesView('traversal', VAE_VIEW_TITLES.traversal, tPx, traversedDims * TRAVERSAL_STEPS, TRAVERSAL_STEPS, size, { rowLabels }));
  }
  views.push(imagesView('interpolation', VAE_VIEW_TITLES.interpolation, iPx, 2 * INTERPOLATION_STEPS, INTERPOLATION_STEPS, size, { rowLabels: ['lerp', 'slerp'] }));
  return views;
}
