/**
 * Plane view: a square plot of a 2-D region with an optional heatmap of a scalar field (viridis,
 * with a colour bar) under point clouds, one palette colour per layer, and a legend of the layers.
 * Points are fillRect squares, semi-transparent when there are many, so 10,000 draw in a few ms.
 */
import { drawAxes, layoutAxes, type Rect } from './axes';
import { bumpDraws, formatValue, prepareCanvas } from './canvasUtil';
import { unitScale, VIRIDIS_STOPS, viridisInto } from '../../core/colormap';
import { themeColors, themeFont } from './theme';
import type { PlaneView } from '../../core/views';

/** What drawPlane needs of a plane view (its title is the card's caption). */
export type PlaneData = Omit<PlaneView, 'kind' | 'id' | 'title'>;

/** The plot rectangle and extent of the last drawPlane on a canvas, for planeCoordinates. */
interface Drawn {
  plot: Rect;
  extent: readonly [number, number, number, number];
  cssW: number;
  cssH: number;
}
const drawnPlanes = new WeakMap<HTMLCanvasElement, Drawn>();
const offscreens = new WeakMap<HTMLCanvasElement, HTMLCanvasElement>();

const PAD = 8;
const LEGEND_PX = 11;
const SWATCH = 9;
const BAR_W = 12;
const identity = (s: string): string => s;

/** Square size (CSS px) and opacity of the dots for a layer of n points: smaller and fainter as clouds grow. */
function dotStyle(n: number): { size: number; alpha: number } {
  if (n <= 300) return { size: 4, alpha: 0.9 };
  if (n <= 3000) return { size: 3, alpha: 0.6 };
  return { size: 2, alpha: 0.45 };
}

/** Renders the res×res field into the (cached) offscreen canvas, one pixel per cell; NaN cells stay transparent. */
function heatImage(canvas: HTMLCanvasElement, heat: NonNullable<PlaneData['heat']>): HTMLCanvasElement | null {
  const res = Math.floor(heat.res);
  if (!(res > 0) || heat.values.length < res * res) return null;
  let off = offscreens.get(canvas);
  if (!off) {
    off = document.createElement('canvas');
    offscreens.set(canvas, off);
  }
  off.width = res;
  off.height = res;
  // A CPU-backed source: drawing a GPU-backed canvas into another then filling thousands of rects
  // costs hundreds of ms on software GL (SwiftShader); a 64×64 upload is negligible anywhere.
  const octx = off.getContext('2d', { willReadFrequently: true });
  if (!octx) return null;
  const img = octx.createImageData(res, res);
  const out = img.data;
  for (let i = 0; i < res * res; i++) {
    const u = unitScale(heat.values[i], heat.min, heat.max);
    if (Number.isNaN(u)) continue;
    viridisInto(u, out, 4 * i);
    out[4 * i + 3] = 255;
  }
  octx.putImageData(img, 0, 0);
  return off;
}

