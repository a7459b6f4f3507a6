/**
 * The DDPM's views: the reverse process x_T → x_0 for a few samples ('strip'), the x̂_0 the network
 * predicts along the way ('predictedX0'), x_t at the step the slider chooses ('samples'), and for
 * 2-D points the grid JS divergence between held-out data and the samples ('divergence' metric).
 *
 * Caching: sampling costs T network evaluations, so views() samples one trajectory (STRIP_IMAGES
 * images or PLANE_POINTS points, from noise fixed at construction) and keeps every x_t, t = 0..T, on
 * the backend, with the few rows the strip shows already read back. It samples again only when the
 * weights have changed (the model's step count differs from the cached one); the panel's driver
 * already spaces views() so that they take at most a fifth of the training time, and the CLI's
 * final views always see the final weights. Moving the slider reads one row of the cached
 * trajectory: no network evaluation.
 */
import * as tf from '@tensorflow/tfjs-core';
import { isPointSet } from '../data/dataset';
import type { DeviceData } from '../data/deviceData';
import { TOY_EXTENT } from '../data/toy';
import type { DataShape, ViewOptions } from '../family';
import { gridJsDivergence } from '../metrics';
import { readRows } from '../read';
import type { ImagesView, MetricsView, PlaneView, PlanesView, View } from '../views';
import { stripTimes, type NoiseSchedule } from './ddpmSchedule';

/** The slider's id: the sampling step t whose x_t the 'samples' view shows. */
export const TIME_CONTROL = 't';
/** Images sampled for the views (one strip row each). */
export const STRIP_IMAGES = 8;
/** Points sampled for the views of 2-D data, and held-out points they are compared with, at most. */
export const PLANE_POINTS = 1000;
/** Columns of the image strip, and panels of the point strip: evenly spaced t from T to 0. */
export const STRIP_COLUMNS = { images: 10, points: 6 } as const;

/** What the views need from a DDPM. */
export interface DdpmLike {
  readonly shape: DataShape;
  readonly features: number;
  readonly schedule: NoiseSchedule;
  /** Optimization steps taken, to tell when the cached trajectory is stale. */
  readonly steps: number;
  readonly viewSeed: number;
  readonly cache: TrajectoryCache;
  /** Diffusion space → data ([0, 1] images, or points). */
  toData(x: tf.Tensor2D): tf.Tensor2D;
  /** Ancestral sampling (Algorithm 2) calling `visit(t, x_t, x̂_0)` for t = T..0; returns x_0 in diffusion space. */
  ancestral(n: number, seedOf: (t: number) => number, visit: (t: number, xt: tf.Tensor2D, x0: tf.Tensor2D) => void): Promise<tf.Tensor2D>;
}

/** One sampled trajectory, in data space. */
interface Trajectory {
  /** The model's step count when it was sampled. */
  steps: number;
  /** Row t = x_t of all samples flattened, [T + 1, n·features], on the backend. */
  states: tf.Tensor2D;
  /** The strip's time steps, T down to 0. */
  times: number[];
  /** x_t at those steps, [times][n][features]. */
  strip: Float32Array;
  /** x̂_0 predicted at those steps (x_0 itself at t = 0), same layout. */
  predicted: Float32Array;
  /** Grid JS divergence between held-out data and x_0, for 2-D points. */
  jsDivergence?: number;
}

/** The views' sampling trajectory and the slider's latest row, kept between calls to views(). */
export class TrajectoryCache {
  trajectory?: Trajectory;
  /** x_t of every sample at the slider's t. */
  slider?: { t: number; values: Float32Array; of: Trajectory };
  private refreshing?: Promise<void>;

  /** Samples a new trajectory unless the cached one was sampled at `steps`; concurrent callers share one sampling. */
  async ensure(model: DdpmLike, real: Float32Array | undefined): Promise<Trajectory> {
    if (this.trajectory?.steps !== model.steps) {
      this.refreshing ??= sampleTrajectory(model, real).then((t) => this.replace(t)).finally(() => (this.refreshing = undefined));
      await this.refreshing;
    }
    return this.trajectory as Trajectory;
  }

  private replace(trajectory: Trajectory): void {
    this.trajectory?.states.dispose();
    this.trajectory = trajectory;
    this.slider = undefined;
  }

  /** Frees the trajectory on the backend. */
  dispose(): void {
    this.trajectory?.states.dispose();
    this.trajectory = undefined;
    this.slider = undefined;
  }
}

/** Samples the views' trajectory with the model's fixed view noise, reading back the strip's rows. */
async function sampleTrajectory(model: DdpmLike, real: Float32Array | undefined): Promise<Trajectory> {
  const steps = model.steps;
  const images = model.shape.kind !== 'points';
  const n = images ? STRIP_IMAGES : PLANE_POINTS;
  const T = model.schedule.steps;
  const times = stripTimes(T, images ? STRIP_COLUMNS.images : STRIP_COLUMNS.points);
  const rows: tf.Tensor2D[] = new Array(T + 1);
  const predictedRows = new Map<number, tf.Tensor2D>();
  const flat = (x: tf.Tensor2D) => tf.keep(tf.reshape(model.toData(x), [1, -1]) as tf.Tensor2D);
  const x0 = await model.ancestral(n, (t) => (model.viewSeed + t) % 2147483647, (t, xt, x0Hat) => {
    rows[t] = flat(xt);
    if (times.includes(t)) predictedRows.set(t, flat(x0Hat));
  });
  x0.dispose();
  const states = tf.concat(rows) as tf.Tensor2D;
  tf.dispose(rows);
  // The strip's rows as [times][n][features].
  const strip = await readRows(tf.tidy(() => tf.gather(states, tf.tensor1d(times, 'int32')) as tf.Tensor2D));
  const predictedT = tf.concat(times.map((t) => predictedRows.get(t) as tf.Tensor2D)) as tf.Tensor2D;
  tf.dispose([...predictedRows.values()]);
  const predicted = await readRows(predictedT);
  const trajectory: Trajectory = { steps, states, times, strip, predicted };
  if (real && !images && model.features === 2) trajectory.jsDivergence = gridJsDivergence(real, strip.subarray((times.length - 1) * n * 2), TOY_EXTENT);
  return trajectory;
}

