/**
 * The GAN's views: on images a sample grid from fixed noise; on 2-D points the plane (real and
 * generated points over the discriminator's D(x)) and the divergence metrics.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DeviceData } from '../data/deviceData';
import { isPointSet } from '../data/dataset';
import { isToyDataset, TOY_EXTENT, toyModes, toyModeStd } from '../data/toy';
import type { DataShape } from '../family';
import { gridJsDivergence, modesCovered } from '../metrics';
import { readRows } from '../read';
import type { ImagesView, MetricsView, PlaneView, View } from '../views';

/** What the views need from a GAN. */
export interface GanLike {
  readonly shape: DataShape;
  /** Noise drawn once, so that the generated grid or cloud is comparable over time. */
  readonly fixedZ: tf.Tensor2D;
  /** G(z) in inference mode, flattened to [n, features]. */
  generate(z: tf.Tensor2D): tf.Tensor2D;
  /** D(x) = σ(logit) in inference mode for flat examples, [n, 1]. */
  discriminatorProbability(x: tf.Tensor2D): tf.Tensor2D;
}

/** Cells per side of the D(x) heatmap. */
export const PLANE_RES = 64;
/** Held-out points drawn in the plane and compared with the generated ones, at most. */
export const PLANE_REAL_POINTS = 1000;

/** Centres of a res×res grid over `extent`, row 0 at the top (yMax), as interleaved (x, y). */
export function planeGrid(extent: readonly [number, number, number, number], res: number): Float32Array {
  const [x0, x1, y0, y1] = extent;
  const grid = new Float32Array(res * res * 2);
  for (let r = 0; r < res; r++) {
    for (let c = 0; c < res; c++) {
      const k = 2 * (r * res + c);
      grid[k] = x0 + ((c + 0.5) * (x1 - x0)) / res;
      grid[k + 1] = y1 - ((r + 0.5) * (y1 - y0)) / res;
    }
  }
  return grid;
}

/** The sample grid of G(fixed z). */
export async function ganSampleView(gan: GanLike): Promise<ImagesView> {
  const pixels = await readRows(tf.tidy(() => tf.clipByValue(gan.generate(gan.fixedZ), 0, 1) as tf.Tensor2D));
  const count = gan.fixedZ.shape[0];
  const { height, width, channels } = gan.shape;
  return { kind: 'images', id: 'samples', title: 'Samples from fixed z ~ N(0, I)', pixels, count, height, width, channels: channels === 3 ? 3 : 1, cols: Math.ceil(Math.sqrt(count)) };
}

/**
 * The plane over D(x) with held-out and generated points, and the metrics: grid JS divergence
 * between them, and for the ring and the grid the modes covered and the fraction of generated
 * points within 3σ of a mode.
 */
export async function ganPlaneViews(gan: GanLike, heldout: DeviceData): Promise<[PlaneView, MetricsView]> {
  const extent = TOY_EXTENT;
  const gridT = tf.tensor2d(planeGrid(extent, PLANE_RES), [PLANE_RES * PLANE_RES, 2]);
  const heatT = gan.discriminatorProbability(gridT);
  gridT.dispose();
  const heat = await readRows(heatT);
  const generated = await readRows(gan.generate(gan.fixedZ));
  const set = heldout.set;
  const nReal = Math.min(heldout.count, PLANE_REAL_POINTS);
  const real = isPointSet(set) ? set.points.slice(0, 2 * nReal) : await readRows(tf.tidy(() => tf.slice(heldout.x, [0, 0], [nReal, 2])));
  const values: Record<string, number> = { jsDivergence: gridJsDivergence(real, generated, extent) };
  if (isToyDataset(set.name) && (set.name === 'ring' || set.name === 'grid')) {
    const coverage = modesCovered(generated, toyModes(set.name), toyModeStd(set.name));
    values.modes = coverage.covered;
    values.highQuality = coverage.highQuality;
  }
  const plane: PlaneView = {
    kind: 'plane', id: 'plane', title: 'Real and generated points over the discriminator’s output D(x)', extent: [...extent],
    heat: { res: PLANE_RES, values: heat, min: 0, max: 1, label: 'D(x)' },
    layers: [{ name: 'real', points: real }, { name: 'generated', points: generated }],
  };
  const metrics: MetricsView = { kind: 'metrics', id: 'divergence', title: 'JS divergence and modes covered', values };
  return [plane, metrics];
}

/** The views of a GAN: the sample grid for images; plane and metrics for 2-D points (none for other points). */
export async function ganViews(gan: GanLike, heldout: DeviceData): Promise<View[]> {
  const { kind, height, width, channels } = gan.shape;
  if (kind !== 'points') return [await ganSampleView(gan)];
  return height * width * channels === 2 ? ganPlaneViews(gan, heldout) : [];
}
