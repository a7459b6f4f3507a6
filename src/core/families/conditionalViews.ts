/**
 * What the conditional GANs show: charts of their loss terms, the formula, and views of the
 * generator steered by class: a samples grid, one row per class, and class interpolation.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DataSet } from '../data/dataset';
import type { DeviceData } from '../data/deviceData';
import { TOY_EXTENT } from '../data/toy';
import type { DataShape } from '../family';
import { readRows } from '../read';
import type { GeneratorLoss } from '../modelfile/types';
import type { ChartSpec, FormulaSpec, ImagesView, PlaneView, View } from '../views';
import { GAN_DISCRIMINATOR_CHART, GAN_LOSS_CHART } from './gan';

/** Columns of the class grid: that many fixed noise vectors, shared by every class row. */
export const GRID_COLUMNS = 10;
/** Images in the samples grid. */
export const SAMPLE_GRID = 64;
/** Steps from one class to the next in the class interpolation (both ends included). */
export const INTERPOLATION_STEPS = 10;
/** Rows of the class interpolation, at most: pairs 0→1, 1→2, …. */
export const INTERPOLATION_PAIRS = 9;
const POINTS_PER_CLASS = 200;
/** Seed of the noise behind the points view: the same z at every call, so the view is comparable over time. */
const POINT_NOISE_SEED = 7;

