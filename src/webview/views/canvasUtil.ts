/**
 * Shared canvas plumbing for the views: HiDPI sizing, the draw counter, number formatting.
 */

/** A 2D context already scaled so that one unit is one CSS pixel, with the canvas's CSS size. */
export interface Surface {
  ctx: CanvasRenderingContext2D;
  /** Width in CSS pixels. */
  width: number;
  /** Height in CSS pixels. */
  height: number;
  /** Device pixels per CSS pixel used for the backing store. */
  dpr: number;
}

interface SizeRecord {
  cssW: number;
  cssH: number;
  backW: number;
  backH: number;
}
const sizes = new WeakMap<HTMLCanvasElement, SizeRecord>();

/** CSS size of the canvas: its layout size, else its width/height attributes (undoing our own DPR scaling). */
export function cssSize(canvas: HTMLCanvasElement): [number, number] {
  const rec = sizes.get(canvas);
  const ours = rec !== undefined && canvas.width === rec.backW && canvas.height === rec.backH;
  let w = canvas.clientWidth;
  let h = canvas.clientHeight;
  if (w <= 0) w = ours ? rec.cssW : canvas.width;
  if (h <= 0) h = ours ? rec.cssH : canvas.height;
  return [Math.max(1, Math.round(w)), Math.max(1, Math.round(h))];
}

/** Sizes the backing store to CSS size × devicePixelRatio, clears it, returns a CSS-pixel context (null if none). */
export function prepareCanvas(canvas: HTMLCanvasElement): Surface | null {
  // If the displayed size depended on the width/height attributes, it is pinned with style.width/height.
  const [w, h] = cssSize(canvas);
  const dprRaw = typeof window !== 'undefined' ? window.devicePixelRatio : 1;
  const dpr = Number.isFinite(dprRaw) && dprRaw > 0 ? dprRaw : 1;
  const backW = Math.max(1, Math.round(w * dpr));
  const backH = Math.max(1, Math.round(h * dpr));
  const laidOut = canvas.clientWidth > 0 && canvas.clientHeight > 0;
  if (canvas.width !== backW || canvas.height !== backH) {
    canvas.width = backW;
    canvas.height = backH;
    if (laidOut) {
      if (canvas.clientWidth !== w) canvas.style.width = `${w}px`;
      if (canvas.clientHeight !== h) canvas.style.height = `${h}px`;
    }
  }
  sizes.set(canvas, { cssW: w, cssH: h, backW, backH });
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, backW, backH);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.setLineDash([]);
  ctx.globalAlpha = 1;
  ctx.imageSmoothingEnabled = true;
  return { ctx, width: w, height: h, dpr };
}

/** Increments canvas.dataset.draws, the per-canvas draw counter that tests read. */
export function bumpDraws(canvas: HTMLCanvasElement): void {
  canvas.dataset.draws = String((Number(canvas.dataset.draws) || 0) + 1);
}

/** Formats a value for a legend with about four significant digits, e.g. 142.3, 0.0421, 1.23e+6. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2);
  if (a >= 100) return v.toFixed(1);
  if (a >= 10) return v.toFixed(2);
  if (a >= 1) return v.toFixed(3);
  return v.toPrecision(3);
}

/** Formats a tick value with just enough decimals for the tick step. */
export function formatTick(v: number, step: number): string {
  if (Math.abs(v) < step * 1e-9) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) return v.toExponential(Math.max(0, Math.min(4, Math.ceil(Math.log10(a / step)))));
  const decimals = Math.max(0, Math.min(10, -Math.floor(Math.log10(step) + 1e-9)));
  return v.toFixed(decimals);
}
