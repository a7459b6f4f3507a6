import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from './harness';

/** The modules under test, bundled for the page and exposed as window.T. */
const ENTRY = `
  export { drawHistogram } from './src/webview/views/histogram';
  export { drawPlane, planeCoordinates } from './src/webview/views/plane';
  export { themeColors } from './src/webview/views/theme';
  export { viridis } from './src/core/colormap';
`;
type Api = typeof import('../../src/webview/views/histogram') & typeof import('../../src/webview/views/plane')
  & Pick<typeof import('../../src/webview/views/theme'), 'themeColors'> & Pick<typeof import('../../src/core/colormap'), 'viridis'>;
type Win = { T: Api; seen: string[] };

/** In-page helpers: a canvas of a CSS size, the RGBA bytes of a CSS colour, a translator that records its input. */
const PAGE_HELPERS = `
  window.__name = (f) => f; // tsx's keepNames wrapper, referenced by the functions we evaluate
  window.seen = [];
  window.tr = (s) => { window.seen.push(s); return s; };
  window.canvasOf = (w, h) => { const c = document.createElement('canvas'); c.style.width = w + 'px'; c.style.height = h + 'px'; c.style.display = 'block'; document.body.append(c); return c; };
  window.rgbOf = (css) => { const c = document.createElement('canvas'); c.width = c.height = 1; const x = c.getContext('2d'); x.fillStyle = css; x.fillRect(0, 0, 1, 1); return [...x.getImageData(0, 0, 1, 1).data.slice(0, 3)]; };
  window.pixels = (c) => c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  window.cloud = (n, cx, cy, std, seed) => {
    let s = seed >>> 0; const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
    const out = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) { const r = Math.sqrt(-2 * Math.log(u())) * std, a = 2 * Math.PI * u(); out[2 * i] = cx + r * Math.cos(a); out[2 * i + 1] = cy + r * Math.sin(a); }
    return out;
  };
`;
/** What PAGE_HELPERS adds to window, for typing the evaluated functions. */
type Helpers = Win & {
  tr: (s: string) => string;
  canvasOf: (w: number, h: number) => HTMLCanvasElement;
  rgbOf: (css: string) => number[];
  pixels: (c: HTMLCanvasElement) => Uint8ClampedArray;
  cloud: (n: number, cx: number, cy: number, std: number, seed: number) => Float32Array;
};

