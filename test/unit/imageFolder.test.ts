import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { splitData, type ImageSet } from '../../src/core/data/dataset';
import { probeImageFolder, readImageFolder, shuffleImageSet } from '../../src/node/imageFolder';
import { encodePng } from '../../src/node/png';

const FIXTURES = join(__dirname, '..', 'fixtures', 'data');

let tmp: string;
/** A fresh folder for one test. */
function folder(...parts: string[]): string {
  const dir = join(tmp, ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}
function writePng(path: string, width: number, height: number, pixels: number[], channels: 1 | 3 = 1): void {
  writeFileSync(path, encodePng({ width, height, channels, pixels: Uint8Array.from(pixels) }));
}
/** The pixels of image `i` of a set, as plain numbers. */
function image(set: ImageSet, i: number): number[] {
  const per = set.height * set.width * (set.channels ?? 1);
  return [...set.pixels.subarray(i * per, (i + 1) * per)];
}
/** Reads a folder holding the one grey image `pixels` (h×w) with the given options. */
function readOne(h: number, w: number, pixels: number[], options: Parameters<typeof readImageFolder>[1] = {}): ImageSet {
  const dir = folder(`one-${Math.random().toString(36).slice(2)}`);
  writePng(join(dir, 'x.png'), w, h, pixels);
  return readImageFolder(dir, options);
}

describe('image folders', () => {
  beforeEach(() => { tmp = mkdtempSync(join(tmpdir(), 'genlab-images-')); });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('labels images by their sorted class folders and reads PNG (grey, palette, RGBA, 16-bit) and JPEG', () => {
    const set = readImageFolder(join(FIXTURES, 'good', 'shapes'), { name: 'good/shapes' });
    assert.equal(set.name, 'good/shapes');
    assert.deepEqual([set.count, set.height, set.width, set.channels], [6, 8, 8, 1]);
    assert.deepEqual(set.classNames, ['circle', 'square']);
    assert.deepEqual([...set.labels], [0, 0, 0, 1, 1, 1]);
    const [grey, palette, jpeg, square, rgba, sixteen] = [0, 1, 2, 3, 4, 5].map((i) => image(set, i));
    assert.equal(grey[3 * 8 + 3], 255);
    assert.equal(grey[0], 0);
    // Palette: blue top row (luma 0.114·255 = 29.07), red disc (0.299·255 = 76.245), black elsewhere.
    assert.deepEqual(palette.slice(0, 8), [29, 29, 29, 29, 29, 29, 29, 29]);
    assert.equal(palette[3 * 8 + 3], 76);
    assert.equal(palette[1 * 8 + 0], 0);
    // JPEG is lossy: the grey-128 disc and the black corner within a few levels.
    assert.ok(Math.abs(jpeg[3 * 8 + 3] - 128) <= 3, `JPEG centre ${jpeg[3 * 8 + 3]}`);
    assert.ok(jpeg[0] <= 3, `JPEG corner ${jpeg[0]}`);
    // RGBA on black: half-transparent white → 128; opaque (200,100,50) → 124.2; transparent white → 0.
    assert.deepEqual([rgba[0], rgba[8], rgba[16], rgba[3 * 8 + 3], rgba[3 * 8 + 0]], [128, 124, 0, 255, 0]);
    assert.deepEqual(sixteen, square, '16-bit v·257 reads back as 8-bit v');
  });

  it('makes images straight in the folder one class named after it, ignoring dot-files and Thumbs.db', () => {
    const dir = folder('my photos');
    writePng(join(dir, 'b.png'), 1, 1, [20]);
    writePng(join(dir, 'a10.png'), 1, 1, [10]);
    writePng(join(dir, 'a2.png'), 1, 1, [2]);
    writeFileSync(join(dir, '.DS_Store'), 'junk');
    writeFileSync(join(dir, 'Thumbs.db'), 'junk');
    const set = readImageFolder(dir);
    assert.deepEqual(set.classNames, ['my photos']);
    assert.deepEqual([...set.pixels], [10, 2, 20], 'ordered by name in code-unit order: a10 < a2 < b');
    assert.deepEqual([...set.labels], [0, 0, 0]);
  });

  it('ignores non-image side files beside class folders but not in them', () => {
    const dir = folder('d');
    writePng(join(folder('d', 'cats'), 'c.png'), 1, 1, [1]);
    writeFileSync(join(dir, 'README.md'), '# my cats\n');
    assert.equal(readImageFolder(dir).count, 1);
    writeFileSync(join(dir, 'cats', 'README.md'), '# my cats\n');
    assert.throws(() => readImageFolder(dir, { name: 'd' }), { message: 'd/cats/README.md: not a PNG or JPEG image' });
  });

  it('converts colour to BT.601 luma, or keeps RGB channels last', () => {
    const dir = folder('rgb');
    writePng(join(dir, 'x.png'), 2, 1, [200, 100, 50, 0, 0, 255], 3);
    assert.deepEqual(image(readImageFolder(dir), 0), [124, 29]); // 0.299·200 + 0.587·100 + 0.114·50 = 124.2; 0.114·255 = 29.07
    const rgb = readImageFolder(dir, { color: 'rgb' });
    assert.equal(rgb.channels, 3);
    assert.deepEqual(image(rgb, 0), [200, 100, 50, 0, 0, 255]);
  });

  it('composites alpha on black', () => {
    const dir = folder('alpha');
    const png = new PNG({ width: 2, height: 1 });
    png.data.set([255, 255, 255, 64, 100, 200, 0, 255]);
    writeFileSync(join(dir, 'x.png'), PNG.sync.write(png, { colorType: 6 }));
    assert.deepEqual(image(readImageFolder(dir, { color: 'rgb' }), 0), [64, 64, 64, 100, 200, 0]);
  });

  it('shrinks by area averaging', () => {
    assert.deepEqual(image(readOne(2, 2, [0, 100, 200, 50], { size: 1 }), 0), [88]); // mean 87.5
    const four = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150];
    assert.deepEqual(image(readOne(4, 4, four, { size: 2 }), 0), [25, 45, 105, 125]);
    // 3 → 2 columns: each output covers 1.5 source pixels, (0 + 90/2)/1.5 = 30 and (90/2 + 180)/1.5 = 150.
    assert.deepEqual(image(readOne(1, 3, [0, 90, 180], { size: [1, 2] }), 0), [30, 150]);
  });

  it('enlarges bilinearly between pixel centres, clamping at the edges', () => {
    assert.deepEqual(image(readOne(1, 2, [0, 100], { size: [1, 4] }), 0), [0, 25, 75, 100]);
    const big = image(readOne(2, 2, [0, 100, 100, 200], { size: 4 }), 0);
    assert.deepEqual(big.slice(0, 4), [0, 25, 75, 100]);
    assert.equal(big[1 * 4 + 1], 50); // (0.75·0.75)·0 + 2·(0.75·0.25)·100 + (0.25·0.25)·200 = 50
    assert.equal(big[3 * 4 + 3], 200);
  });

  it('crops the largest centred window with the target aspect ratio before resizing', () => {
    const wide = [10, 20, 30, 40, 50, 60, 70, 80]; // 2×4
    assert.deepEqual(image(readOne(2, 4, wide, { size: 2, fit: 'crop' }), 0), [20, 30, 60, 70]);
    assert.deepEqual(image(readOne(2, 4, wide, { size: 2, fit: 'resize' }), 0), [15, 35, 55, 75]);
    // 3×1 (tall) to 1×1: the centred 1×1 window is the middle pixel.
    assert.deepEqual(image(readOne(3, 1, [0, 77, 255], { size: 1, fit: 'crop' }), 0), [77]);
    // 2×4 to [1, 1] by crop then [2, 1] by crop: window 2×1 at column 1 (offset rounded down).
    assert.deepEqual(image(readOne(2, 4, wide, { size: [2, 1], fit: 'crop' }), 0), [20, 60]);
  });

  it('resizes mixed sizes to "size", and probe agrees with read on the shape', () => {
    const dir = folder('mixed');
    writePng(join(folder('mixed', 'a'), '1.png'), 3, 2, [1, 2, 3, 4, 5, 6]);
    writePng(join(folder('mixed', 'b'), '2.png'), 2, 5, new Array(10).fill(9), 1);
    for (const options of [{ size: 4 }, { size: [3, 5] as [number, number], color: 'rgb' as const, fit: 'crop' as const }]) {
      const set = readImageFolder(dir, options);
      const probe = probeImageFolder(dir, options);
      assert.deepEqual(
        { count: probe.count, classes: probe.classes, classNames: probe.classNames, height: probe.height, width: probe.width, channels: probe.channels },
        { count: set.count, classes: 2, classNames: set.classNames, height: set.height, width: set.width, channels: set.channels },
      );
      assert.equal(probe.bytes, set.pixels.length);
    }
    const fixtures = join(FIXTURES, 'good', 'shapes');
    const probe = probeImageFolder(fixtures, { color: 'rgb' });
    const set = readImageFolder(fixtures, { color: 'rgb' });
    assert.deepEqual([probe.count, probe.height, probe.width, probe.channels, probe.bytes], [6, 8, 8, 3, set.pixels.length]);
  });

  it('reports progress once per image', () => {
    const calls: [number, number][] = [];
    readImageFolder(join(FIXTURES, 'good', 'shapes'), { onProgress: (done, total) => calls.push([done, total]) });
    assert.deepEqual(calls, [1, 2, 3, 4, 5, 6].map((d) => [d, 6]));
  });

  it('throws one-line errors naming the folder or file', () => {
    const empty = folder('empty');
    assert.throws(() => readImageFolder(empty, { name: 'empty' }), /^Error: empty: no images \(expected PNG or JPEG files/);
    assert.throws(() => probeImageFolder(empty, { name: 'empty' }), /^Error: empty: no images/);
    assert.throws(() => readImageFolder(join(tmp, 'nope'), { name: 'nope' }), { message: 'nope: no such folder' });
    const classes = folder('classes');
    writePng(join(folder('classes', 'a'), 'x.png'), 1, 1, [1]);
    folder('classes', 'b');
    writeFileSync(join(classes, 'b', '.hidden'), '');
    assert.throws(() => readImageFolder(classes, { name: 'classes' }), { message: 'classes/b: a class folder with no images' });
    rmSync(join(classes, 'b'), { recursive: true });
    folder('classes', 'a', 'deeper');
    assert.throws(() => readImageFolder(classes, { name: 'classes' }), /^Error: classes\/a\/deeper: a folder inside a class folder/);
    const many = folder('many');
    for (let i = 0; i < 257; i++) folder('many', `c${i}`);
    assert.throws(() => probeImageFolder(many, { name: 'many' }), { message: 'many: 257 class folders, but at most 256 classes are supported' });
    assert.throws(() => readOne(1, 1, [0], { size: 0 }), /"size" must be a positive whole number or \[height, width\], not 0/);
  });

  it('names both files and suggests "size" when sizes differ (read and probe alike)', () => {
    const dir = folder('photos');
    writePng(join(dir, 'a.png'), 4, 4, new Array(16).fill(0));
    writePng(join(dir, 'b.png'), 3, 2, new Array(6).fill(0));
    const message = 'photos/a.png is 4×4 but photos/b.png is 3×2 (width×height): give "data": { "size": 2 } (or [height, width]) to resize them';
    assert.throws(() => readImageFolder(dir, { name: 'photos/' }), { message });
    assert.throws(() => probeImageFolder(dir, { name: 'photos' }), { message });
  });

  it('shuffles deterministically, keeping every image with its label, and spreads classes into the held-out tail', () => {
    const count = 100, per = 2;
    const labels = Uint8Array.from({ length: count }, (_, i) => (i < 90 ? 0 : 1));
    const pixels = Uint8Array.from({ length: count * per }, (_, j) => Math.floor(j / per) + (j % per) * 100);
    const set: ImageSet = { kind: 'images', name: 's', count, height: 1, width: per, channels: 1, pixels, labels };
    const a = shuffleImageSet(set, 7), b = shuffleImageSet(set, 7), c = shuffleImageSet(set, 8);
    assert.deepEqual(a.pixels, b.pixels);
    assert.notDeepEqual(a.pixels, c.pixels);
    assert.notDeepEqual(a.pixels, set.pixels);
    assert.deepEqual(set.pixels.slice(0, 2), Uint8Array.of(0, 100), 'the input is not changed');
    const seen = new Set<number>();
    for (let i = 0; i < count; i++) {
      const original = a.pixels[i * per];
      assert.equal(a.pixels[i * per + 1], original + 100, 'pixels of one image stay together');
      assert.equal(a.labels[i], original < 90 ? 0 : 1, 'labels move with their images');
      seen.add(original);
    }
    assert.equal(seen.size, count);
    for (let seed = 1; seed <= 30; seed++) {
      const { heldout } = splitData(shuffleImageSet(set, seed), 0.1);
      assert.ok(heldout.labels.includes(1) && heldout.labels.includes(0), `seed ${seed}: held-out labels ${[...heldout.labels]}`);
    }
  });
});
