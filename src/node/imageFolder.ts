/**
 * A folder of the user's own images as an ImageSet, laid out as torchvision's ImageFolder
 * (https://pytorch.org/vision/stable/generated/torchvision.datasets.ImageFolder.html): one
 * subfolder per class, labels by the sorted subfolder names; or images straight in the folder as
 * one class. PNG is decoded with pngjs, JPEG with jpeg-js; resizing and cropping are done here.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import type { ImageSet } from '../core/data/dataset';
import { Rng } from '../core/rng';
import { centreCrop, resize } from '../core/data/resample';

/** How to read an image folder: the target size and fit, the colour, and the name used in messages. */
export interface ImageFolderOptions {
  /** Resize every image to this size: a number for a square, or [height, width]. Without it all images must have one size. */
  size?: number | [number, number];
  /** 'resize' (default) stretches to the size; 'crop' first cuts the largest centred part with the size's aspect ratio. */
  fit?: 'resize' | 'crop';
  /** 'grayscale' (default; ITU-R BT.601 luma 0.299R + 0.587G + 0.114B) or 'rgb'. */
  color?: 'grayscale' | 'rgb';
  /** The folder as the user wrote it, for messages and the set's name (default: `dir`). */
  name?: string;
  /** Called after each image is decoded. */
  onProgress?: (done: number, total: number) => void;
}

/** What reading a folder would give, from its listing and image headers only. */
export interface ImageFolderProbe {
  count: number;
  classes: number;
  classNames: string[];
  height: number;
  width: number;
  channels: 1 | 3;
  /** count × height × width × channels: the uint8 pixels the set will take on the host. */
  bytes: number;
}

type ImageKind = 'png' | 'jpeg';
interface ListedFile { path: string; shown: string; kind: ImageKind; label: number }
interface Listing { classNames: string[]; files: ListedFile[] }
interface Sized { shown: string; width: number; height: number }

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const SYSTEM_FILES = /^(thumbs\.db|desktop\.ini)$/i;
const IMAGE_EXTENSION = /\.(png|jpe?g)$/i;
/** Labels are uint8. */
const MAX_CLASSES = 256;

/** Reads every image of `dir` (sorted by class, then file name) into one uint8 ImageSet, channels last. */
export function readImageFolder(dir: string, options: ImageFolderOptions = {}): ImageSet {
  const shownDir = displayName(dir, options.name);
  const { classNames, files } = listImageFolder(dir, shownDir);
  const target = targetSize(options.size, shownDir);
  const channels = options.color === 'rgb' ? 3 : 1;
  let first: Sized | undefined;
  let pixels: Uint8Array | undefined;
  let height = 0, width = 0;
  const labels = new Uint8Array(files.length);
  files.forEach((file, i) => {
    const decoded = decodeImage(file);
    if (!first) first = { shown: file.shown, width: decoded.width, height: decoded.height };
    else if (!target && (decoded.width !== first.width || decoded.height !== first.height)) {
      throw sizeMismatch(first, { shown: file.shown, width: decoded.width, height: decoded.height });
    }
    let image = toChannels(decoded.rgba, decoded.width * decoded.height, channels);
    let h = decoded.height, w = decoded.width;
    if (target) {
      if (options.fit === 'crop') ({ image, h, w } = centreCrop(image, h, w, channels, target));
      image = resize(image, h, w, channels, target[0], target[1]);
      [h, w] = target;
    }
    if (!pixels) { height = h; width = w; pixels = new Uint8Array(files.length * h * w * channels); }
    const at = i * h * w * channels;
    for (let k = 0; k < image.length; k++) pixels[at + k] = Math.min(255, Math.max(0, Math.round(image[k])));
    labels[i] = file.label;
    options.onProgress?.(i + 1, files.length);
  });
  return { kind: 'images', name: shownDir, count: files.length, height, width, channels, pixels: pixels as Uint8Array, labels, classNames };
}

/** The shape readImageFolder would give, reading only the listing and each image's header (PNG IHDR, JPEG SOFn); throws the same listing and size errors. */
export function probeImageFolder(dir: string, options: ImageFolderOptions = {}): ImageFolderProbe {
  const shownDir = displayName(dir, options.name);
  const { classNames, files } = listImageFolder(dir, shownDir);
  const channels = options.color === 'rgb' ? 3 : 1;
  let size = targetSize(options.size, shownDir);
  if (!size) {
    let first: Sized | undefined;
    for (const file of files) {
      const sized = { shown: file.shown, ...headerSize(file) };
      if (!first) first = sized;
      else if (sized.width !== first.width || sized.height !== first.height) throw sizeMismatch(first, sized);
    }
    size = [(first as Sized).height, (first as Sized).width];
  }
  const [height, width] = size;
  const count = files.length;
  return { count, classes: classNames.length, classNames, height, width, channels, bytes: count * height * width * channels };
}

