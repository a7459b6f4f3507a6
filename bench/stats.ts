/** Statistics for a noisy, shared machine: medians, and ratios taken pair by pair. */

/** The median of `xs` (the mean of the two middle values for an even count); NaN when empty. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Ratios a[i] / b[i] of runs made side by side (round i of an interleaved A, B, A, B … schedule). */
export function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
  return a.slice(0, Math.min(a.length, b.length)).map((x, i) => x / b[i]);
}

/** Spread of `xs` as (max − min) / median, a rough figure for how noisy the runs were. */
export function spread(xs: readonly number[]): number {
  return xs.length ? (Math.max(...xs) - Math.min(...xs)) / median(xs) : NaN;
}
