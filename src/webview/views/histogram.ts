/**
 * Histogram view: one bar per bin over its [edge, next edge) interval, with an optional dashed
 * vertical marker (a threshold, say) labelled with what it stands for and its value.
 */
import { drawAxes, layoutAxes } from './axes';
import { bumpDraws, formatValue, prepareCanvas } from './canvasUtil';
import { themeColors, themeFont } from './theme';
import type { HistogramView } from '../../core/views';

/** What drawHistogram needs of a histogram view (its title is the card's caption). */
export type HistogramData = Omit<HistogramView, 'kind' | 'id' | 'title'>;

const PAD = 8;
const LABEL_PX = 11;
const identity = (s: string): string => s;

/** Draws the bars over nice axes (x: the view's xLabel, y: 'count') and the marker if any; `t` translates labels. */
export function drawHistogram(canvas: HTMLCanvasElement, view: HistogramData, t: (s: string) => string = identity): void {
  const surface = prepareCanvas(canvas);
  bumpDraws(canvas);
  if (!surface) return;
  const { ctx, width, height } = surface;
  const colors = themeColors();
  const { edges, counts } = view;
  const bins = Math.max(0, Math.min(counts.length, edges.length - 1));

  let xMin = Infinity;
  let xMax = -Infinity;
  let cMax = 0;
  for (let i = 0; i < bins; i++) {
    const a = edges[i];
    const b = edges[i + 1];
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
    xMin = Math.min(xMin, a, b);
    xMax = Math.max(xMax, a, b);
    if (counts[i] > cMax) cMax = counts[i];
  }
  const marker = view.marker !== undefined && Number.isFinite(view.marker) ? view.marker : undefined;
  if (marker !== undefined) {
    xMin = Math.min(xMin, marker);
    xMax = Math.max(xMax, marker);
  }
  if (xMin > xMax) [xMin, xMax] = [0, 1];

  const layout = layoutAxes(
    ctx,
    { x: PAD, y: PAD + (marker !== undefined ? LABEL_PX + 4 : 0), w: width - 2 * PAD, h: height - 2 * PAD - (marker !== undefined ? LABEL_PX + 4 : 0) },
    [xMin, xMax],
    [0, cMax > 0 ? cMax : 1],
    { x: false, y: true },
  );
  drawAxes(ctx, layout, t(view.xLabel), t('count'), colors);
  const { plot, sx, sy } = layout;

  // Bars: whole CSS pixels, with a 1 px gap between neighbours when they are wide enough to spare it.
  ctx.fillStyle = colors.series[0];
  ctx.globalAlpha = 0.85;
  const base = Math.round(sy(0));
  for (let i = 0; i < bins; i++) {
    const a = edges[i];
    const b = edges[i + 1];
    if (!(counts[i] > 0) || !Number.isFinite(a) || !Number.isFinite(b)) continue;
    let x0 = Math.round(sx(Math.min(a, b)));
    const x1 = Math.round(sx(Math.max(a, b)));
    if (x1 - x0 >= 4) x0 += 1;
    const top = Math.round(sy(counts[i]));
    ctx.fillRect(x0, top, Math.max(1, x1 - x0), Math.max(1, base - top));
  }
  ctx.globalAlpha = 1;

  if (marker !== undefined) {
    const mx = Math.round(sx(marker)) + 0.5;
    const color = colors.series[3];
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5;
    ctx.setLineDash([5, 4]);
    ctx.beginPath();
    ctx.moveTo(mx, plot.y);
    ctx.lineTo(mx, plot.y + plot.h);
    ctx.stroke();
    ctx.setLineDash([]);
    const text = view.markerLabel ? `${t(view.markerLabel)} ${formatValue(marker)}` : formatValue(marker);
    ctx.font = themeFont(LABEL_PX);
    ctx.fillStyle = color;
    ctx.textBaseline = 'bottom';
    const rightHalf = mx > plot.x + plot.w / 2;
    ctx.textAlign = rightHalf ? 'right' : 'left';
    ctx.fillText(text, rightHalf ? mx + 4 : mx - 4, plot.y - 2);
  }
}
