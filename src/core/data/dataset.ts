/** In-memory data sets (images, or points such as the 2-D toy sets) and their train/held-out split. */
import { parseIdx } from './idx';
import type { DataShape } from '../family';

/** Images as uint8 pixels (count×height×width×channels, row-major, channels last) with one uint8 label each. */
export interface ImageSet {
  kind?: 'images';
  name: string;
  count: number;
  height: number;
  width: number;
  /** 1 (grey, the default when absent) or 3 (RGB). */
  channels?: 1 | 3;
  pixels: Uint8Array;
  labels: Uint8Array;
  /** Class names by label, e.g. the subfolder names of an image folder. */
  classNames?: string[];
}

/** Real-valued vectors (count×dims, row-major) with one uint8 label each, e.g. the mode a toy point came from. */
export interface PointSet {
  kind: 'points';
  name: string;
  count: number;
  dims: number;
  points: Float32Array;
  labels: Uint8Array;
  /** How many label values there are. */
  classes: number;
}

/**
 * Text as a sequence of Unicode code points (not UTF-16 units, so "高校生活" is 4 characters and
 * an emoji is 1), each mapped to its index in `vocab`; `count` is the number of characters.
 */
export interface TextSet {
  kind: 'text';
  name: string;
  count: number;
  tokens: Int32Array;
  /** The characters, sorted by code point; tokens index into this. */
  vocab: string[];
  /** Unused for text (always 0 per character), so that every set has labels. */
  labels: Uint8Array;
}

/** Any data set GenLab trains on. */
export type DataSet = ImageSet | PointSet | TextSet;

/** Whether a data path names a UTF-8 text file, by its extension (.txt, .md, .text). */
export function isTextPath(path: unknown): path is string {
  return typeof path === 'string' && /\.(txt|md|text)$/i.test(path);
}

/** Whether `set` holds text. */
export function isTextSet(set: DataSet): set is TextSet {
  return set.kind === 'text';
}

/** Reads `text` into a TextSet: its distinct code points, sorted, as the vocabulary. */
export function textSetFromString(name: string, text: string): TextSet {
  const chars = Array.from(text);
  const vocab = [...new Set(chars)].sort((a, b) => (a.codePointAt(0) as number) - (b.codePointAt(0) as number));
  const index = new Map(vocab.map((c, i) => [c, i]));
  const tokens = Int32Array.from(chars, (c) => index.get(c) as number);
  return { kind: 'text', name, count: tokens.length, tokens, vocab, labels: new Uint8Array(tokens.length) };
}

/** Characters of `set` from token `start` to `end`, as a string. */
export function textOf(set: TextSet, start = 0, end = set.count): string {
  let out = '';
  for (let i = start; i < end; i++) out += set.vocab[set.tokens[i]];
  return out;
}

/** Whether `set` holds points rather than images. */
export function isPointSet(set: DataSet): set is PointSet {
  return set.kind === 'points';
}

/** Builds an ImageSet from an IDX images file and an IDX labels file (both decompressed). */
export function imageSetFromIdx(name: string, images: Uint8Array, labels: Uint8Array): ImageSet {
  const img = parseIdx(images, `${name} images`);
  const lab = parseIdx(labels, `${name} labels`);
  if (img.shape.length !== 3) throw new Error(`${name} images: expected 3 dimensions (count, rows, cols), got ${img.shape.length}`);
  if (lab.shape.length !== 1) throw new Error(`${name} labels: expected 1 dimension, got ${lab.shape.length}`);
  if (lab.shape[0] !== img.shape[0]) {
    throw new Error(`${name}: ${img.shape[0]} images but ${lab.shape[0]} labels`);
  }
  const [count, height, width] = img.shape;
  return { name, count, height, width, pixels: img.data, labels: lab.data };
}

/** Examples `start` (inclusive) to `end` (exclusive) of a set: no copy, views of the same bytes. */
export function sliceData<T extends DataSet>(set: T, start: number, end = set.count): T {
  const labels = set.labels.subarray(start, end);
  if (isTextSet(set)) return { ...set, count: end - start, tokens: set.tokens.subarray(start, end), labels };
  if (isPointSet(set)) return { ...set, count: end - start, points: set.points.subarray(start * set.dims, end * set.dims), labels };
  const px = set.height * set.width * channelsOf(set);
  return { ...set, count: end - start, pixels: set.pixels.subarray(start * px, end * px), labels };
}

/** Splits a set into training and held-out parts; the last `heldoutFraction` is held out. */
export function splitData<T extends DataSet>(set: T, heldoutFraction: number): { train: T; heldout: T } {
  const heldoutCount = Math.max(1, Math.round(set.count * heldoutFraction));
  const cut = set.count - heldoutCount;
  return { train: sliceData(set, 0, cut), heldout: sliceData(set, cut) };
}

/** Channels per pixel of an image set: 3 for RGB, else 1 (grey, also when `channels` is absent). */
export function channelsOf(set: ImageSet): 1 | 3 {
  return set.channels === 3 ? 3 : 1;
}

/**
 * The shape of a loaded data set. Images keep their channels; their classes are the class names
 * when the set has them (an image folder's subfolders), else the largest label + 1, at least 10
 * (MNIST-like sets, whose held-out part may lack the top digits).
 */
export function shapeOfData(set: DataSet): DataShape {
  if (isTextSet(set)) return { height: 1, width: 1, channels: 1, classes: set.vocab.length, kind: 'text' };
  if (isPointSet(set)) return { height: 1, width: set.dims, channels: 1, classes: set.classes, kind: 'points' };
  const channels = channelsOf(set);
  if (set.classNames) return { height: set.height, width: set.width, channels, classes: Math.max(1, set.classNames.length) };
  let max = 0;
  for (const l of set.labels) max = Math.max(max, l);
  return { height: set.height, width: set.width, channels, classes: Math.max(10, max + 1) };
}