/** The slider's t from the view inputs: a whole number in [0, T], 0 when missing or not a number. */
export function chosenStep(options: ViewOptions, steps: number): number {
  const t = Math.round(Number(options.inputs?.[TIME_CONTROL] ?? 0));
  return Number.isFinite(t) ? Math.min(steps, Math.max(0, t)) : 0;
}

/** x_t of every sample at step `t` of the cached trajectory, read once per trajectory and t. */
async function sliderRow(cache: TrajectoryCache, trajectory: Trajectory, t: number): Promise<Float32Array> {
  if (cache.slider?.of !== trajectory || cache.slider.t !== t) {
    const values = await readRows(tf.slice(trajectory.states, [t, 0], [1, -1]) as tf.Tensor2D);
    cache.slider = { t, values, of: trajectory };
  }
  return cache.slider.values;
}

const STRIP_TITLE = 'Denoising: samples x_t from noise (t = T) to data (t = 0)';
const PREDICTED_TITLE = 'Predicted x̂_0 = (x_t − √(1 − ᾱ_t) ε_θ(x_t, t)) / √ᾱ_t along the way';
const SAMPLES_TITLE = 'Samples x_t at the chosen sampling step t';

/** Strip rows [times][n][pixels] as an image grid with one row per sample and one column per t. */
function imageStrip(id: string, title: string, values: Float32Array, times: number[], n: number, shape: DataShape): ImagesView {
  const px = shape.height * shape.width * shape.channels, k = times.length;
  const pixels = new Float32Array(n * k * px);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) pixels.set(values.subarray((c * n + i) * px, (c * n + i + 1) * px), (i * k + c) * px);
  return { kind: 'images', id, title, pixels, count: n * k, height: shape.height, width: shape.width, channels: shape.channels === 3 ? 3 : 1, cols: k, colLabels: times.map((t) => `t=${t}`) };
}

/**
 * Strip rows [times][n][2] as small multiples, the held-out data under the samples in the last panel
 * (t = 0). Near t = T, x̂_0 divides by √ᾱ_t ≈ 0, so the first x̂_0 panel's points may lie far off the plot.
 */
function pointStrip(id: string, title: string, values: Float32Array, times: number[], n: number, real: Float32Array): PlanesView {
  const panels = times.map((t, c) => {
    const generated = { name: 'generated', points: values.slice(c * n * 2, (c + 1) * n * 2) };
    return { caption: `t = ${t}`, layers: t === 0 ? [{ name: 'real', points: real }, generated] : [generated] };
  });
  return { kind: 'planes', id, title, extent: [...TOY_EXTENT], panels };
}

/** The strip, the predicted x̂_0, x_t at the slider's t, and for 2-D points the divergence metric. */
export async function ddpmViews(model: DdpmLike, heldout: DeviceData, options: ViewOptions): Promise<View[]> {
  const images = model.shape.kind !== 'points';
  if (!images && model.features !== 2) return [];
  let real: Float32Array | undefined;
  if (!images) {
    const nReal = Math.min(heldout.count, PLANE_POINTS), set = heldout.set;
    real = isPointSet(set) ? set.points.slice(0, 2 * nReal) : await readRows(tf.slice(heldout.x, [0, 0], [nReal, 2]) as tf.Tensor2D);
  }
  const trajectory = await model.cache.ensure(model, real);
  const t = chosenStep(options, model.schedule.steps);
  const atT = await sliderRow(model.cache, trajectory, t);
  const { times, strip, predicted } = trajectory;
  if (images) {
    const n = STRIP_IMAGES;
    const { height, width, channels } = model.shape;
    const samples: ImagesView = { kind: 'images', id: 'samples', title: SAMPLES_TITLE, pixels: atT, count: n, height, width, channels: channels === 3 ? 3 : 1, cols: n };
    return [imageStrip('strip', STRIP_TITLE, strip, times, n, model.shape), imageStrip('predictedX0', PREDICTED_TITLE, predicted, times, n, model.shape), samples];
  }
  const points = real as Float32Array;
  const samples: PlaneView = { kind: 'plane', id: 'samples', title: SAMPLES_TITLE, extent: [...TOY_EXTENT], layers: [{ name: 'real', points }, { name: 'generated', points: atT }] };
  const metrics: MetricsView = { kind: 'metrics', id: 'divergence', title: 'JS divergence between real and generated densities (grid estimate)', values: { jsDivergence: trajectory.jsDivergence ?? Number.NaN } };
  return [pointStrip('strip', STRIP_TITLE, strip, times, PLANE_POINTS, points), pointStrip('predictedX0', PREDICTED_TITLE, predicted, times, PLANE_POINTS, points), samples, metrics];
}
