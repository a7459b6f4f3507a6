/** In-memory image data sets and their train/held-out split. */
import { parseIdx } from './idx';
import type { DataShape } from '../family';

/** Images as uint8 pixels (count×height×width, row-major) with one uint8 label each. */
export interface ImageSet {
  name: string;
  count: number;
  height: number;
  width: number;
  pixels: Uint8Array;
  labels: Uint8Array;
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

/** The first `count` images of a set, or the rest after them: no copy, views of the same bytes. */
export function sliceImageSet(set: ImageSet, start: number, end = set.count): ImageSet {
  const px = set.height * set.width;
  return {
    ...set,
    count: end - start,
    pixels: set.pixels.subarray(start * px, end * px),
    labels: set.labels.subarray(start, end),
  };
}

/** Splits a set into training and held-out parts; the last `heldoutFraction` is held out. */
export function splitImageSet(set: ImageSet, heldoutFraction: number): { train: ImageSet; heldout: ImageSet } {
  const heldoutCount = Math.max(1, Math.round(set.count * heldoutFraction));
  const cut = set.count - heldoutCount;
  return { train: sliceImageSet(set, 0, cut), heldout: sliceImageSet(set, cut) };
}

/** The shape of a loaded data set: grayscale, with classes from its largest label (at least 10). */
export function shapeOfData(set: ImageSet): DataShape {
  let max = 0;
  for (const l of set.labels) max = Math.max(max, l);
  return { height: set.height, width: set.width, channels: 1, classes: Math.max(10, max + 1) };
}
