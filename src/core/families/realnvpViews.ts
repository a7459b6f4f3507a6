/**
 * RealNVP's views. For 2-D points, as in Dinh et al.'s Figure 1: the learned density p(x) under
 * held-out data; samples x = f⁻¹(z) from fixed z ~ N(0, I) beside held-out data; held-out data
 * mapped to the latent space, z = f(x), over the N(0, I) density; and a grid in the latent space
 * mapped to data space, x = f⁻¹(z). Layer order is the same in every plane (held-out data or what
 * comes from it first, the model's output second), so the panel's colours mean the same things.
 * For images: samples from fixed z, and f⁻¹(f(x)) of held-out images as a check of invertibility.
 */
import * as tf from '@tensorflow/tfjs-core';
import { isPointSet } from '../data/dataset';
import type { DeviceData } from '../data/deviceData';
import { TOY_EXTENT } from '../data/toy';
import type { DataShape, ViewOptions } from '../family';
import { readRows } from '../read';
import type { ChartSpec, FormulaSpec, ImagesView, PlaneView, View } from '../views';
import { planeGrid } from './ganViews';

/** The negative log-likelihood chart (nats per example), train per step and held-out per epoch. */
export const REALNVP_LOSS_CHART: ChartSpec = {
  id: 'loss', title: 'Negative log-likelihood per example (nats)', yLabel: 'nats', series: [
    { term: 'loss', source: 'train', name: 'train −log p(x)' },
    { term: 'loss', source: 'heldout', name: 'held-out −log p(x) (per epoch)' },
  ],
};

/** For images: the same NLL in bits per dimension, NLL / (D·ln 2). */
export const REALNVP_BITS_CHART: ChartSpec = {
  id: 'bitsPerDim', title: 'Negative log-likelihood (bits per dimension)', yLabel: 'bits/dim', series: [
    { term: 'bitsPerDim', source: 'train', name: 'train bits/dim' },
    { term: 'bitsPerDim', source: 'heldout', name: 'held-out bits/dim (per epoch)' },
  ],
};

/** The change of variables with the current value of each term. */
export const REALNVP_FORMULA: FormulaSpec = {
  template: '−log p(x) = −log N(f(x); 0, I) − log|det ∂f/∂x|: {0} = {1} − {2}',
  terms: ['loss', 'priorNll', 'logDet'],
};

/** What the views need from a flow. */
export interface RealNvpLike {
  readonly shape: DataShape;
  readonly features: number;
  /** Fixed z ~ N(0, I) for the samples, so they are comparable over time. */
  readonly fixedZ: tf.Tensor2D;
  /** z = f(x), [n, D]. */
  encode(x: tf.Tensor2D): tf.Tensor2D;
  /** x = f⁻¹(z), [n, D]. */
  decode(z: tf.Tensor2D): tf.Tensor2D;
  /** log p(x) per example, [n]. */
  logProb(x: tf.Tensor2D): tf.Tensor1D;
}

/** View captions, layer names and heat labels (English; the webview translates them). */
export const REALNVP_VIEW_TITLES = {
  density: 'Learned density p(x) with held-out data',
  samples: 'Samples x = f⁻¹(z) from fixed z ~ N(0, I), beside held-out data',
  dataToLatent: 'Held-out data mapped to the latent space, z = f(x), over the N(0, I) density',
  latentToData: 'A grid in the latent space mapped to data space, x = f⁻¹(z), over held-out data',
  imageSamples: 'Samples x = f⁻¹(z) from fixed z ~ N(0, I)',
  reconstructions: 'Held-out inputs (top) and f⁻¹(f(x)) (bottom): the flow is invertible',
} as const;
/** Names of the point layers and heatmaps of the planes. */
export const REALNVP_LAYER_NAMES = { data: 'data', samples: 'samples', latent: 'z = f(x)', decoded: 'x = f⁻¹(z)', density: 'p(x)', prior: 'N(z; 0, I)' } as const;

/** Cells per side of the density heatmaps. */
export const DENSITY_RES = 96;
/** The latent plane's extent: ±4 standard deviations. */
export const LATENT_EXTENT: [number, number, number, number] = [-4, 4, -4, 4];
/** Held-out points drawn in each plane, at most. */
const PLANE_POINTS = 1000;
/** Lines per direction of the latent grid, and points per line. */
const GRID_LINES = 13, GRID_POINTS = 120, GRID_SPAN = 3;
const RECON_COUNT = 10;

/** Points on the lines z1 = c and z2 = c, c evenly spaced in [−GRID_SPAN, GRID_SPAN]: a latent grid to warp. */
export function latentGridLines(): Float32Array {
  const out = new Float32Array(2 * GRID_LINES * GRID_POINTS * 2);
  let k = 0;
  for (let axis = 0; axis < 2; axis++) {
    for (let l = 0; l < GRID_LINES; l++) {
      const c = -GRID_SPAN + (2 * GRID_SPAN * l) / (GRID_LINES - 1);
      for (let p = 0; p < GRID_POINTS; p++) {
        const v = -GRID_SPAN + (2 * GRID_SPAN * p) / (GRID_POINTS - 1);
        out[k++] = axis === 0 ? c : v;
        out[k++] = axis === 0 ? v : c;
      }
    }
  }
  return out;
}

