/**
 * A small, dependency-free PNG codec (8-bit grayscale or RGB, zlib from Node) and the layout
 * of an images view as one grid picture, so that the CLI can write what the panel shows.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import type { ImagesView } from '../core/views';

/** Raw 8-bit pixels, row-major, `channels` bytes per pixel. */
export interface RawImage {
  width: number;
  height: number;
  channels: 1 | 3;
  pixels: Uint8Array;
}

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** The CRC-32 (ISO 3309, as PNG uses it) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encodes raw pixels as a PNG file (no filtering, zlib level 9). */
export function encodePng(image: RawImage): Buffer {
  const { width, height, channels, pixels } = image;
  if (!(width > 0 && height > 0) || pixels.length !== width * height * channels) {
    throw new Error(`encodePng: ${pixels.length} bytes do not make a ${width}×${height}×${channels} image`);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = channels === 1 ? 0 : 2; // colour type: grayscale or RGB
  const stride = width * channels;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', new Uint8Array(0))]);
}

/** Decodes an 8-bit grayscale or RGB, non-interlaced PNG, verifying every chunk's CRC. */
export function decodePng(file: Uint8Array): RawImage {
  const buf = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (!buf.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG file');
  let width = 0, height = 0, channels: 1 | 3 = 1;
  const idat: Buffer[] = [];
  for (let at = 8; at < buf.length;) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + length);
    if (crc32(buf.subarray(at + 4, at + 8 + length)) !== buf.readUInt32BE(at + 8 + length)) throw new Error(`bad CRC in ${type} chunk`);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || (data[9] !== 0 && data[9] !== 2) || data[12] !== 0) throw new Error('only 8-bit, non-interlaced grayscale or RGB PNGs are supported');
      channels = data[9] === 0 ? 1 : 3;
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? pixels[y * stride + x - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
      pixels[y * stride + x] = (v + unfilter(filter, a, b, c)) & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

function unfilter(filter: number, a: number, b: number, c: number): number {
  switch (filter) {
    case 0: return 0;
    case 1: return a;
    case 2: return b;
    case 3: return (a + b) >> 1;
    case 4: {
      const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
    default: throw new Error(`unknown PNG filter ${filter}`);
  }
}

/** How to lay out a grid. */
export interface GridOptions {
  /** Pixels between tiles (default 1). */
  gap?: number;
  /** Grey level of the gaps, 0–255 (default 128). */
  gapValue?: number;
  /** Integer upscaling of every tile (default 1). */
  scale?: number;
}

/**
 * Lays out an images view (values in [0, 1], HWC per image, grey or RGB) as one grid, `cols` tiles
 * wide, with as many channels as the view; throws when the pixels do not make count images.
 */
export function gridImage(view: ImagesView, options: GridOptions = {}): RawImage {
  const gap = options.gap ?? 1, scale = Math.max(1, Math.floor(options.scale ?? 1)), gapValue = options.gapValue ?? 128;
  const { count, height: h, width: w, channels } = view;
  if (channels !== 1 && channels !== 3) throw new Error(`view ${view.id}: images have 1 or 3 channels, not ${String(channels)}`);
  if (view.pixels.length !== count * h * w * channels) {
    throw new Error(`view ${view.id}: ${view.pixels.length} values do not make ${count} images of ${h}×${w}×${channels}`);
  }
  const cols = Math.max(1, Math.min(view.cols, count));
  const rows = Math.max(1, Math.ceil(count / cols));
  const tw = w * scale, th = h * scale;
  const width = cols * tw + (cols - 1) * gap, height = rows * th + (rows - 1) * gap;
  const pixels = new Uint8Array(width * height * channels).fill(gapValue);
  const per = h * w * channels;
  for (let i = 0; i < count; i++) {
    const x0 = (i % cols) * (tw + gap), y0 = Math.floor(i / cols) * (th + gap);
    for (let y = 0; y < th; y++) {
      for (let x = 0; x < tw; x++) {
        for (let c = 0; c < channels; c++) {
          const v = view.pixels[i * per + (Math.floor(y / scale) * w + Math.floor(x / scale)) * channels + c];
          pixels[((y0 + y) * width + x0 + x) * channels + c] = Math.round(Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * 255);
        }
      }
    }
  }
  return { width, height, channels, pixels };
}

/** An images view as a grid PNG file. */
export function gridPng(view: ImagesView, options: GridOptions = {}): Buffer {
  return encodePng(gridImage(view, options));
}
