/**
 * Scatter plot of 2-D points (e.g. a latent space) coloured by class, with hit-testing for the mouse.
 */
import { drawAxes, layoutAxes } from './axes';
import { bumpDraws, prepareCanvas } from './canvasUtil';
import { themeColors, themeFont } from './theme';

/** Points as x0,y0,x1,y1,… with optional class labels, class names, axis titles and a highlighted index. */
export interface ScatterData {
  /** Interleaved coordinates x0, y0, x1, y1, …; points with a non-finite coordinate are skipped. */
  points: Float32Array;
  /** Class of each point (integer); colours cycle through themeColors().series. */
  labels?: ArrayLike<number>;
  /** Legend names by class index; default: the labels present ("0".."9"). */
  classNames?: string[];
  xLabel: string;
  yLabel: string;
  /** Index of a point to draw larger, with an outline, on top. */
  highlight?: number;
}

/** Where each drawn point landed, in CSS pixels of the canvas, for nearestPoint. */
interface Drawn {
  xs: Float32Array;
  ys: Float32Array;
  index: Int32Array;
  cssW: number;
  cssH: number;
}
const drawnPoints = new WeakMap<HTMLCanvasElement, Drawn>();

const LEGEND_PX = 11;
const PAD = 8;

function classOf(labels: ArrayLike<number> | undefined, i: number, n: number): number {
  if (!labels || i >= labels.length) return 0;
  const l = Math.round(labels[i]);
  return Number.isFinite(l) ? ((l % n) + n) % n : 0;
}

/** Legend entries: [colour index, name]. */
function legendEntries(data: ScatterData, n: number): Array<[number, string]> {
  if (data.classNames && data.classNames.length > 0) return data.classNames.map((name, k) => [k % n, name]);
  if (!data.labels) return [];
  const present = new Set<number>();
  for (let i = 0; i < data.labels.length && present.size < 64; i++) {
    const l = Math.round(data.labels[i]);
    if (Number.isFinite(l)) present.add(l);
  }
  return [...present].sort((a, b) => a - b).map((l) => [((l % n) + n) % n, String(l)]);
}

/** Draws the points coloured by label over nice axes, with a class legend on the right. */
export function drawScatter(canvas: HTMLCanvasElement, data: ScatterData): void {
  const surface = prepareCanvas(canvas);
  bumpDraws(canvas);
  if (!surface) return;
  const { ctx, width, height } = surface;
  const colors = themeColors();
  const palette = colors.series;
  const pts = data.points;
  const total = Math.floor(pts.length / 2);

  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  let drawnCount = 0;
  for (let i = 0; i < total; i++) {
    const x = pts[2 * i];
    const y = pts[2 * i + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    drawnCount++;
    if (x < xMin) xMin = x;
    if (x > xMax) xMax = x;
    if (y < yMin) yMin = y;
    if (y > yMax) yMax = y;
  }
  if (drawnCount === 0) [xMin, xMax, yMin, yMax] = [0, 1, 0, 1];
  const padX = (xMax - xMin) * 0.04;
  const padY = (yMax - yMin) * 0.04;

  // Legend on the right: a dot and the class name per entry.
  const entries = legendEntries(data, palette.length);
  ctx.font = themeFont(LEGEND_PX);
  let legendW = 0;
  for (const [, name] of entries) legendW = Math.max(legendW, ctx.measureText(name).width);
  legendW = entries.length > 0 ? Math.ceil(legendW) + 16 + PAD : 0;

  const layout = layoutAxes(
    ctx,
    { x: PAD, y: PAD, w: width - 2 * PAD - legendW, h: height - 2 * PAD },
    [xMin - padX, xMax + padX],
    [yMin - padY, yMax + padY],
    { x: true, y: true },
  );
  drawAxes(ctx, layout, data.xLabel, data.yLabel, colors);

  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  const lx = layout.plot.x + layout.plot.w + PAD + 4;
  entries.forEach(([k, name], j) => {
    const cy = layout.plot.y + 6 + j * (LEGEND_PX + 6);
    ctx.fillStyle = palette[k];
    ctx.beginPath();
    ctx.arc(lx + 4, cy, 4, 0, Math.PI * 2);
    ctx.fill();
    ctx.fillStyle = colors.fg;
    ctx.fillText(name, lx + 12, cy);
  });

  const { plot, sx, sy } = layout;
  const xs = new Float32Array(drawnCount);
  const ys = new Float32Array(drawnCount);
  const index = new Int32Array(drawnCount);
  const byClass: number[][] = palette.map(() => []);
  let d = 0;
  for (let i = 0; i < total; i++) {
    const x = pts[2 * i];
    const y = pts[2 * i + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    xs[d] = sx(x);
    ys[d] = sy(y);
    index[d] = i;
    byClass[classOf(data.labels, i, palette.length)].push(d);
    d++;
  }
  drawnPoints.set(canvas, { xs, ys, index, cssW: width, cssH: height });

  const r = drawnCount <= 300 ? 3 : drawnCount <= 3000 ? 2.2 : drawnCount <= 20000 ? 1.6 : 1.2;
  ctx.save();
  ctx.beginPath();
  ctx.rect(plot.x, plot.y, plot.w, plot.h);
  ctx.clip();
  ctx.globalAlpha = 0.8;
  byClass.forEach((list, k) => {
    if (list.length === 0) return;
    ctx.fillStyle = palette[k];
    ctx.beginPath();
    for (const j of list) {
      ctx.moveTo(xs[j] + r, ys[j]);
      ctx.arc(xs[j], ys[j], r, 0, Math.PI * 2);
    }
    ctx.fill();
  });
  ctx.globalAlpha = 1;
  const h = data.highlight;
  if (h !== undefined && h >= 0 && h < total) {
    const x = pts[2 * h];
    const y = pts[2 * h + 1];
    if (Number.isFinite(x) && Number.isFinite(y)) {
      const R = r * 2 + 2.5;
      ctx.beginPath();
      ctx.arc(sx(x), sy(y), R, 0, Math.PI * 2);
      ctx.fillStyle = palette[classOf(data.labels, h, palette.length)];
      ctx.fill();
      ctx.lineWidth = 3.5;
      ctx.strokeStyle = colors.bg;
      ctx.stroke();
      ctx.lineWidth = 1.75;
      ctx.strokeStyle = colors.fg;
      ctx.stroke();
    }
  }
  ctx.restore();
}

/** Index of the point (from the last drawScatter) nearest a client position, or -1 if none within maxDistance px. */
export function nearestPoint(canvas: HTMLCanvasElement, clientX: number, clientY: number, maxDistance = 30): number {
  const rec = drawnPoints.get(canvas);
  if (!rec || rec.xs.length === 0) return -1;
  const rect = canvas.getBoundingClientRect();
  const px = rect.width > 0 ? ((clientX - rect.left) * rec.cssW) / rect.width : clientX - rect.left;
  const py = rect.height > 0 ? ((clientY - rect.top) * rec.cssH) / rect.height : clientY - rect.top;
  let best = -1;
  let bestD = maxDistance * maxDistance;
  for (let j = 0; j < rec.xs.length; j++) {
    const dx = rec.xs[j] - px;
    const dy = rec.ys[j] - py;
    const dd = dx * dx + dy * dy;
    if (dd <= bestD) {
      bestD = dd;
      best = rec.index[j];
    }
  }
  return best;
}
