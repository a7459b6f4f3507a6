/**
 * Loads a model spec's data in Node (the extension host and the CLI), through one function for
 * every source: a bundled set, a downloaded set, IDX files (raw or .gz), a UTF-8 text file, a
 * CSV file, or a folder of PNG/JPEG images with one subfolder per class. Paths are relative to
 * the model file and must stay inside the workspace.
 */
import { existsSync, statSync } from 'node:fs';
import { imageSetFromIdx, isTextPath, textSetFromString, type DataSet } from '../core/data/dataset';
import { isToyDataset, toyDataset } from '../core/data/toy';
import { parseIdx } from '../core/data/idx';
import { isCsvPath } from '../core/modelfile/checkData';
import { DOWNLOADABLE_DATASETS, type DataSpec, type ModelSpec } from '../core/modelfile/types';
import { loadBundledMnist } from './bundledData';
import { loadBundledText } from './bundledText';
import { readCsv } from './csvData';
import { readMaybeGzip } from './gzipFile';
import { resolveInside } from './dataPaths';
import { defaultCacheDir, loadDownloadedDataset } from './download';
import { readImageFolderOnce } from './decodedFolder';
import { shuffleImageSet } from './imageFolder';
import { readTextFile } from './textFile';

/** Where data may come from besides the model file's folder. */
export interface DataEnvironment {
  /** The workspace: data paths must resolve inside it; absent means no such check (unit tests). */
  workspaceRoot?: string;
  /** Where downloaded data sets are cached; default: defaultCacheDir(). */
  dataDir?: string;
}

/** Whether `name` is a downloadable set (full MNIST, Fashion-MNIST). */
export function isDownloadable(name: unknown): boolean {
  return (DOWNLOADABLE_DATASETS as readonly unknown[]).includes(name);
}

/** The kind of data at an (existing) absolute path: text, CSV, a folder of images, or IDX. */
export function dataKindAt(absolute: string, written: string): 'text' | 'csv' | 'folder' | 'idx' {
  if (isTextPath(written)) return 'text';
  if (isCsvPath(written)) return 'csv';
  return existsSync(absolute) && statSync(absolute).isDirectory() ? 'folder' : 'idx';
}

/** Resolves a data path of the model file in `baseDir`, refusing one outside the workspace. */
export function resolveDataPath(p: string, baseDir: string, env: DataEnvironment): string {
  return resolveInside(env.workspaceRoot ?? '/', baseDir, p);
}

/**
 * The data `spec.data` names: a bundled set (toy sets are generated, always from seed 1; text is
 * the tiny-shakespeare corpus), a downloaded set, or the user's own files. Images from a folder
 * are shuffled with the training seed, so that the held-out part holds every class. Errors are
 * one line and name the file.
 */
export function loadSpecData(spec: ModelSpec, baseDir: string, extensionRoot: string, env: DataEnvironment = {}): DataSet {
  const d = spec.data;
  if (!d.path) {
    if (isDownloadable(d.dataset)) return loadDownloadedDataset(d.dataset as string, env.dataDir ?? defaultCacheDir());
    if (d.dataset === 'shakespeare') return loadBundledText(extensionRoot);
    return isToyDataset(d.dataset) ? toyDataset(d.dataset) : loadBundledMnist(extensionRoot);
  }
  const at = resolveDataPath(d.path, baseDir, env);
  switch (dataKindAt(at, d.path)) {
    case 'text':
      return textSetFromString(d.path, readTextFile(at, d.path)); // readTextFile refuses an empty file
    case 'csv':
      return readCsv(at, { labelColumn: d.labelColumn, size: d.size, name: d.path });
    case 'folder':
      return shuffleImageSet(readImageFolderOnce(at, { size: d.size, fit: d.fit, color: d.color, name: d.path }), spec.training.seed);
    case 'idx':
      return loadIdx({ ...d, path: d.path }, at, resolveDataPath(d.labels ?? d.path, baseDir, env));
  }
}

/** Images (and labels) from IDX files at `imagesAt` (and `labelsAt`). */
function loadIdx(d: DataSpec & { path: string }, imagesAt: string, labelsAt: string): DataSet {
  const images = readMaybeGzip(imagesAt, d.path);
  if (d.labels) return imageSetFromIdx(d.path, images, readMaybeGzip(labelsAt, d.labels));
  const img = parseIdx(images, d.path);
  if (img.shape.length !== 3) throw new Error(`${d.path}: expected 3 dimensions (count, rows, cols), got ${img.shape.length}`);
  const [count, height, width] = img.shape;
  return { name: d.path, count, height, width, pixels: img.data, labels: new Uint8Array(count) };
}
