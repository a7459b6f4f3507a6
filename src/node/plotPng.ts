/**
 * Histogram and plane views as PNG pictures for the CLI: plain pixel drawing into an RGB buffer
 * (no text), in the style of scatterPng in src/cli/output.ts; the heatmap uses the webview's viridis.
 */
import type { HistogramView, PlaneView } from '../core/views';
import { unitScale, viridisInto } from '../core/colormap';
import { encodePng } from './png';

type Rgb = readonly [number, number, number];

/** Layer and bar colours (Tableau 10: blue, orange, red, teal, green, …), as the CLI's scatter uses. */
const PALETTE: Rgb[] = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac']
  .map((h): Rgb => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)]);
const AXIS: Rgb = [150, 150, 150];
const MARKER: Rgb = [214, 39, 40];

/** An RGB canvas: a white `width`×`height` buffer with clipped pixel writes and alpha blending. */
class Raster {
  readonly px: Uint8Array;

  constructor(readonly width: number, readonly height: number) {
    this.px = new Uint8Array(width * height * 3).fill(255);
  }

  /** Blends colour c with opacity a over the pixel (x, y); outside the picture, nothing. */
  plot(x: number, y: number, c: Rgb, a = 1): void {
    if (!(x >= 0 && y >= 0 && x < this.width && y < this.height)) return;
    const at = (y * this.width + x) * 3;
    for (let k = 0; k < 3; k++) this.px[at + k] = Math.round(this.px[at + k] * (1 - a) + c[k] * a);
  }

  /** Fills the rectangle [x0, x1) × [y0, y1) (clipped). */
  fill(x0: number, y0: number, x1: number, y1: number, c: Rgb, a = 1): void {
    for (let y = Math.max(0, y0); y < Math.min(this.height, y1); y++) for (let x = Math.max(0, x0); x < Math.min(this.width, x1); x++) this.plot(x, y, c, a);
  }

  /** The picture as a PNG file. */
  png(): Buffer {
    return encodePng({ width: this.width, height: this.height, channels: 3, pixels: this.px });
  }
}

/**
 * A histogram view as a `size`×`size` RGB PNG: bars (blue) from a grey baseline, heights relative to the
 * largest count, over the x range of the edges (and the marker), the marker as a dashed red vertical line.
 */
export function histogramPng(view: HistogramView, size = 256): Buffer {
  const r = new Raster(size, size);
  const { edges, counts } = view;
  const bins = Math.max(0, Math.min(counts.length, edges.length - 1));
  let lo = Infinity, hi = -Infinity, top = 0;
  for (let i = 0; i < bins; i++) {
    if (!Number.isFinite(edges[i]) || !Number.isFinite(edges[i + 1])) continue;
    lo = Math.min(lo, edges[i], edges[i + 1]);
    hi = Math.max(hi, edges[i], edges[i + 1]);
    top = Math.max(top, counts[i]);
  }
  const marker = view.marker !== undefined && Number.isFinite(view.marker) ? view.marker : undefined;
  if (marker !== undefined) [lo, hi] = [Math.min(lo, marker), Math.max(hi, marker)];
  if (!(hi > lo)) [lo, hi] = Number.isFinite(lo) ? [lo - 0.5, hi + 0.5] : [0, 1];
  const m = Math.round(size * 0.04);
  const inner = size - 2 * m;
  const toX = (v: number) => m + Math.round(((v - lo) / (hi - lo)) * inner);
  const base = size - m;
  for (let i = 0; i < bins; i++) {
    if (!(counts[i] > 0) || !Number.isFinite(edges[i]) || !Number.isFinite(edges[i + 1])) continue;
    const [a, b] = [toX(Math.min(edges[i], edges[i + 1])), toX(Math.max(edges[i], edges[i + 1]))];
    const h = Math.max(1, Math.round((counts[i] / top) * (inner - 1)));
    r.fill(b - a >= 4 ? a + 1 : a, base - h, Math.max(b, a + 1), base, PALETTE[0]);
  }
  r.fill(m, base, size - m, base + 1, AXIS);
  if (marker !== undefined) {
    const x = toX(marker);
    for (let y = m; y < base; y++) if ((y - m) % 8 < 5) r.fill(x - 1, y, x + 1, y + 1, MARKER);
  }
  return r.png();
}

/**
 * A plane view as a `size`×`size` RGB PNG: the extent fills the picture (y up), the heat grid in viridis
 * scaled from heat.min to heat.max (row 0 at the top), then each layer's points as dots in its palette colour,
 * semi-transparent when there are many so that density shows.
 */
export function planePng(view: PlaneView, size = 256): Buffer {
  const r = new Raster(size, size);
  let [x0, x1, y0, y1] = view.extent;
  if (!(x1 > x0)) [x0, x1] = [x0 - 1, x0 + 1];
  if (!(y1 > y0)) [y0, y1] = [y0 - 1, y0 + 1];
  const heat = view.heat;
  const res = heat ? Math.floor(heat.res) : 0;
  if (heat && res > 0 && heat.values.length >= res * res) {
    const cells = new Uint8Array(res * res * 3);
    const missing = new Uint8Array(res * res);
    for (let i = 0; i < res * res; i++) {
      const u = unitScale(heat.values[i], heat.min, heat.max);
      if (Number.isNaN(u)) missing[i] = 1;
      else viridisInto(u, cells, 3 * i);
    }
    for (let y = 0; y < size; y++) {
      const row = Math.floor((y * res) / size);
      for (let x = 0; x < size; x++) {
        const cell = row * res + Math.floor((x * res) / size);
        if (!missing[cell]) r.px.set(cells.subarray(3 * cell, 3 * cell + 3), (y * size + x) * 3);
      }
    }
  }
  const sx = (size - 1) / (x1 - x0), sy = (size - 1) / (y1 - y0);
  view.layers.forEach((layer, k) => {
    const colour = PALETTE[k % PALETTE.length];
    const n = layer.points.length >> 1;
    const [dot, alpha] = n <= 300 ? [3, 1] : n <= 3000 ? [2, 0.7] : [2, 0.45];
    for (let i = 0; i < n; i++) {
      const x = layer.points[2 * i], y = layer.points[2 * i + 1];
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      const px = Math.round((x - x0) * sx) - (dot >> 1), py = Math.round((y1 - y) * sy) - (dot >> 1);
      r.fill(px, py, px + dot, py + dot, colour, alpha);
    }
  });
  return r.png();
}