/**
 * A copy of `set` in a seeded random order that spreads every class evenly (each class shuffled,
 * then interleaved by rank, with jitter), so that the held-out tail splitData cuts holds its share
 * of every class.
 */
export function shuffleImageSet(set: ImageSet, seed: number): ImageSet {
  const rng = new Rng(seed);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < set.count; i++) {
    const members = byClass.get(set.labels[i]) ?? [];
    members.push(i);
    byClass.set(set.labels[i], members);
  }
  const keyed: { index: number; key: number }[] = [];
  for (const members of byClass.values()) {
    const order = rng.permutation(members.length);
    order.forEach((m, rank) => keyed.push({ index: members[m], key: (rank + rng.next()) / members.length }));
  }
  keyed.sort((a, b) => a.key - b.key || a.index - b.index);
  const per = set.height * set.width * (set.channels ?? 1);
  const pixels = new Uint8Array(set.pixels.length);
  const labels = new Uint8Array(set.count);
  keyed.forEach(({ index }, i) => {
    pixels.set(set.pixels.subarray(index * per, (index + 1) * per), i * per);
    labels[i] = set.labels[index];
  });
  return { ...set, pixels, labels };
}

function displayName(dir: string, name: string | undefined): string {
  const shown = name ?? dir;
  return shown.length > 1 ? shown.replace(/[\\/]+$/, '') : shown;
}

/**
 * The classes and image files of `dir`. Dot-files, Thumbs.db and desktop.ini are ignored. Beside class folders, an image
 * file is an error (it would be dropped) and other files (README.md, …) are ignored; inside a
 * class folder every file must be a PNG or JPEG by its magic bytes, and subfolders are errors.
 */
function listImageFolder(dir: string, shownDir: string): Listing {
  if (!existsSync(dir)) throw new Error(`${shownDir}: no such folder`);
  if (!statSync(dir).isDirectory()) throw new Error(`${shownDir}: not a folder`);
  const entries = visibleEntries(dir);
  const folders = entries.filter((e) => statSync(join(dir, e)).isDirectory());
  const noImages = `${shownDir}: no images (expected PNG or JPEG files, or one subfolder of them per class)`;
  if (folders.length === 0) {
    if (entries.length === 0) throw new Error(noImages);
    return { classNames: [basename(resolve(dir))], files: entries.map((e) => listedFile(join(dir, e), `${shownDir}/${e}`, 0)) };
  }
  for (const e of entries) {
    if (folders.includes(e)) continue;
    if (IMAGE_EXTENSION.test(e) || sniffKind(join(dir, e))) {
      throw new Error(`${shownDir}/${e}: an image beside the class folders (${folders.slice(0, 3).join(', ')}${folders.length > 3 ? ', …' : ''}); move it into one of them`);
    }
  }
  if (folders.length > MAX_CLASSES) throw new Error(`${shownDir}: ${folders.length} class folders, but at most ${MAX_CLASSES} classes are supported`);
  const files = folders.flatMap((folder, label) => {
    const names = visibleEntries(join(dir, folder));
    if (names.length === 0) throw new Error(`${shownDir}/${folder}: a class folder with no images`);
    return names.map((n) => {
      if (statSync(join(dir, folder, n)).isDirectory()) {
        throw new Error(`${shownDir}/${folder}/${n}: a folder inside a class folder; put the images directly in ${shownDir}/${folder}`);
      }
      return listedFile(join(dir, folder, n), `${shownDir}/${folder}/${n}`, label);
    });
  });
  return { classNames: folders, files };
}