/** What the views need from a conditional GAN. */
export interface ConditionalLike {
  readonly classes: number;
  readonly latentDim: number;
  readonly shape: DataShape;
  /** Fixed noise of the class grid, [GRID_COLUMNS, latent]; its first row drives the interpolation. */
  readonly fixedZ: tf.Tensor2D;
  /** Fixed noise and classes of the samples grid. */
  readonly sampleZ: tf.Tensor2D;
  readonly sampleLabels: tf.Tensor1D;
  /** G(concat(z, c)) for conditioning vectors c, [n, features]. */
  generateFrom(z: tf.Tensor2D, c: tf.Tensor2D): tf.Tensor2D;
  /** G(concat(z, onehot(labels))), [n, features]. */
  generate(z: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor2D;
}

/** The charts: the GAN's loss and discriminator charts, and for AC-GAN the auxiliary classifier's accuracy. */
export function conditionalCharts(family: 'cgan' | 'acgan'): ChartSpec[] {
  const charts = [GAN_LOSS_CHART, GAN_DISCRIMINATOR_CHART];
  if (family === 'acgan') {
    charts.push({
      id: 'accuracy', title: 'Auxiliary classifier accuracy on real and generated data', yLabel: 'accuracy', series: [
        { term: 'accReal', source: 'train', name: 'real data' },
        { term: 'accFake', source: 'train', name: 'generated data (requested class)' },
      ],
    });
  }
  return charts;
}

/**
 * The losses as formulas, {0} = dLoss and {1} = gLoss; one fixed template per family, generator
 * loss and smoothing. D(·) is the real/fake probability, C(y|·) the AC-GAN's class probability.
 */
export function conditionalFormula(family: 'cgan' | 'acgan', kind: GeneratorLoss, labelSmoothing: number): FormulaSpec {
  const smooth = labelSmoothing > 0;
  const templates = family === 'cgan'
    ? {
      d: smooth ? 'L_D = −(1 − s)·log D(x|y) − s·log(1 − D(x|y)) − log(1 − D(G(z|y)|y)) = {0}' : 'L_D = −log D(x|y) − log(1 − D(G(z|y)|y)) = {0}',
      g: kind === 'minimax' ? 'L_G = log(1 − D(G(z|y)|y)) = {1}' : 'L_G = −log D(G(z|y)|y) = {1}',
    }
    : {
      d: smooth
        ? 'L_D = −(1 − s)·log D(x) − s·log(1 − D(x)) − log(1 − D(G(z|y))) − log C(y|x) − log C(y|G(z|y)) = {0}'
        : 'L_D = −log D(x) − log(1 − D(G(z|y))) − log C(y|x) − log C(y|G(z|y)) = {0}',
      g: kind === 'minimax' ? 'L_G = log(1 − D(G(z|y))) − log C(y|G(z|y)) = {1}' : 'L_G = −log D(G(z|y)) − log C(y|G(z|y)) = {1}',
    };
  return { template: `${templates.d}; ${templates.g}`, terms: ['dLoss', 'gLoss'] };
}

/**
 * Conditioning vectors moving linearly from class a to class a + 1, for a = 0 … pairs − 1:
 * c(t) = (1 − t)·onehot(a) + t·onehot(a + 1), t = 0, 1/(steps − 1), …, 1; [pairs·steps, classes] row-major.
 */
export function interpolationConditioning(classes: number, pairs: number, steps: number): Float32Array {
  const c = new Float32Array(pairs * steps * classes);
  for (let a = 0; a < pairs; a++) {
    for (let s = 0; s < steps; s++) {
      const t = s / (steps - 1), row = (a * steps + s) * classes;
      c[row + a] += 1 - t;
      c[row + a + 1] += t;
    }
  }
  return c;
}

function images(id: string, title: string, pixels: Float32Array, count: number, cols: number, shape: DataShape, rowLabels?: string[]): ImagesView {
  const channels = shape.channels === 3 ? 3 : 1;
  return { kind: 'images', id, title, pixels, count, height: shape.height, width: shape.width, channels, cols, ...(rowLabels ? { rowLabels } : {}) };
}

/** A class's row label: its name when the data set names every class (an image folder's subfolders), else its number. */
function classLabel(set: DataSet, classes: number): (label: number) => string {
  const names = 'classNames' in set ? set.classNames : undefined;
  return names && names.length >= classes ? (label) => names[label] : (label) => String(label);
}

/**
 * The views: 'samples' (SAMPLE_GRID images from fixed noise and fixed random classes), 'classes'
 * (one row per class, the same GRID_COLUMNS fixed z in every row) and 'classInterpolation' (the
 * first fixed z, conditioning moved linearly between neighbouring classes). Points data get one
 * 'classes' plane instead, a cloud per requested class. Reads back asynchronously.
 */
export async function conditionalViews(model: ConditionalLike, heldout: DeviceData): Promise<View[]> {
  const { classes, shape } = model;
  const name = classLabel(heldout.set, classes);
  if (shape.kind === 'points') return [await pointViews(model)];
  const cols = GRID_COLUMNS, pairs = Math.min(classes - 1, INTERPOLATION_PAIRS), steps = INTERPOLATION_STEPS;
  const [samples, grid, morph] = tf.tidy(() => {
    const samplesT = model.generate(model.sampleZ, model.sampleLabels);
    // Row r, column j: z_j with class r.
    const gridZ = tf.tile(model.fixedZ, [classes, 1]) as tf.Tensor2D;
    const gridLabels = tf.tensor1d(Int32Array.from({ length: classes * cols }, (_, i) => Math.floor(i / cols)), 'int32');
    const firstZ = tf.slice(model.fixedZ, [0, 0], [1, model.latentDim]);
    const morphZ = tf.tile(firstZ, [pairs * steps, 1]) as tf.Tensor2D;
    const morphC = tf.tensor2d(interpolationConditioning(classes, pairs, steps), [pairs * steps, classes]);
    const clip = (t: tf.Tensor2D) => tf.clipByValue(t, 0, 1) as tf.Tensor2D; // a custom generator may not end in a sigmoid
    return [clip(samplesT), clip(model.generate(gridZ, gridLabels)), clip(model.generateFrom(morphZ, morphC))];
  });
  const samplePx = await readRows(samples);
  const gridPx = await readRows(grid);
  const morphPx = await readRows(morph);
  const n = model.sampleZ.shape[0];
  return [
    images('samples', 'Samples from fixed z ~ N(0, I) with random classes', samplePx, n, Math.ceil(Math.sqrt(n)), shape),
    images('classes', 'One row per class: the same fixed noise z in every row', gridPx, classes * cols, cols, shape,
      Array.from({ length: classes }, (_, r) => name(r))),
    images('classInterpolation', 'Class interpolation: fixed z, conditioning moved linearly from one class to the next', morphPx, pairs * steps, steps, shape,
      Array.from({ length: pairs }, (_, a) => `${name(a)}→${name(a + 1)}`)),
  ];
}

/** For 2-D points: POINTS_PER_CLASS generated points per requested class, one layer each. */
async function pointViews(model: ConditionalLike): Promise<PlaneView> {
  const { classes } = model;
  const count = classes * POINTS_PER_CLASS;
  const points = tf.tidy(() => {
    const z = tf.randomNormal([count, model.latentDim], 0, 1, 'float32', POINT_NOISE_SEED) as tf.Tensor2D;
    const labels = tf.tensor1d(Int32Array.from({ length: count }, (_, i) => Math.floor(i / POINTS_PER_CLASS)), 'int32');
    return tf.slice(model.generate(z, labels), [0, 0], [count, 2]) as tf.Tensor2D;
  });
  const xy = await readRows(points);
  const layers = Array.from({ length: classes }, (_, k) => ({ name: String(k), points: xy.slice(k * POINTS_PER_CLASS * 2, (k + 1) * POINTS_PER_CLASS * 2) }));
  return { kind: 'plane', id: 'classes', title: 'Generated points, one colour per requested class', extent: [...TOY_EXTENT], layers };
}