/** The standard normal density N(z; 0, I) in 2-D on the grid of `extent`. */
function priorHeat(extent: readonly [number, number, number, number], res: number): Float32Array {
  const grid = planeGrid(extent, res);
  return Float32Array.from({ length: res * res }, (_, i) => Math.exp(-0.5 * (grid[2 * i] ** 2 + grid[2 * i + 1] ** 2)) / (2 * Math.PI));
}

const maxOf = (values: Float32Array) => values.reduce((m, v) => (Number.isFinite(v) && v > m ? v : m), 0);

/** The four planes of a flow on 2-D points. */
async function pointViews(flow: RealNvpLike, heldout: DeviceData): Promise<PlaneView[]> {
  const n = Math.min(PLANE_POINTS, heldout.count);
  const set = heldout.set;
  const data = isPointSet(set) ? set.points.slice(0, 2 * n) : await readRows(tf.slice(heldout.x, [0, 0], [n, 2]));
  const names = REALNVP_LAYER_NAMES;
  const density = await readRows(tf.tidy(() => tf.reshape(tf.exp(flow.logProb(tf.tensor2d(planeGrid(TOY_EXTENT, DENSITY_RES), [DENSITY_RES * DENSITY_RES, 2]))), [-1, 1]) as tf.Tensor2D));
  const samples = await readRows(flow.decode(flow.fixedZ));
  const latent = await readRows(tf.tidy(() => flow.encode(tf.slice(heldout.x, [0, 0], [n, 2]))));
  const grid = latentGridLines();
  const warped = await readRows(tf.tidy(() => flow.decode(tf.tensor2d(grid, [grid.length / 2, 2]))));
  const prior = priorHeat(LATENT_EXTENT, DENSITY_RES);
  return [
    {
      kind: 'plane', id: 'density', title: REALNVP_VIEW_TITLES.density, extent: [...TOY_EXTENT],
      heat: { res: DENSITY_RES, values: density, min: 0, max: maxOf(density), label: names.density },
      layers: [{ name: names.data, points: data }],
    },
    {
      kind: 'plane', id: 'samples', title: REALNVP_VIEW_TITLES.samples, extent: [...TOY_EXTENT],
      layers: [{ name: names.data, points: data }, { name: names.samples, points: samples }],
    },
    {
      kind: 'plane', id: 'dataToLatent', title: REALNVP_VIEW_TITLES.dataToLatent, extent: [...LATENT_EXTENT],
      heat: { res: DENSITY_RES, values: prior, min: 0, max: maxOf(prior), label: names.prior },
      layers: [{ name: names.latent, points: latent }],
    },
    {
      kind: 'plane', id: 'latentToData', title: REALNVP_VIEW_TITLES.latentToData, extent: [...TOY_EXTENT],
      layers: [{ name: names.data, points: data }, { name: names.decoded, points: warped }],
    },
  ];
}

/** Samples from the fixed z and f⁻¹(f(x)) of the first held-out images. */
async function imageViews(flow: RealNvpLike, heldout: DeviceData): Promise<ImagesView[]> {
  const { height, width } = flow.shape;
  const channels = flow.shape.channels === 3 ? 3 : 1;
  const nRecon = Math.min(RECON_COUNT, heldout.count);
  const samples = await readRows(flow.decode(flow.fixedZ));
  const recon = await readRows(tf.tidy(() => {
    const x = tf.slice(heldout.x, [0, 0], [nRecon, heldout.features]);
    return tf.concat([x, flow.decode(flow.encode(x))], 0) as tf.Tensor2D;
  }));
  const count = flow.fixedZ.shape[0];
  return [
    { kind: 'images', id: 'samples', title: REALNVP_VIEW_TITLES.imageSamples, pixels: samples, count, height, width, channels, cols: Math.ceil(Math.sqrt(count)) },
    { kind: 'images', id: 'reconstructions', title: REALNVP_VIEW_TITLES.reconstructions, pixels: recon, count: 2 * nRecon, height, width, channels, cols: nRecon, rowLabels: ['x', 'f⁻¹(f(x))'] },
  ];
}

/** The flow's views on `heldout`: four planes for 2-D points, two image grids for images (none for other points). */
export async function realNvpViews(flow: RealNvpLike, heldout: DeviceData, _options: ViewOptions): Promise<View[]> {
  if (flow.shape.kind !== 'points') return imageViews(flow, heldout);
  return flow.features === 2 ? pointViews(flow, heldout) : [];
}
