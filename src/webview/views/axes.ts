/**
 * Linear axes shared by the line chart and the scatter plot: 1-2-5 ticks, layout and drawing.
 */
import { formatTick } from './canvasUtil';
import { themeFont, type ThemeColors } from './theme';

/** A rectangle in CSS pixels. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A linear axis: its domain, tick values and tick step. */
export interface Axis {
  min: number;
  max: number;
  ticks: number[];
  step: number;
}

/** Plot area, axes and data→CSS-pixel mappings produced by layoutAxes. */
export interface AxesLayout {
  /** The box the axes were laid out in (titles included). */
  box: Rect;
  /** The data area inside the axes. */
  plot: Rect;
  x: Axis;
  y: Axis;
  sx: (v: number) => number;
  sy: (v: number) => number;
}

const TICK_PX = 10;
const LABEL_PX = 11;

/** A 1-2-5 step (…, 0.1, 0.2, 0.5, 1, 2, 5, 10, …) giving about `target` intervals over `span`. */
export function niceStep(span: number, target: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const n = raw / mag;
  const m = n < 1.42 ? 1 : n < 3.16 ? 2 : n < 7.07 ? 5 : 10;
  return m * mag;
}

/** All multiples of step within [min, max], rounded to hide floating-point noise. */
export function ticksFor(min: number, max: number, step: number): number[] {
  const out: number[] = [];
  const first = Math.ceil(min / step - 1e-9);
  const last = Math.floor(max / step + 1e-9);
  for (let k = first; k <= last && out.length < 1000; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

/** An axis over the data range [min, max]; with extend, the domain widens to whole steps. */
export function makeAxis(min: number, max: number, target: number, extend: boolean): Axis {
  if (!Number.isFinite(min) || !Number.isFinite(max)) [min, max] = [0, 1];
  if (max < min) [min, max] = [max, min];
  if (max === min) {
    const d = Math.abs(min) * 0.1 || 1;
    min -= d;
    max += d;
  }
  const step = niceStep(max - min, target);
  if (extend) {
    min = Math.floor(min / step + 1e-9) * step;
    max = Math.ceil(max / step - 1e-9) * step;
  }
  return { min, max, ticks: ticksFor(min, max, step), step };
}

/** Places axes inside box (room for tick labels and axis titles) and returns the plot area and mappings. */
export function layoutAxes(
  ctx: CanvasRenderingContext2D,
  box: Rect,
  xRange: readonly [number, number],
  yRange: readonly [number, number],
  extend: { x: boolean; y: boolean },
): AxesLayout {
  const bottom = TICK_PX + 6 + LABEL_PX + 6;
  const top = 6;
  const plotH = Math.max(10, box.h - bottom - top);
  const y = makeAxis(yRange[0], yRange[1], Math.max(2, Math.round(plotH / 45)), extend.y);
  ctx.font = themeFont(TICK_PX);
  let tickW = 0;
  for (const t of y.ticks) tickW = Math.max(tickW, ctx.measureText(formatTick(t, y.step)).width);
  const left = LABEL_PX + 8 + Math.ceil(tickW) + 6;
  const right = 12;
  const plotW = Math.max(10, box.w - left - right);
  const x = makeAxis(xRange[0], xRange[1], Math.max(2, Math.round(plotW / 90)), extend.x);
  const plot: Rect = { x: box.x + left, y: box.y + top, w: plotW, h: plotH };
  const sx = (v: number): number => plot.x + ((v - x.min) / (x.max - x.min)) * plot.w;
  const sy = (v: number): number => plot.y + plot.h - ((v - y.min) / (y.max - y.min)) * plot.h;
  return { box, plot, x, y, sx, sy };
}

/** Half-pixel alignment so 1px lines land on whole device pixels. */
function crisp(v: number): number {
  return Math.round(v) + 0.5;
}

/** Draws grid lines, the two axis lines, tick labels and the axis titles of a layout. */
export function drawAxes(
  ctx: CanvasRenderingContext2D,
  layout: AxesLayout,
  xLabel: string,
  yLabel: string,
  colors: ThemeColors,
): void {
  const { plot, x, y, sx, sy } = layout;
  ctx.save();
  ctx.lineWidth = 1;
  ctx.strokeStyle = colors.grid;
  ctx.globalAlpha = 0.6;
  ctx.beginPath();
  for (const t of x.ticks) {
    const px = crisp(sx(t));
    ctx.moveTo(px, plot.y);
    ctx.lineTo(px, plot.y + plot.h);
  }
  for (const t of y.ticks) {
    const py = crisp(sy(t));
    ctx.moveTo(plot.x, py);
    ctx.lineTo(plot.x + plot.w, py);
  }
  ctx.stroke();
  ctx.globalAlpha = 1;
  ctx.strokeStyle = colors.muted;
  ctx.beginPath();
  const bx = crisp(plot.x) - 1;
  const by = crisp(plot.y + plot.h);
  ctx.moveTo(bx, plot.y);
  ctx.lineTo(bx, by);
  ctx.lineTo(plot.x + plot.w, by);
  ctx.stroke();

  ctx.fillStyle = colors.muted;
  ctx.font = themeFont(TICK_PX);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of x.ticks) ctx.fillText(formatTick(t, x.step), sx(t), plot.y + plot.h + 4);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of y.ticks) ctx.fillText(formatTick(t, y.step), plot.x - 6, sy(t));

  ctx.font = themeFont(LABEL_PX);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  ctx.fillText(xLabel, plot.x + plot.w / 2, plot.y + plot.h + TICK_PX + 6 + LABEL_PX + 5);
  ctx.translate(layout.box.x + 2, plot.y + plot.h / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = 'top';
  ctx.fillText(yLabel, 0, 0);
  ctx.restore();
}
