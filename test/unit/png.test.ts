import { strict as assert } from 'node:assert';
import * as zlib from 'node:zlib';
import type { ImagesView } from '../../src/core/views';
import { crc32, decodePng, encodePng, gridImage, gridPng } from '../../src/node/png';

/** Walks the chunks of a PNG by hand (independently of decodePng). */
function chunks(png: Buffer): { type: string; data: Buffer; crc: number; crcOver: Buffer }[] {
  const out = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    out.push({ type: png.toString('latin1', at + 4, at + 8), data: png.subarray(at + 8, at + 8 + length), crc: png.readUInt32BE(at + 8 + length), crcOver: png.subarray(at + 4, at + 8 + length) });
    at += 12 + length;
  }
  return out;
}

function view(count: number, cols: number, side: number, fill: (i: number, k: number) => number, channels: 1 | 3 = 1): ImagesView {
  const per = side * side * channels;
  const pixels = new Float32Array(count * per).map((_, j) => fill(Math.floor(j / per), j % per));
  return { kind: 'images', id: 't', title: 't', pixels, count, height: side, width: side, channels, cols };
}

describe('PNG', () => {
  it('computes the CRC-32 PNG uses (check values)', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
    assert.equal(crc32(Buffer.from('IEND')), 0xae426082);
    const random = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7919) % 251));
    const reference = (zlib as unknown as { crc32?: (b: Uint8Array) => number }).crc32;
    if (reference) assert.equal(crc32(random), reference(random));
  });

  it('writes a valid signature, IHDR, IDAT and IEND with correct CRCs', () => {
    const png = encodePng({ width: 3, height: 2, channels: 1, pixels: Uint8Array.of(0, 50, 100, 150, 200, 250) });
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const cs = chunks(png);
    assert.deepEqual(cs.map((c) => c.type), ['IHDR', 'IDAT', 'IEND']);
    for (const c of cs) assert.equal(c.crc, crc32(c.crcOver), `CRC of ${c.type}`);
    const ihdr = cs[0].data;
    assert.equal(ihdr.length, 13);
    assert.equal(ihdr.readUInt32BE(0), 3);
    assert.equal(ihdr.readUInt32BE(4), 2);
    assert.deepEqual([...ihdr.subarray(8)], [8, 0, 0, 0, 0]); // 8-bit grayscale, deflate, no filter method, no interlace
    const raw = zlib.inflateSync(cs[1].data);
    assert.deepEqual([...raw], [0, 0, 50, 100, 0, 150, 200, 250]); // filter byte 0 before each row
  });

  it('round-trips grayscale and RGB images through decodePng', () => {
    const rgb = new Uint8Array(4 * 5 * 3).map((_, i) => (i * 37) % 256);
    assert.deepEqual(decodePng(encodePng({ width: 4, height: 5, channels: 3, pixels: rgb })), { width: 4, height: 5, channels: 3, pixels: rgb });
    const png = encodePng({ width: 2, height: 2, channels: 1, pixels: Uint8Array.of(1, 2, 3, 4) });
    assert.equal(chunks(png)[0].data[9], 0);
    const corrupt = Buffer.from(png);
    corrupt[20] ^= 0xff; // inside IHDR
    assert.throws(() => decodePng(corrupt), /CRC/);
  });

  it('refuses pixels that do not match the stated size', () => {
    assert.throws(() => encodePng({ width: 3, height: 3, channels: 1, pixels: new Uint8Array(8) }), /3×3×1/);
  });

  it('lays out an images view as a grid with 1-pixel gaps', () => {
    const v = view(3, 2, 2, (i, k) => (i + 1) * 0.25 + k * 0.01); // 3 tiles of 2×2 in 2 columns
    const img = gridImage(v, { gapValue: 7 });
    assert.deepEqual([img.width, img.height, img.channels], [5, 5, 1]);
    const at = (x: number, y: number) => img.pixels[y * img.width + x];
    assert.equal(at(0, 0), Math.round(0.25 * 255));
    assert.equal(at(1, 1), Math.round(0.28 * 255));
    assert.equal(at(3, 0), Math.round(0.5 * 255)); // tile 1 starts after the gap column
    assert.equal(at(0, 3), Math.round(0.75 * 255)); // tile 2 on the second row
    assert.equal(at(2, 0), 7); // the gap
    assert.equal(at(3, 3), 7); // no fourth tile: filled like the gaps
    const scaled = gridImage(v, { scale: 3 });
    assert.deepEqual([scaled.width, scaled.height], [13, 13]);
  });

  it('clamps values outside [0, 1] and NaN', () => {
    const img = gridImage(view(1, 1, 2, (_, k) => [-1, 2, NaN, 0.5][k]));
    assert.deepEqual([...img.pixels], [0, 255, 0, 128]);
  });

  it('a non-blank grid PNG has non-constant pixel data (inflated from IDAT), with the right dimensions', () => {
    const side = 28, count = 10, cols = 5;
    const digitish = view(count, cols, side, (i, k) => {
      const [y, x] = [Math.floor(k / side), k % side];
      return Math.hypot(y - 14, x - 14) < 4 + i ? 1 : 0; // discs of growing radius
    });
    const png = gridPng(digitish);
    const cs = chunks(png);
    const ihdr = cs[0].data;
    const [w, h] = [ihdr.readUInt32BE(0), ihdr.readUInt32BE(4)];
    assert.deepEqual([w, h], [cols * side + cols - 1, 2 * side + 1]);
    for (const c of cs) assert.equal(c.crc, crc32(c.crcOver));
    const raw = zlib.inflateSync(Buffer.concat(cs.filter((c) => c.type === 'IDAT').map((c) => c.data)));
    assert.equal(raw.length, (w + 1) * h);
    const px = [...raw].filter((_, i) => i % (w + 1) !== 0);
    const mean = px.reduce((a, b) => a + b, 0) / px.length;
    const variance = px.reduce((a, b) => a + (b - mean) ** 2, 0) / px.length;
    assert.ok(variance > 1000, `pixel variance ${variance}`);
    assert.ok(px.includes(0) && px.includes(255));
  });

  it('lays out RGB views channel by channel, gaps grey in every channel, upscaled per pixel', () => {
    // Tile i, pixel p (of 2×2), channel c: distinct values, so a mixed-up channel or pixel shows.
    const value = (i: number, p: number, c: number) => (i * 12 + p * 3 + c + 1) / 32;
    const v = view(2, 2, 2, (i, k) => value(i, Math.floor(k / 3), k % 3), 3);
    const img = gridImage(v, { gapValue: 9 });
    assert.deepEqual([img.width, img.height, img.channels], [5, 2, 3]);
    assert.equal(img.pixels.length, 5 * 2 * 3);
    const at = (x: number, y: number) => [...img.pixels.subarray((y * img.width + x) * 3, (y * img.width + x + 1) * 3)];
    const expect = (i: number, p: number) => [0, 1, 2].map((c) => Math.round(value(i, p, c) * 255));
    assert.deepEqual(at(0, 0), expect(0, 0));
    assert.deepEqual(at(1, 0), expect(0, 1));
    assert.deepEqual(at(0, 1), expect(0, 2));
    assert.deepEqual(at(1, 1), expect(0, 3));
    assert.deepEqual(at(2, 0), [9, 9, 9]); // the gap column
    assert.deepEqual(at(3, 0), expect(1, 0)); // tile 1 after the gap
    assert.deepEqual(at(4, 1), expect(1, 3));
    const scaled = gridImage(v, { scale: 2, gap: 0 });
    assert.deepEqual([scaled.width, scaled.height, scaled.channels], [8, 4, 3]);
    const sAt = (x: number, y: number) => [...scaled.pixels.subarray((y * 8 + x) * 3, (y * 8 + x + 1) * 3)];
    assert.deepEqual(sAt(1, 1), expect(0, 0));
    assert.deepEqual(sAt(2, 1), expect(0, 1));
    assert.deepEqual(sAt(7, 3), expect(1, 3));
  });

  it('refuses a view whose pixels do not make count images of its channels', () => {
    const rgb = view(2, 2, 2, () => 0.5, 3);
    assert.throws(() => gridImage({ ...rgb, channels: 1 }), /view t: 24 values do not make 2 images of 2×2×1/);
    assert.throws(() => gridImage({ ...rgb, pixels: rgb.pixels.subarray(1) }), /23 values/);
  });

  it('writes RGB views as colour PNGs', () => {
    const png = gridPng(view(2, 2, 3, (i, k) => (k % 3 === i ? 1 : 0), 3));
    const decoded = decodePng(png);
    assert.equal(decoded.channels, 3);
    assert.deepEqual([decoded.width, decoded.height], [7, 3]);
    assert.deepEqual([...decoded.pixels.subarray(0, 3)], [255, 0, 0]);
  });
});
