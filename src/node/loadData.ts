/** Loads a model spec's data in Node: a bundled set, or IDX files (raw or .gz) from a path. */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { imageSetFromIdx, isTextPath, textSetFromString, type DataSet } from '../core/data/dataset';
import { isToyDataset, toyDataset } from '../core/data/toy';
import { parseIdx } from '../core/data/idx';
import type { ModelSpec } from '../core/modelfile/types';
import { loadBundledMnist } from './bundledData';
import { loadBundledText } from './bundledText';

/** Reads a file, gunzipping it when it starts with the gzip magic bytes; errors name the file. */
export function readMaybeGzip(path: string): Uint8Array {
  if (!existsSync(path)) throw new Error(`${path}: no such file`);
  const raw = readFileSync(path);
  if (raw[0] !== 0x1f || raw[1] !== 0x8b) return new Uint8Array(raw);
  try {
    return new Uint8Array(gunzipSync(raw));
  } catch (e) {
    throw new Error(`${path}: not a valid .gz file (${e instanceof Error ? e.message : String(e)})`);
  }
}


/**
 * The data `spec.data` names: a bundled set (toy sets are generated, always from seed 1; text is
 * the tiny-shakespeare corpus), a UTF-8 text file, or images (and labels) in IDX files; paths are
 * relative to `baseDir`.
 */
export function loadSpecData(spec: ModelSpec, baseDir: string, extensionRoot: string): DataSet {
  const d = spec.data;
  if (!d.path) {
    if (d.dataset === 'shakespeare') return loadBundledText(extensionRoot);
    return isToyDataset(d.dataset) ? toyDataset(d.dataset) : loadBundledMnist(extensionRoot);
  }
  const at = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  if (isTextPath(d.path)) {
    if (!existsSync(at(d.path))) throw new Error(`${d.path}: no such file`);
    const text = readFileSync(at(d.path), 'utf8');
    if (!text.length) throw new Error(`${d.path}: the file is empty`);
    return textSetFromString(d.path, text);
  }
  const images = readMaybeGzip(at(d.path));
  if (d.labels) return imageSetFromIdx(d.path, images, readMaybeGzip(at(d.labels)));
  const img = parseIdx(images, d.path);
  if (img.shape.length !== 3) throw new Error(`${d.path}: expected 3 dimensions (count, rows, cols), got ${img.shape.length}`);
  const [count, height, width] = img.shape;
  return { name: d.path, count, height, width, pixels: img.data, labels: new Uint8Array(count) };
}
