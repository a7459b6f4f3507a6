/**
 * The 2-D toy data sets of GAN and flow papers, generated from a seed: a ring of 8 Gaussians
 * and a 5×5 grid of Gaussians (mode counting, Metz et al. 2017 "Unrolled GANs"), two moons
 * and a spiral. Labels are the mode (ring, grid), the moon, or 0 (spiral).
 */
import { Rng } from '../rng';
import type { PointSet } from './dataset';

/** The toy data sets, by name. */
export const TOY_DATASETS = ['ring', 'grid', 'moons', 'spiral'] as const;
/** One toy data set. */
export type ToyDataset = (typeof TOY_DATASETS)[number];

/** Examples each toy set has. */
export const TOY_COUNT = 10000;
/** Radius of the ring's modes and their standard deviation. */
export const RING = { modes: 8, radius: 2, std: 0.05 } as const;
/** The grid's modes per side, spacing and standard deviation. */
export const GRID = { side: 5, spacing: 1, std: 0.05 } as const;

/** Whether `name` is a toy data set. */
export function isToyDataset(name: unknown): name is ToyDataset {
  return typeof name === 'string' && (TOY_DATASETS as readonly string[]).includes(name);
}

/** Centres of the modes of the ring or the grid. */
export function toyModes(name: 'ring' | 'grid'): [number, number][] {
  if (name === 'ring') {
    return Array.from({ length: RING.modes }, (_, k) => {
      const a = (2 * Math.PI * k) / RING.modes;
      return [RING.radius * Math.cos(a), RING.radius * Math.sin(a)] as [number, number];
    });
  }
  const h = (GRID.side - 1) / 2;
  return Array.from({ length: GRID.side * GRID.side }, (_, k) => [(k % GRID.side - h) * GRID.spacing, (Math.floor(k / GRID.side) - h) * GRID.spacing] as [number, number]);
}

/** Standard deviation of each mode of the ring or the grid. */
export function toyModeStd(name: 'ring' | 'grid'): number {
  return name === 'ring' ? RING.std : GRID.std;
}

/** `count` points of toy set `name`, reproducible from `seed`. */
export function toyDataset(name: ToyDataset, count = TOY_COUNT, seed = 1): PointSet {
  const rng = new Rng(seed);
  const points = new Float32Array(count * 2);
  const labels = new Uint8Array(count);
  let classes = 1;
  for (let i = 0; i < count; i++) {
    let x: number, y: number, label = 0;
    if (name === 'ring' || name === 'grid') {
      const modes = toyModes(name);
      classes = modes.length;
      label = Math.min(modes.length - 1, Math.floor(rng.next() * modes.length));
      const s = toyModeStd(name);
      x = modes[label][0] + s * rng.normal();
      y = modes[label][1] + s * rng.normal();
    } else if (name === 'moons') {
      // scikit-learn's make_moons, centred and scaled to about [-2, 2], noise 0.05
      classes = 2;
      label = rng.next() < 0.5 ? 0 : 1;
      const t = Math.PI * rng.next();
      x = label === 0 ? Math.cos(t) : 1 - Math.cos(t);
      y = label === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
      x = 1.6 * (x - 0.5) + 0.08 * rng.normal();
      y = 1.6 * (y - 0.25) + 0.08 * rng.normal();
    } else {
      // an Archimedean spiral r ∝ θ over 1.5 turns, radius up to 2, noise 0.04
      const u = Math.sqrt(rng.next());
      const theta = 3 * Math.PI * u;
      const r = 2 * u;
      x = r * Math.cos(theta) + 0.04 * rng.normal();
      y = r * Math.sin(theta) + 0.04 * rng.normal();
    }
    points[2 * i] = x;
    points[2 * i + 1] = y;
    labels[i] = label;
  }
  return { kind: 'points', name, count, dims: 2, points, labels, classes };
}

/** The plotted region for toy data: the square every toy set fits in. */
export const TOY_EXTENT: [number, number, number, number] = [-3, 3, -3, 3];
