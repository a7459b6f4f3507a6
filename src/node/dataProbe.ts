/**
 * What a model file's own data would give, without training: the shape of one example, how many
 * bytes the set takes once uploaded (float32 on the backend), or the one-line reason it cannot be
 * read. The Problems panel asks as the user types, so answers are cached by modification time.
 */
import { statSync } from 'node:fs';
import { imageSetFromIdx, shapeOfData, type ImageSet } from '../core/data/dataset';
import { parseIdx } from '../core/data/idx';
import type { DataShape } from '../core/family';
import type { DataSpec } from '../core/modelfile/types';
import { readCsv } from './csvData';
import { folderStamp, readImageFolderOnce } from './decodedFolder';
import { probeImageFolder } from './imageFolder';
import { readMaybeGzip } from './gzipFile';
import { dataKindAt } from './loadData';
import { readTextFile } from './textFile';

/** The shape and backend size of the data at a path, or why it cannot be read. */
export type DataProbe = { shape: DataShape; count: number; backendBytes: number } | { error: string };

/** Bytes a float32 value takes on the backend; labels are int32. */
const FLOAT_BYTES = 4;
/** A folder whose files take up to this many bytes is decoded in full when probed (a truncated image shows up); a larger one only by its image headers. */
const FULL_PROBE_BYTES = 32 * 2 ** 20;

const cache = new Map<string, { stamp: number; probe: DataProbe }>();

/** Probes the data of `data` (whose `path` resolves to `absolute`, its labels to `labelsAbsolute`). */
export function probeData(data: DataSpec & { path: string }, absolute: string, labelsAbsolute?: string): DataProbe {
  const key = JSON.stringify([absolute, labelsAbsolute, data.size, data.fit, data.color, data.labelColumn]);
  const kind = dataKindAt(absolute, data.path);
  let stamp: number, folderBytes = 0;
  try {
    if (kind === 'folder') ({ stamp, bytes: folderBytes } = folderStamp(absolute));
    else stamp = statSync(absolute).mtimeMs + (labelsAbsolute ? statSync(labelsAbsolute).mtimeMs : 0);
  } catch {
    return { error: `${data.path}: no such file or folder` };
  }
  const hit = cache.get(key);
  if (hit && hit.stamp === stamp) return hit.probe;
  let probe: DataProbe;
  try {
    probe = probeKind(kind, data, absolute, labelsAbsolute, folderBytes <= FULL_PROBE_BYTES, stamp);
  } catch (e) {
    probe = { error: (e instanceof Error ? e.message : String(e)).split('\n')[0] };
  }
  cache.set(key, { stamp, probe });
  return probe;
}

/** Reads as little as each kind allows: a large folder's image headers only (`decodeImages` false), the whole file otherwise. */
function probeKind(kind: ReturnType<typeof dataKindAt>, data: DataSpec & { path: string }, absolute: string, labelsAbsolute: string | undefined, decodeImages: boolean, stamp: number): DataProbe {
  switch (kind) {
    case 'text': {
      const text = readTextFile(absolute, data.path);
      if (!text.length) throw new Error(`${data.path}: the file is empty`);
      const count = Array.from(text).length;
      return { shape: { height: 1, width: 1, channels: 1, classes: 1, kind: 'text' }, count, backendBytes: count * FLOAT_BYTES };
    }
    case 'folder': {
      const options = { size: data.size, fit: data.fit, color: data.color, name: data.path };
      const p = decodeImages ? { ...probeOfSet(readImageFolderOnce(absolute, options, stamp)) } : probeImageFolder(absolute, options);
      const shape: DataShape = { height: p.height, width: p.width, channels: p.channels, classes: Math.max(1, p.classes) };
      return { shape, count: p.count, backendBytes: p.count * (p.height * p.width * p.channels + 1) * FLOAT_BYTES };
    }
    case 'csv': {
      const set = readCsv(absolute, { labelColumn: data.labelColumn, size: data.size, name: data.path });
      const shape = shapeOfData(set);
      return { shape, count: set.count, backendBytes: set.count * (shape.height * shape.width * shape.channels + 1) * FLOAT_BYTES };
    }
    case 'idx': {
      const images = readMaybeGzip(absolute, data.path);
      if (labelsAbsolute && data.labels) {
        const set = imageSetFromIdx(data.path, images, readMaybeGzip(labelsAbsolute, data.labels));
        return { shape: shapeOfData(set), count: set.count, backendBytes: set.count * (set.height * set.width + 1) * FLOAT_BYTES };
      }
      const idx = parseIdx(images, data.path);
      if (idx.shape.length !== 3) throw new Error(`${data.path}: expected 3 dimensions (count, rows, cols), got ${idx.shape.length}`);
      const [count, height, width] = idx.shape;
      return { shape: { height, width, channels: 1, classes: 10 }, count, backendBytes: count * (height * width + 1) * FLOAT_BYTES };
    }
  }
}

/** The probe of a folder read in full. */
function probeOfSet(set: ImageSet): { count: number; classes: number; height: number; width: number; channels: number } {
  return { count: set.count, classes: set.classNames?.length ?? 1, height: set.height, width: set.width, channels: set.channels ?? 1 };
}

/** Bytes a downloaded or bundled image set of `count` 28×28 images takes on the backend. */
export function mnistLikeBytes(count: number): number {
  return count * (28 * 28 + 1) * FLOAT_BYTES;
}