/** Draws the extent as a square plot: heatmap, then each point layer, a legend (unless `options.legend` is false) and a colour bar; `t` translates labels. */
export function drawPlane(canvas: HTMLCanvasElement, view: PlaneData, t: (s: string) => string = identity, options: { legend?: boolean } = {}): void {
  const surface = prepareCanvas(canvas);
  bumpDraws(canvas);
  if (!surface) return;
  const { ctx, width, height } = surface;
  const colors = themeColors();
  const palette = colors.series;
  let [xMin, xMax, yMin, yMax] = view.extent;
  if (!(xMax > xMin)) [xMin, xMax] = [Number.isFinite(xMin) ? xMin - 1 : -1, Number.isFinite(xMin) ? xMin + 1 : 1];
  if (!(yMax > yMin)) [yMin, yMax] = [Number.isFinite(yMin) ? yMin - 1 : -1, Number.isFinite(yMin) ? yMin + 1 : 1];
  const heat = view.heat;

  // Right-hand column: the legend (a swatch and a name per layer), then the colour bar.
  ctx.font = themeFont(LEGEND_PX);
  const names = options.legend === false ? [] : view.layers.map((l) => t(l.name));
  let colW = 0;
  for (const n of names) colW = Math.max(colW, SWATCH + 5 + ctx.measureText(n).width);
  const heatLabel = heat ? t(heat.label) : '';
  const heatTicks = heat ? [formatValue(heat.max), formatValue(heat.min)] : [];
  if (heat) {
    colW = Math.max(colW, ctx.measureText(heatLabel).width, BAR_W + 4 + Math.max(...heatTicks.map((s) => ctx.measureText(s).width)));
  }
  colW = colW > 0 ? Math.ceil(colW) + PAD : 0;

  // Lay out once, then shrink the long side so that the plot is square, and lay out again.
  const box: Rect = { x: PAD, y: PAD, w: Math.max(20, width - 2 * PAD - colW), h: Math.max(20, height - 2 * PAD) };
  let layout = layoutAxes(ctx, box, [xMin, xMax], [yMin, yMax], { x: false, y: false });
  const excess = layout.plot.w - layout.plot.h;
  if (excess > 0) box.w -= excess;
  else box.h += excess;
  if (excess !== 0) layout = layoutAxes(ctx, box, [xMin, xMax], [yMin, yMax], { x: false, y: false });
  drawAxes(ctx, layout, '', '', colors);
  const { plot } = layout;
  drawnPlanes.set(canvas, { plot: { ...plot }, extent: [xMin, xMax, yMin, yMax], cssW: width, cssH: height });

  ctx.save();
  ctx.beginPath();
  ctx.rect(plot.x, plot.y, plot.w, plot.h);
  ctx.clip();
  const off = heat ? heatImage(canvas, heat) : null;
  if (off) {
    ctx.imageSmoothingEnabled = false; // one visible cell per grid value, as computed
    ctx.drawImage(off, plot.x, plot.y, plot.w, plot.h);
    ctx.imageSmoothingEnabled = true;
  }
  // Points: inline data→pixel mapping and one fillRect per point (no paths), layer colour set once.
  const kx = plot.w / (xMax - xMin);
  const ky = plot.h / (yMax - yMin);
  view.layers.forEach((layer, k) => {
    const pts = layer.points;
    const n = pts.length >> 1;
    const { size, alpha } = dotStyle(n);
    const x0 = plot.x - xMin * kx - size / 2;
    const y0 = plot.y + yMax * ky - size / 2;
    ctx.fillStyle = palette[k % palette.length];
    ctx.globalAlpha = alpha;
    for (let i = 0; i < n; i++) {
      const x = pts[2 * i];
      const y = pts[2 * i + 1];
      if (x === x && y === y) ctx.fillRect(x0 + x * kx, y0 - y * ky, size, size); // NaN ≠ NaN: skips missing points
    }
  });
  ctx.restore();

  // Legend and colour bar to the right of the plot.
  const lx = plot.x + plot.w + PAD + 4;
  let ly = plot.y;
  ctx.font = themeFont(LEGEND_PX);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  names.forEach((name, k) => {
    const cy = ly + LEGEND_PX / 2;
    ctx.fillStyle = palette[k % palette.length];
    ctx.fillRect(lx, cy - SWATCH / 2, SWATCH, SWATCH);
    ctx.fillStyle = colors.fg;
    ctx.fillText(name, lx + SWATCH + 5, cy);
    ly += LEGEND_PX + 6;
  });
  if (off && heat) {
    ly += names.length > 0 ? 8 : 0;
    ctx.fillStyle = colors.fg;
    ctx.textBaseline = 'top';
    ctx.fillText(heatLabel, lx, ly);
    const barY = ly + LEGEND_PX + 6;
    const barH = Math.max(20, Math.min(120, plot.y + plot.h - barY));
    const grad = ctx.createLinearGradient(0, barY + barH, 0, barY); // min at the bottom
    const last = VIRIDIS_STOPS.length - 1;
    VIRIDIS_STOPS.forEach(([r, g, b], i) => grad.addColorStop(i / last, `rgb(${r},${g},${b})`));
    ctx.fillStyle = grad;
    ctx.fillRect(lx, barY, BAR_W, barH);
    ctx.fillStyle = colors.muted;
    ctx.textBaseline = 'top';
    ctx.fillText(heatTicks[0], lx + BAR_W + 4, barY);
    ctx.textBaseline = 'bottom';
    ctx.fillText(heatTicks[1], lx + BAR_W + 4, barY + barH);
  }
}

/** The data coordinates [x, y] under a client position (e.g. a click) on the last drawPlane, or null outside the plot. */
export function planeCoordinates(canvas: HTMLCanvasElement, clientX: number, clientY: number): [number, number] | null {
  const rec = drawnPlanes.get(canvas);
  if (!rec) return null;
  const rect = canvas.getBoundingClientRect();
  const px = rect.width > 0 ? ((clientX - rect.left) * rec.cssW) / rect.width : clientX - rect.left;
  const py = rect.height > 0 ? ((clientY - rect.top) * rec.cssH) / rect.height : clientY - rect.top;
  const { plot, extent } = rec;
  const u = (px - plot.x) / plot.w;
  const v = (py - plot.y) / plot.h;
  if (!(u >= 0 && u <= 1 && v >= 0 && v <= 1)) return null;
  return [extent[0] + u * (extent[1] - extent[0]), extent[3] - v * (extent[3] - extent[2])];
}