describe('histogram and plane views in Chromium', function () {
  let browser: Browser;
  let page: Page;

  before(async () => {
    const bundle = await esbuild.build({
      stdin: { contents: ENTRY, resolveDir: join(__dirname, '..', '..'), loader: 'ts' },
      bundle: true, write: false, format: 'iife', globalName: 'T', platform: 'browser', target: 'es2022',
    });
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 900, height: 900 }, deviceScaleFactor: 2 });
    page.on('pageerror', (e) => console.log(`      [page error] ${e.message}`));
    await page.setContent('<!doctype html><html><body style="margin:0;background:#ffffff"></body></html>');
    await page.addScriptTag({ content: PAGE_HELPERS });
    await page.addScriptTag({ content: `${bundle.outputFiles[0].text}\nwindow.T = T;` });
  });
  after(async () => browser?.close());
  beforeEach(() => page.evaluate(() => { document.body.replaceChildren(); (window as unknown as Helpers).seen = []; }));

  it('draws histogram bars in proportion to the counts, a gap for an empty bin, and a dashed, labelled marker', async () => {
    const r = await page.evaluate(() => {
      const w = window as unknown as Helpers;
      const c = w.canvasOf(480, 240);
      w.T.drawHistogram(c, { edges: Float32Array.of(0, 1, 2, 3, 4, 5), counts: Uint32Array.of(5, 20, 0, 40, 10), xLabel: 'score', marker: 2.5, markerLabel: 'threshold' }, w.tr);
      const d = w.pixels(c);
      const bar = w.rgbOf(w.T.themeColors().series[0]);
      const red = w.rgbOf(w.T.themeColors().series[3]);
      const close = (i: number, rgb: number[], tol: number) => d[i + 3] > 120 && Math.abs(d[i] - rgb[0]) <= tol && Math.abs(d[i + 1] - rgb[1]) <= tol && Math.abs(d[i + 2] - rgb[2]) <= tol;
      // Per column: the vertical extent of bar-coloured pixels, and the red pixels (marker and its label).
      const cols: Array<{ height: number; reds: number; segments: number }> = [];
      let barTop = c.height;
      for (let x = 0; x < c.width; x++) {
        let top = -1, bottom = -1, reds = 0, segments = 0, inRed = false;
        for (let y = 0; y < c.height; y++) {
          const i = (y * c.width + x) * 4;
          if (close(i, bar, 8)) { if (top < 0) top = y; bottom = y; }
          const isRed = close(i, red, 40);
          if (isRed) reds++;
          if (isRed && !inRed) segments++;
          inRed = isRed;
        }
        if (top >= 0) barTop = Math.min(barTop, top);
        cols.push({ height: top < 0 ? 0 : bottom - top + 1, reds, segments });
      }
      // Runs of columns with bar pixels: one per non-empty bin.
      const runs: Array<{ start: number; end: number; height: number }> = [];
      cols.forEach((col, x) => {
        if (col.height === 0) return;
        const last = runs[runs.length - 1];
        if (last && last.end === x - 1) { last.end = x; last.height = Math.max(last.height, col.height); } else runs.push({ start: x, end: x, height: col.height });
      });
      let markerX = 0;
      cols.forEach((col, x) => { if (col.reds > cols[markerX].reds) markerX = x; });
      let labelReds = 0;
      for (let y = 0; y < barTop - 4; y++) for (let x = 0; x < c.width; x++) if (close((y * c.width + x) * 4, red, 60)) labelReds++;
      return { runs, markerX, marker: cols[markerX], labelReds, seen: w.seen, draws: c.dataset.draws };
    });
    assert.equal(r.draws, '1');
    assert.deepEqual([...r.seen].sort(), ['count', 'score', 'threshold']);
    assert.equal(r.runs.length, 4, `bar runs: ${JSON.stringify(r.runs)}`);
    const tallest = Math.max(...r.runs.map((b) => b.height));
    assert.ok(tallest > 200, `tallest bar ${tallest} device px`);
    [5, 20, 40, 10].forEach((count, k) => assert.ok(Math.abs(r.runs[k].height / tallest - count / 40) < 0.03, `bar ${k}: ${r.runs[k].height} of ${tallest} px for ${count} of 40`));
    const binW = r.runs[1].end - r.runs[0].end;
    assert.ok(r.runs[2].start - r.runs[1].end > 0.8 * binW, 'no gap for the empty bin');
    const gapMid = (r.runs[1].end + r.runs[2].start) / 2;
    assert.ok(Math.abs(r.markerX - gapMid) <= 4, `marker at x=${r.markerX}, expected about ${gapMid}`);
    assert.ok(r.marker.reds > 0.4 * tallest && r.marker.reds < 0.85 * tallest, `marker column has ${r.marker.reds} red px of ${tallest}`);
    assert.ok(r.marker.segments >= 5, `marker line is not dashed (${r.marker.segments} segments)`);
    assert.ok(r.labelReds > 20, 'no marker label above the bars');
  });

  it('draws empty and degenerate histograms without throwing', async () => {
    const r = await page.evaluate(() => {
      const w = window as unknown as Helpers;
      const c = w.canvasOf(200, 120);
      const bar = w.rgbOf(w.T.themeColors().series[0]);
      const barPixels = () => { const d = w.pixels(c); let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 120 && Math.abs(d[i] - bar[0]) < 8 && Math.abs(d[i + 1] - bar[1]) < 8 && Math.abs(d[i + 2] - bar[2]) < 8) n++; return n; };
      const out: number[] = [];
      const cases = [
        { edges: new Float32Array(0), counts: new Uint32Array(0) },
        { edges: Float32Array.of(0, 1, 2), counts: Uint32Array.of(0, 0) },
        { edges: Float32Array.of(3, 3), counts: Uint32Array.of(9) },
        { edges: Float32Array.of(NaN, 1, 2), counts: Uint32Array.of(4, 4), marker: NaN },
        { edges: Float32Array.of(0, 1), counts: Uint32Array.of(4, 4, 4), marker: 7 },
      ];
      for (const v of cases) { w.T.drawHistogram(c, { ...v, xLabel: 'x' }); out.push(barPixels()); }
      return { out, draws: c.dataset.draws };
    });
    assert.equal(r.draws, '5');
    assert.equal(r.out[0], 0);
    assert.equal(r.out[1], 0, 'bars drawn for all-zero counts');
    assert.ok(r.out[2] > 0 && r.out[3] > 0 && r.out[4] > 0, `single-bin bars: ${r.out}`);
  });

  it('draws a square plane with a viridis heatmap (x right, row 0 at the top), coloured point layers, a colour bar and click coordinates', async () => {
    const r = await page.evaluate(() => {
      const w = window as unknown as Helpers;
      const res = 64;
      const field = (f: (x: number, y: number) => number) => {
        const v = new Float32Array(res * res);
        for (let row = 0; row < res; row++) for (let col = 0; col < res; col++) v[row * res + col] = f(-2 + (4 * (col + 0.5)) / res, 2 - (4 * (row + 0.5)) / res);
        return v;
      };
      const layers = [{ name: 'real', points: w.cloud(5000, -1, 1, 0.15, 1) }, { name: 'generated', points: w.cloud(5000, 1, -1, 0.15, 2) }];
      const c = w.canvasOf(520, 400);
      w.T.drawPlane(c, { extent: [-2, 2, -2, 2], heat: { res, values: field((x) => x), min: -2, max: 2, label: 'field' }, layers }, w.tr);
      const seen = [...w.seen];
      // Device-pixel bounds of the plot, found with planeCoordinates along the middle row and column.
      const rect = c.getBoundingClientRect();
      const dpr = c.width / rect.width;
      const at = (px: number, py: number) => w.T.planeCoordinates(c, rect.left + (px + 0.5) / dpr, rect.top + (py + 0.5) / dpr);
      const inside = (n: number, f: (k: number) => boolean) => { const ks = []; for (let k = 0; k < n; k++) if (f(k)) ks.push(k); return [ks[0], ks[ks.length - 1]]; };
      const [left, right] = inside(c.width, (x) => at(x, c.height / 2) !== null);
      const [top, bottom] = inside(c.height, (y) => at((left + right) / 2, y) !== null);
      const toPx = (x: number, y: number) => [Math.round(left + ((x + 2) / 4) * (right - left)), Math.round(top + ((2 - y) / 4) * (bottom - top))];
      const colourAt = (d: Uint8ClampedArray, x: number, y: number) => { const [px, py] = toPx(x, y); const i = (py * c.width + px) * 4; return [d[i], d[i + 1], d[i + 2], d[i + 3]]; };
      const d = w.pixels(c);
      const heatRow = [-1.8, -0.9, 0, 0.9, 1.8].map((x) => ({ got: colourAt(d, x, 0), want: w.T.viridis((x + 2) / 4) }));
      const real = colourAt(d, -1, 1), generated = colourAt(d, 1, -1);
      const palette = w.T.themeColors().series.slice(0, 2).map(w.rgbOf);
      // The colour bar, right of the plot: its ends are the ends of the map.
      const barColours: number[][] = [];
      for (let y = top; y < bottom; y += 2) for (let x = right + 10; x < c.width; x += 2) { const i = (y * c.width + x) * 4; if (d[i + 3] === 255) barColours.push([d[i], d[i + 1], d[i + 2]]); }
      const centre = at((left + right) / 2, (top + bottom) / 2);
      const outsideClick = w.T.planeCoordinates(c, rect.left + 2, rect.top + 2);
      // Row 0 of the grid is the top: a field increasing with y is bright at the top.
      w.T.drawPlane(c, { extent: [-2, 2, -2, 2], heat: { res, values: field((_x, y) => y), min: -2, max: 2, label: 'field' }, layers: [] });
      const d2 = w.pixels(c);
      const byY = [colourAt(d2, 0, 1.8), colourAt(d2, 0, -1.8)];
      return { seen, left, right, top, bottom, heatRow, real, generated, palette, barColours, centre, outsideClick, byY, ends: [w.T.viridis(0), w.T.viridis(1)] };
    });
    const lum = (c: number[]) => 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    const near = (a: number[], b: number[], tol: number) => b.every((v, k) => Math.abs(a[k] - v) <= tol);
    assert.deepEqual([...r.seen].sort(), ['field', 'generated', 'real']);
    assert.ok(Math.abs((r.right - r.left) - (r.bottom - r.top)) <= 4, `plot is ${r.right - r.left}×${r.bottom - r.top} device px, not square`);
    for (const { got, want } of r.heatRow) assert.ok(near(got, want, 6) && got[3] === 255, `heat ${got} vs viridis ${want}`);
    for (let k = 1; k < r.heatRow.length; k++) assert.ok(lum(r.heatRow[k].got) > lum(r.heatRow[k - 1].got) + 10, 'heat does not brighten to the right');
    assert.ok(lum(r.byY[0]) > lum(r.byY[1]) + 100, `top ${r.byY[0]} is not brighter than bottom ${r.byY[1]}`);
    assert.ok(near(r.real, r.palette[0], 10), `real cloud ${r.real} vs ${r.palette[0]}`);
    assert.ok(near(r.generated, r.palette[1], 10), `generated cloud ${r.generated} vs ${r.palette[1]}`);
    for (const end of r.ends) assert.ok(r.barColours.some((c) => near(c, end, 8)), `colour bar lacks ${end}`);
    assert.ok(r.centre && Math.abs(r.centre[0]) < 0.05 && Math.abs(r.centre[1]) < 0.05, `centre click → ${r.centre}`);
    assert.equal(r.outsideClick, null);
  });

  it('draws 10,000 points over a 64×64 heatmap in under 100 ms', async () => {
    const r = await page.evaluate(() => {
      const w = window as unknown as Helpers;
      const res = 64;
      const values = new Float32Array(res * res).map((_, i) => Math.sin(i / 50));
      const view = { extent: [-3, 3, -3, 3] as [number, number, number, number], heat: { res, values, min: -1, max: 1, label: 'D(x)' }, layers: [{ name: 'real', points: w.cloud(5000, 0, 0, 1, 3) }, { name: 'generated', points: w.cloud(5000, 0.5, 0, 1, 4) }] };
      const c = w.canvasOf(600, 600);
      const ctx = c.getContext('2d') as CanvasRenderingContext2D;
      const times: number[] = [];
      for (let k = 0; k < 9; k++) {
        const t0 = performance.now();
        w.T.drawPlane(c, view);
        ctx.getImageData(0, 0, 1, 1); // waits for the drawing to be rasterized
        times.push(performance.now() - t0);
      }
      // Two warm-up draws: on SwiftShader the first two compile the GL pipelines the canvas needs.
      const warm = times.slice(2).sort((a, b) => a - b);
      return { first: times[0], median: warm[Math.floor(warm.length / 2)], max: warm[warm.length - 1], times };
    });
    console.log(`      drawPlane, 10,000 points + 64×64 heat at 600×600 CSS px, DPR 2: first ${r.first.toFixed(1)} ms, warm median ${r.median.toFixed(1)} ms (max ${r.max.toFixed(1)}) ${r.times.map(Math.round)}`);
    assert.ok(r.median < 100, `drawing took ${r.median} ms`);
  });
});
