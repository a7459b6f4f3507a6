/**
 * Line chart for training curves (losses, metrics): nice axes, grid, legend with latest values.
 */
import { drawAxes, layoutAxes } from './axes';
import { bumpDraws, formatValue, prepareCanvas } from './canvasUtil';
import { themeColors, themeFont } from './theme';

/** One line of a line chart: (x, y) points drawn in order; non-finite points break the line. */
export interface Series {
  name: string;
  points: ReadonlyArray<readonly [number, number]>;
  /** CSS colour; defaults to the theme's series colour for this series' index. */
  color?: string;
  dashed?: boolean;
  /** Draw a small dot at every (decimated) point. */
  markers?: boolean;
}

/** Axis titles, optional chart title and the decimation limit for drawLineChart. */
export interface LineChartOptions {
  xLabel: string;
  yLabel: string;
  title?: string;
  /** Most points drawn per series (default 1500); longer series are decimated evenly, keeping the last point. */
  maxPointsPerSeries?: number;
}

type Pt = readonly [number, number];

const DEFAULT_MAX_POINTS = 1500;
const PAD = 8;
const LEGEND_PX = 11;
const SWATCH = 16;

function decimate(points: ReadonlyArray<Pt>, max: number): ReadonlyArray<Pt> {
  const n = points.length;
  if (n <= max) return points;
  if (max < 2) return n > 0 ? [points[n - 1]] : [];
  const out: Pt[] = new Array<Pt>(max);
  for (let i = 0; i < max; i++) out[i] = points[Math.round((i * (n - 1)) / (max - 1))];
  return out;
}

const finitePt = (p: Pt): boolean => Number.isFinite(p[0]) && Number.isFinite(p[1]);

function lastFiniteY(points: ReadonlyArray<Pt>): number | undefined {
  for (let i = points.length - 1; i >= 0; i--) if (finitePt(points[i])) return points[i][1];
  return undefined;
}

interface LegendItem {
  text: string;
  color: string;
  dashed: boolean;
  x: number;
  y: number;
}

/** Lays legend entries out left to right, wrapping within maxW; returns the rows' total height. */
function layoutLegend(ctx: CanvasRenderingContext2D, items: LegendItem[], x0: number, y0: number, maxW: number): number {
  if (items.length === 0) return 0;
  ctx.font = themeFont(LEGEND_PX);
  const rowH = LEGEND_PX + 6;
  let x = x0;
  let y = y0;
  for (const it of items) {
    const w = SWATCH + 4 + ctx.measureText(it.text).width;
    if (x > x0 && x + w > x0 + maxW) {
      x = x0;
      y += rowH;
    }
    it.x = x;
    it.y = y;
    x += w + 14;
  }
  return y - y0 + rowH;
}

/** Draws the series as lines over nice axes with a grid, an optional title and a legend ("name latest"). */
export function drawLineChart(canvas: HTMLCanvasElement, series: readonly Series[], opts: LineChartOptions): void {
  const surface = prepareCanvas(canvas);
  bumpDraws(canvas);
  if (!surface) return;
  const { ctx, width, height } = surface;
  const colors = themeColors();
  const maxPts = Math.max(1, Math.floor(opts.maxPointsPerSeries ?? DEFAULT_MAX_POINTS));

  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (const s of series) {
    for (const p of s.points) {
      if (!finitePt(p)) continue;
      if (p[0] < xMin) xMin = p[0];
      if (p[0] > xMax) xMax = p[0];
      if (p[1] < yMin) yMin = p[1];
      if (p[1] > yMax) yMax = p[1];
    }
  }
  if (xMin > xMax) [xMin, xMax] = [0, 1];
  if (yMin > yMax) [yMin, yMax] = [0, 1];

  let top = PAD;
  if (opts.title) {
    ctx.font = themeFont(12, '600');
    ctx.fillStyle = colors.fg;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillText(opts.title, PAD, top);
    top += 12 + 6;
  }
  const items: LegendItem[] = series.map((s, i) => {
    const last = lastFiniteY(s.points);
    return {
      text: last === undefined ? s.name : `${s.name} ${formatValue(last)}`,
      color: s.color ?? colors.series[i % colors.series.length],
      dashed: s.dashed === true,
      x: 0,
      y: 0,
    };
  });
  const legendH = layoutLegend(ctx, items, PAD, top, width - 2 * PAD);
  top += legendH + (legendH > 0 ? 2 : 0);

  const layout = layoutAxes(ctx, { x: PAD, y: top, w: width - 2 * PAD, h: height - top - PAD }, [xMin, xMax], [yMin, yMax], {
    x: false,
    y: true,
  });
  drawAxes(ctx, layout, opts.xLabel, opts.yLabel, colors);

  // Legend entries: a short line (dashed like the series) and the text.
  ctx.font = themeFont(LEGEND_PX);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  ctx.lineWidth = 2;
  for (const it of items) {
    const cy = it.y + LEGEND_PX / 2 + 1;
    ctx.strokeStyle = it.color;
    ctx.setLineDash(it.dashed ? [4, 3] : []);
    ctx.beginPath();
    ctx.moveTo(it.x, cy);
    ctx.lineTo(it.x + SWATCH, cy);
    ctx.stroke();
    ctx.fillStyle = colors.fg;
    ctx.fillText(it.text, it.x + SWATCH + 4, cy);
  }

  const { plot, sx, sy } = layout;
  ctx.save();
  ctx.beginPath();
  ctx.rect(plot.x - 4, plot.y - 4, plot.w + 8, plot.h + 8);
  ctx.clip();
  ctx.lineWidth = 1.5;
  ctx.lineJoin = 'round';
  ctx.lineCap = 'round';
  series.forEach((s, i) => {
    const color = items[i].color;
    const pts = decimate(s.points, maxPts);
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.setLineDash(s.dashed ? [6, 4] : []);
    ctx.beginPath();
    let pen = false;
    let finiteCount = 0;
    for (const p of pts) {
      if (!finitePt(p)) {
        pen = false;
        continue;
      }
      finiteCount++;
      if (pen) ctx.lineTo(sx(p[0]), sy(p[1]));
      else ctx.moveTo(sx(p[0]), sy(p[1]));
      pen = true;
    }
    ctx.stroke();
    if (s.markers || finiteCount === 1) {
      const r = finiteCount === 1 ? 3.5 : 2.5;
      ctx.beginPath();
      for (const p of pts) {
        if (!finitePt(p)) continue;
        const px = sx(p[0]);
        const py = sy(p[1]);
        ctx.moveTo(px + r, py);
        ctx.arc(px, py, r, 0, Math.PI * 2);
      }
      ctx.fill();
    }
  });
  ctx.restore();
}