/** The names in `dir` except dot-files and Windows' Thumbs.db and desktop.ini, in code-unit order (as Python's sorted()). */
function visibleEntries(dir: string): string[] {
  return readdirSync(dir).filter((n) => !n.startsWith('.') && !SYSTEM_FILES.test(n)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function listedFile(path: string, shown: string, label: number): ListedFile {
  const kind = sniffKind(path);
  if (!kind) throw new Error(`${shown}: not a PNG or JPEG image`);
  return { path, shown, kind, label };
}

/** 'png' or 'jpeg' by the file's magic bytes (PNG signature, ISO/IEC 15948 §5.2; JPEG SOI marker FF D8 FF). */
function sniffKind(path: string): ImageKind | undefined {
  const head = readHead(path, 0, 8);
  if (head.length === 8 && PNG_SIGNATURE.every((b, i) => head[i] === b)) return 'png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  return undefined;
}

function readHead(path: string, position: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    return buf.subarray(0, readSync(fd, buf, 0, length, position));
  } finally {
    closeSync(fd);
  }
}

/** Width and height from the header: PNG IHDR (bytes 16–23), or the first JPEG SOFn segment (ITU-T T.81 B.2.2). */
function headerSize(file: ListedFile): { width: number; height: number } {
  if (file.kind === 'png') {
    const head = readHead(file.path, 0, 24);
    if (head.length < 24 || head.toString('latin1', 12, 16) !== 'IHDR') throw new Error(`${file.shown}: not a valid PNG image (no IHDR header)`);
    return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
  }
  for (let at = 2; ;) {
    const seg = readHead(file.path, at, 9);
    if (seg.length < 4 || seg[0] !== 0xff) break;
    const marker = seg[1];
    if (marker === 0xff) { at += 1; continue; } // fill byte
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) { at += 2; continue; } // TEM, RSTn, SOI: no length
    if (marker === 0xd9 || marker === 0xda) break; // EOI or SOS before any frame header
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (seg.length < 9) break;
      return { width: seg.readUInt16BE(7), height: seg.readUInt16BE(5) };
    }
    at += 2 + seg.readUInt16BE(2);
  }
  throw new Error(`${file.shown}: not a valid JPEG image (no frame header)`);
}

/** Decodes a PNG (any colour type or bit depth, via pngjs) or JPEG (via jpeg-js) to 8-bit RGBA; errors name the file. */
function decodeImage(file: ListedFile): { width: number; height: number; rgba: Uint8Array } {
  const bytes = readFileSync(file.path);
  if (file.kind === 'png') {
    try {
      const png = PNG.sync.read(bytes);
      return { width: png.width, height: png.height, rgba: png.data };
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new Error(`${file.shown}: not a valid PNG image (${/read requests/.test(why) ? 'the file is truncated' : why})`);
    }
  }
  try {
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 512 });
    return { width: img.width, height: img.height, rgba: img.data };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    const ended = bytes.includes(Buffer.of(0xff, 0xd9), Math.max(0, bytes.length - 64));
    throw new Error(`${file.shown}: not a valid JPEG image (${ended ? why : 'the file is truncated: no end-of-image marker'})`);
  }
}

/** RGBA to 1 (BT.601 luma) or 3 channels as floats, alpha composited on black (colour × alpha, as MNIST-like data has a black background). */
function toChannels(rgba: Uint8Array, pixelCount: number, channels: 1 | 3): Float32Array {
  const out = new Float32Array(pixelCount * channels);
  for (let p = 0; p < pixelCount; p++) {
    const a = rgba[p * 4 + 3] / 255, r = rgba[p * 4] * a, g = rgba[p * 4 + 1] * a, b = rgba[p * 4 + 2] * a;
    if (channels === 1) out[p] = 0.299 * r + 0.587 * g + 0.114 * b;
    else { out[p * 3] = r; out[p * 3 + 1] = g; out[p * 3 + 2] = b; }
  }
  return out;
}

function targetSize(size: ImageFolderOptions['size'], shownDir: string): [number, number] | undefined {
  if (size === undefined) return undefined;
  const hw: unknown[] = typeof size === 'number' ? [size, size] : Array.isArray(size) && size.length === 2 ? size : [];
  if (hw.length !== 2 || !hw.every((n) => Number.isInteger(n) && (n as number) > 0)) {
    throw new Error(`${shownDir}: "size" must be a positive whole number or [height, width], not ${JSON.stringify(size)}`);
  }
  return hw as [number, number];
}

function sizeMismatch(a: Sized, b: Sized): Error {
  const suggest = Math.min(a.width, a.height, b.width, b.height);
  return new Error(`${a.shown} is ${a.width}×${a.height} but ${b.shown} is ${b.width}×${b.height} (width×height): give "data": { "size": ${suggest} } (or [height, width]) to resize them`);
}
