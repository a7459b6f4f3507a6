import { strict as assert } from 'node:assert';
import type { HistogramView, PlaneView } from '../../src/core/views';
import { decodePng, type RawImage } from '../../src/node/png';
import { histogramPng, planePng } from '../../src/node/plotPng';
import { viridis } from '../../src/core/colormap';

const BLUE = [0x4e, 0x79, 0xa7];
const ORANGE = [0xf2, 0x8e, 0x2b];

const pixel = (img: RawImage, x: number, y: number) => [...img.pixels.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3)];
const near = (a: number[], b: readonly number[], tol: number) => a.every((v, k) => Math.abs(v - b[k]) <= tol);
const luminance = (c: number[]) => 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];

/** Deterministic Gaussian cloud of n points around (cx, cy). */
function cloud(n: number, cx: number, cy: number, std: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const r = Math.sqrt(-2 * Math.log(u())) * std, a = 2 * Math.PI * u();
    out[2 * i] = cx + r * Math.cos(a);
    out[2 * i + 1] = cy + r * Math.sin(a);
  }
  return out;
}

function hist(counts: number[], edges: number[], marker?: number): HistogramView {
  return { kind: 'histogram', id: 'h', title: 'h', edges: Float32Array.from(edges), counts: Uint32Array.from(counts), xLabel: 'x', marker, markerLabel: marker === undefined ? undefined : 'threshold' };
}

function field(res: number, f: (x: number, y: number) => number): Float32Array {
  // Row 0 is the top (y = 1), column 0 the left (x = −1), over [−1, 1]².
  const v = new Float32Array(res * res);
  for (let r = 0; r < res; r++) for (let c = 0; c < res; c++) v[r * res + c] = f(-1 + (2 * (c + 0.5)) / res, 1 - (2 * (r + 0.5)) / res);
  return v;
}

describe('plot PNGs for the CLI', () => {
  it('draws a histogram as a decodable PNG: bars where the counts are, a dashed marker line', () => {
    const img = decodePng(histogramPng(hist([0, 10, 0, 5], [0, 1, 2, 3, 4], 2.5), 200));
    assert.equal(img.width, 200);
    assert.equal(img.height, 200);
    assert.equal(img.channels, 3);
    // Column counts of bar-coloured pixels in the middle of each bin (inner area 8..192, 46 px per bin).
    const barHeight = (x: number) => { let h = 0; for (let y = 0; y < 200; y++) if (near(pixel(img, x, y), BLUE, 0)) h++; return h; };
    const mids = [0.5, 1.5, 2.5, 3.5].map((v) => 8 + Math.round((v / 4) * 184));
    const heights = mids.map(barHeight);
    assert.equal(heights[0], 0);
    assert.equal(heights[2], 0);
    assert.ok(heights[1] > 150, `tallest bar is ${heights[1]} px`);
    assert.ok(Math.abs(heights[3] / heights[1] - 0.5) < 0.02, `bar heights ${heights}`);
    const red = (x: number) => { let n = 0; for (let y = 0; y < 200; y++) if (pixel(img, x, y)[0] > 180 && pixel(img, x, y)[1] < 80) n++; return n; };
    assert.ok(red(mids[2]) > 80 && red(mids[2]) < 150, `marker line has ${red(mids[2])} red pixels (dashed)`);
    assert.equal(red(mids[0]), 0);
  });

  it('copes with empty and degenerate histograms', () => {
    for (const v of [hist([], []), hist([0, 0, 0], [0, 1, 2, 3]), hist([7], [2, 2]), hist([3], [1, 2], 1.5), hist([1, 2], [NaN, 1, 2])]) {
      const img = decodePng(histogramPng(v, 64));
      assert.equal(img.width * img.height, 64 * 64);
    }
  });

  it('draws point layers in their own colours where the clouds are dense', () => {
    const view: PlaneView = {
      kind: 'plane', id: 'p', title: 'p', extent: [-2, 2, -2, 2],
      layers: [{ name: 'real', points: cloud(5000, -1, 1, 0.08, 1) }, { name: 'generated', points: cloud(5000, 1, -1, 0.08, 2) }],
    };
    const img = decodePng(planePng(view, 256));
    assert.deepEqual([img.width, img.height, img.channels], [256, 256, 3]);
    // (−1, 1) is a quarter in from the left and the top; (1, −1) three quarters.
    assert.ok(near(pixel(img, 64, 64), BLUE, 6), `real cloud centre is ${pixel(img, 64, 64)}`);
    assert.ok(near(pixel(img, 191, 191), ORANGE, 6), `generated cloud centre is ${pixel(img, 191, 191)}`);
    assert.deepEqual(pixel(img, 191, 64), [255, 255, 255]);
    assert.deepEqual(pixel(img, 64, 191), [255, 255, 255]);
  });

  it('draws the heat grid in viridis with x to the right and row 0 at the top', () => {
    const res = 32;
    const plane = (values: Float32Array): RawImage => decodePng(planePng({ kind: 'plane', id: 'p', title: 'p', extent: [-1, 1, -1, 1], layers: [], heat: { res, values, min: -1, max: 1, label: 'f' } }, 128));
    const byX = plane(field(res, (x) => x));
    const mean = (img: RawImage, xs: number[], ys: number[]) => { let s = 0; for (const x of xs) for (const y of ys) s += luminance(pixel(img, x, y)); return s / (xs.length * ys.length); };
    const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
    assert.ok(mean(byX, range(96, 128), range(0, 128)) > mean(byX, range(0, 32), range(0, 128)) + 60, 'the right side is not brighter than the left');
    for (let x = 4; x < 128; x += 4) assert.ok(luminance(pixel(byX, x, 60)) >= luminance(pixel(byX, x - 4, 60)), `luminance falls at x=${x}`);
    // The leftmost column is cell 0 (x = −1 + 1/32): viridis of 1/64.
    assert.ok(near(pixel(byX, 0, 0), viridis(1 / 64), 1), `${pixel(byX, 0, 0)} vs ${viridis(1 / 64)}`);
    const byY = plane(field(res, (_x, y) => y));
    assert.ok(mean(byY, range(0, 128), range(0, 32)) > mean(byY, range(0, 128), range(96, 128)) + 60, 'the top is not brighter than the bottom');
    // Out-of-range values clamp to the ends of the map; NaN cells stay white.
    const clamped = plane(new Float32Array(res * res).map((_, i) => (i === 0 ? NaN : i % res < res / 2 ? -5 : 5)));
    assert.deepEqual(pixel(clamped, 0, 0), [255, 255, 255]);
    assert.deepEqual(pixel(clamped, 10, 10), viridis(0));
    assert.deepEqual(pixel(clamped, 120, 10), viridis(1));
  });

  it('copes with an empty plane, a flat field and a degenerate extent', () => {
    const flat = { res: 4, values: new Float32Array(16).fill(3), min: 3, max: 3, label: 'f' };
    const img = decodePng(planePng({ kind: 'plane', id: 'p', title: 'p', extent: [0, 0, 1, 1], layers: [{ name: 'a', points: new Float32Array(0) }], heat: flat }, 32));
    assert.deepEqual(pixel(img, 5, 5), viridis(0.5));
    assert.equal(decodePng(planePng({ kind: 'plane', id: 'p', title: 'p', extent: [-1, 1, -1, 1], layers: [] }, 16)).width, 16);
  });
});
