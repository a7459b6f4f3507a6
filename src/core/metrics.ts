/**
 * Sample-based measures of how well generated 2-D points match real ones (no TensorFlow.js):
 * a grid estimate of the Jensen–Shannon divergence, and mode counting on the ring and grid toy
 * sets (Metz et al. 2017 "Unrolled GANs"; Srivastava et al. 2017 "VEEGAN"; Lin et al. 2018 "PacGAN").
 * Points are interleaved (x0, y0, x1, y1, …). Also the GAN training monitor, which reads step rows.
 */
import type { StepRow } from './loop';

/** Pseudo-count added to every cell of a histogram before normalizing (additive smoothing). */
export const HISTOGRAM_SMOOTHING = 1e-3;

/**
 * Normalized 2-D histogram of `points` on a bins×bins grid over `extent` = [xMin, xMax, yMin, yMax],
 * cell (row, col) at index row·bins + col with row 0 at yMin. Points outside the extent count in the
 * nearest edge cell. Every cell gets HISTOGRAM_SMOOTHING extra counts: p = (count + α) / (n + α·bins²).
 */
export function histogram2d(points: Float32Array, extent: readonly [number, number, number, number], bins: number): Float64Array {
  const [x0, x1, y0, y1] = extent;
  const counts = new Float64Array(bins * bins);
  const cell = (v: number, lo: number, hi: number) => Math.min(bins - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * bins)));
  const n = Math.floor(points.length / 2);
  for (let i = 0; i < n; i++) {
    const x = points[2 * i], y = points[2 * i + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue; // a diverged generator's NaNs count nowhere
    counts[cell(y, y0, y1) * bins + cell(x, x0, x1)] += 1;
  }
  let total = 0;
  for (let k = 0; k < counts.length; k++) total += counts[k];
  const alpha = HISTOGRAM_SMOOTHING;
  const norm = total + alpha * counts.length;
  for (let k = 0; k < counts.length; k++) counts[k] = (counts[k] + alpha) / norm;
  return counts;
}

/**
 * Jensen–Shannon divergence in nats between the densities of point sets `a` and `b`, estimated on
 * a bins×bins grid over `extent` (see histogram2d for clamping and smoothing):
 * JS(P, Q) = ½·KL(P ‖ M) + ½·KL(Q ‖ M) with M = ½(P + Q); 0 for identical histograms, at most ln 2.
 * A plug-in estimate: two finite samples of the same density give a small positive value.
 */
export function gridJsDivergence(a: Float32Array, b: Float32Array, extent: readonly [number, number, number, number], bins = 50): number {
  const p = histogram2d(a, extent, bins), q = histogram2d(b, extent, bins);
  let js = 0;
  for (let k = 0; k < p.length; k++) {
    const m = 0.5 * (p[k] + q[k]);
    js += 0.5 * p[k] * Math.log(p[k] / m) + 0.5 * q[k] * Math.log(q[k] / m);
  }
  return Math.min(Math.LN2, Math.max(0, js));
}

/** How many modes generated points cover, and how many points are near a mode. */
export interface ModeCoverage {
  /** Modes with at least minFraction of all points within radius·std of them. */
  covered: number;
  /** Fraction of points within radius·std of their nearest mode ("high-quality" samples, VEEGAN). */
  highQuality: number;
  /** Points near each mode, in the order of `modes`. */
  counts: number[];
}

/** Options of modesCovered. */
export interface ModeCoverageOptions {
  /** A point is near a mode when within radius·std of it (VEEGAN uses 3). */
  radius?: number;
  /** A mode is covered when at least this fraction of all points is near it. */
  minFraction?: number;
}

/** Default fraction of all points a mode needs to count as covered: 1%, close to PacGAN's 20 of 2,500 samples (0.8%). */
export const MODE_MIN_FRACTION = 0.01;

/**
 * Mode coverage of generated `points` for a mixture of Gaussians with centres `modes` and common
 * standard deviation `std`. Each point is assigned to its nearest mode and counts for it if it lies
 * within radius·std (default 3σ, as in VEEGAN's "high-quality" samples); a mode is covered when at
 * least minFraction (default 1%) of all points count for it, so stray points do not cover a mode.
 */
export function modesCovered(points: Float32Array, modes: readonly (readonly [number, number])[], std: number, options: ModeCoverageOptions = {}): ModeCoverage {
  const radius = options.radius ?? 3, minFraction = options.minFraction ?? MODE_MIN_FRACTION;
  const n = Math.floor(points.length / 2);
  const counts = modes.map(() => 0);
  const r2 = (radius * std) ** 2;
  let near = 0;
  for (let i = 0; i < n; i++) {
    const x = points[2 * i], y = points[2 * i + 1];
    let best = -1, bestD2 = Infinity;
    modes.forEach(([mx, my], k) => {
      const d2 = (x - mx) ** 2 + (y - my) ** 2;
      if (d2 < bestD2) { bestD2 = d2; best = k; }
    });
    if (best >= 0 && bestD2 <= r2) {
      counts[best]++;
      near++;
    }
  }
  const covered = n === 0 ? 0 : counts.filter((c) => c > 0 && c >= minFraction * n).length;
  return { covered, highQuality: n === 0 ? 0 : near / n, counts };
}

/** The warning watch() gives while the discriminator wins. */
export const DISCRIMINATOR_WINNING = 'The discriminator is winning: D(x) → 1 and D(G(z)) → 0 for many steps, so the generator gets little gradient. Try the non-saturating loss, label smoothing or a lower discriminator learning rate.';

/** Consecutive steps with D(x) > 0.95 and D(G(z)) < 0.05 before the collapse monitor warns. */
export const COLLAPSE_STEPS = 200;

/**
 * Watches step rows for a discriminator that wins outright: mean D(x) above `realAbove` and mean
 * D(G(z)) below `fakeBelow` (terms dReal and dFake) for at least `steps` consecutive steps. Then
 * log(1 − D(G(z))) saturates and G learns little (Goodfellow et al. 2014, §3). Keeps its count
 * across calls; rows it has seen (by step number) are skipped, so overlapping windows are fine.
 */
export class CollapseMonitor {
  private run = 0;
  private lastStep = -Infinity;

  /** A monitor with the given thresholds (defaults: 200 steps, 0.95, 0.05). */
  constructor(readonly steps = COLLAPSE_STEPS, readonly realAbove = 0.95, readonly fakeBelow = 0.05) {}

  /** Consecutive steps the condition has held, up to the latest row seen. */
  get consecutive(): number {
    return this.run;
  }

  /** Feeds new rows; returns DISCRIMINATOR_WINNING while the condition has held for `steps` steps, else undefined. */
  watch(rows: readonly StepRow[]): string | undefined {
    for (const row of rows) {
      if (row.step <= this.lastStep) continue;
      this.lastStep = row.step;
      const real = row.values.dReal, fake = row.values.dFake;
      this.run = real > this.realAbove && fake < this.fakeBelow ? this.run + 1 : 0; // NaN breaks the run
    }
    return this.run >= this.steps ? DISCRIMINATOR_WINNING : undefined;
  }

  /** Forgets the count and the steps seen. */
  reset(): void {
    this.run = 0;
    this.lastStep = -Infinity;
  }
}
