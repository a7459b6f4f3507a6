/**
 * The viridis colour map (van der Walt & Smith, matplotlib 2015): perceptually uniform, lightness
 * rising from dark purple to yellow, readable in grey and by most colour-blind viewers.
 * Pure data and arithmetic, no DOM: the CLI's PNG writer uses it too.
 */

/** Viridis sampled at 9 evenly spaced stops (0, 1/8, …, 1) as 8-bit RGB; linear in between. */
export const VIRIDIS_STOPS: ReadonlyArray<readonly [number, number, number]> = [
  [68, 1, 84],
  [71, 45, 123],
  [59, 82, 139],
  [44, 114, 142],
  [33, 145, 140],
  [40, 174, 128],
  [94, 201, 98],
  [173, 220, 48],
  [253, 231, 37],
];

/** Writes the viridis colour of t ∈ [0, 1] (clamped; NaN → 0) as 8-bit RGB into out[at..at+2]. */
export function viridisInto(t: number, out: { [i: number]: number }, at = 0): void {
  const last = VIRIDIS_STOPS.length - 1;
  const u = t > 0 ? (t < 1 ? t * last : last) : 0;
  const i = Math.min(last - 1, Math.floor(u));
  const f = u - i;
  const a = VIRIDIS_STOPS[i];
  const b = VIRIDIS_STOPS[i + 1];
  out[at] = Math.round(a[0] + (b[0] - a[0]) * f);
  out[at + 1] = Math.round(a[1] + (b[1] - a[1]) * f);
  out[at + 2] = Math.round(a[2] + (b[2] - a[2]) * f);
}

/** The viridis colour of t ∈ [0, 1] as [r, g, b] bytes. */
export function viridis(t: number): [number, number, number] {
  const c: [number, number, number] = [0, 0, 0];
  viridisInto(t, c);
  return c;
}

/** Where v lies between min and max, in [0, 1]; 0.5 when the range is empty, NaN when v is not finite. */
export function unitScale(v: number, min: number, max: number): number {
  if (!Number.isFinite(v)) return NaN;
  const span = max - min;
  if (!(span > 0) || !Number.isFinite(span)) return 0.5;
  const t = (v - min) / span;
  return t > 0 ? (t < 1 ? t : 1) : 0;
}
