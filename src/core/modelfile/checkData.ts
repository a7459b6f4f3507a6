/**
 * The checker's data section: which data a model file names (a bundled or downloaded set, IDX
 * files, a text file, a CSV file or a folder of images), whether its options fit that kind of
 * data, and whether the family can model it. File access goes through the caller's CheckOptions.
 */
import type { DataShape } from '../family';
import { isTextPath } from '../data/dataset';
import type { CheckOptions } from './check';
import { BUNDLED_SHAPES, DEFAULT_DATA } from './defaults';
import { dataName } from './hints';
import type { Path, Report } from './networks';
import { CONDITIONAL_FAMILIES, DOWNLOADABLE_DATASETS, type DataSpec, type ModelFile } from './types';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The shape of a text file: one "example" per character; its vocabulary is known once it is read. */
const TEXT_SHAPE: DataShape = { height: 1, width: 1, channels: 1, classes: 1, kind: 'text' };

/** Whether a data path names a CSV file (points, or pixels), by its extension. */
export function isCsvPath(path: unknown): path is string {
  return typeof path === 'string' && /\.csv$/i.test(path);
}

/** The largest side `size` may ask for: a 1024×1024 RGB image is 3 MB, a thousand of them 3 GB. */
export const MAX_IMAGE_SIDE = 1024;

/** The kinds of data a model file can name; 'unknown' is a path that is not text or CSV when the caller cannot tell a folder from a file. */
type DataKind = 'text' | 'csv' | 'folder' | 'idx' | 'dataset' | 'unknown';

/** What kind of data a path names, by its extension, or by the file system (a folder) when the caller can tell. */
function pathKind(path: string, options: CheckOptions): DataKind {
  if (isTextPath(path)) return 'text';
  if (isCsvPath(path)) return 'csv';
  if (!options.isFolder) return 'unknown';
  return options.isFolder(path) ? 'folder' : 'idx';
}

/** Checks the data section; returns the shape of one example when it is known. */
export function checkData(file: ModelFile, options: CheckOptions, report: Report): DataShape | undefined {
  const d: unknown = file.data;
  const fallback = DEFAULT_DATA[file.family] ?? 'mnist';
  if (d === undefined) return BUNDLED_SHAPES[fallback];
  if (typeof d === 'string') {
    if (!datasetUsable(d, ['data'], options, report)) return undefined;
    return BUNDLED_SHAPES[d];
  }
  if (!isObject(d)) return undefined;
  const data = d as DataSpec;
  if (data.dataset !== undefined && data.path !== undefined) {
    report('error', `"data" gives both "dataset" (a bundled set) and "path" (your own files): keep only one`, ['data'], 'key');
  }
  const kind: DataKind = typeof data.path === 'string' ? pathKind(data.path, options) : 'dataset';
  checkDataOptions(data, kind, report);
  const labelled = data.dataset !== undefined || data.labels !== undefined || data.labelColumn !== undefined || kind === 'folder' || kind === 'unknown' || kind === 'text';
  if (CONDITIONAL_FAMILIES.includes(file.family) && !labelled) {
    const how = kind === 'csv' ? `add "labelColumn": "label" (the column of the class)` : `add "labels": "path/to/labels-idx1-ubyte.gz" next to "path", put the images in one subfolder per class`;
    report('error', `the ${file.family} family is conditioned on class labels, but this data has none: ${how}, or use "dataset": "mnist"`, ['data'], 'key');
    return undefined; // no shape: its single class would be reported a second time
  }
  let usable = true;
  for (const key of ['path', 'labels'] as const) {
    const p = data[key];
    if (typeof p !== 'string') continue;
    const problem = options.pathProblem?.(p);
    if (problem) {
      report('error', problem, ['data', key]);
      usable = false;
    } else if (options.pathExists && !options.pathExists(p)) {
      const what = key === 'labels' ? 'the labels file' : /\.\w+$/.test(p) ? 'the data file' : 'the data file or folder';
      report('error', `${what} "${p}" does not exist: check the spelling (paths are relative to this model file)${key === 'path' ? `, or use "dataset": "${fallback}"` : ''}`, ['data', key]);
      usable = false;
    }
  }
  if (data.dataset !== undefined) return datasetUsable(data.dataset, ['data', 'dataset'], options, report) ? BUNDLED_SHAPES[data.dataset] : undefined;
  if (data.path === undefined) return BUNDLED_SHAPES[fallback];
  if (!usable) return kind === 'text' ? TEXT_SHAPE : undefined;
  const shape = options.dataShape?.(data.path, data);
  if (shape && 'error' in shape) {
    report('error', shape.error, ['data', 'path']);
    return undefined;
  }
  return kind === 'text' ? TEXT_SHAPE : shape;
}

/** Whether the bundled or downloadable set `name` can be used now; reports why not. */
function datasetUsable(name: string, at: Path, options: CheckOptions, report: Report): boolean {
  if (!(DOWNLOADABLE_DATASETS as readonly string[]).includes(name)) return true;
  const problem = options.datasetProblem?.(name);
  if (problem) report('error', problem, at);
  return !problem;
}

/** Options that apply only to some kinds of data: labels (IDX), size/fit (folder, CSV pixels), color (folder), labelColumn (CSV). */
function checkDataOptions(data: DataSpec, kind: DataKind, report: Report): void {
  if (kind === 'unknown') return; // a folder or an IDX file: the caller cannot tell which
  const named = data.path === undefined ? `"${data.dataset ?? 'the bundled set'}"` : `"${data.path}"`;
  const what = { text: 'text', csv: 'a CSV file', folder: 'a folder of images', idx: 'an IDX file', dataset: 'a bundled data set' }[kind];
  if (data.labels !== undefined) {
    if (data.path === undefined) report('error', `"labels" belong to your own images in "path", and this data has no "path": add "path", or remove "labels"`, ['data', 'labels'], 'key');
    else if (kind === 'text') report('error', `"labels" are class labels for images, but ${named} is text, which has none: remove "labels"`, ['data', 'labels'], 'key');
    else if (kind === 'csv') report('error', `"labels" names an IDX labels file, but ${named} is a CSV file: give the label column with "labelColumn" instead`, ['data', 'labels'], 'key');
    else if (kind === 'folder') report('error', `"labels" names an IDX labels file, but ${named} is a folder of images, whose classes are its subfolders: remove "labels"`, ['data', 'labels'], 'key');
  }
  if (data.size !== undefined) {
    if (kind !== 'folder' && kind !== 'csv') report('error', `"size" resizes images read from a folder or a CSV file, but ${named} is ${what}: remove "size"`, ['data', 'size'], 'key');
    else {
      const sides = typeof data.size === 'number' ? [data.size] : Array.isArray(data.size) ? data.size : [];
      if (sides.some((s) => typeof s === 'number' && (!Number.isInteger(s) || s < 1 || s > MAX_IMAGE_SIDE))) {
        report('error', `"size" must be whole numbers of pixels from 1 to ${MAX_IMAGE_SIDE}, such as 28 or [32, 48] (height, width)`, ['data', 'size']);
      }
    }
  }
  if (data.fit !== undefined && (kind !== 'folder' || data.size === undefined)) {
    report('warning', kind === 'folder' ? `"fit" says how images are brought to "size", and there is no "size": add "size", or remove "fit"` : `"fit" applies to a folder of images with "size", but ${named} is ${what}; it is ignored`, ['data', 'fit'], 'key');
  }
  if (data.color !== undefined && kind !== 'folder') {
    report('warning', `"color" applies to a folder of images, but ${named} is ${what}; it is ignored`, ['data', 'color'], 'key');
  }
  if (data.labelColumn !== undefined && kind !== 'csv') {
    report('error', `"labelColumn" names a column of a CSV file, but ${named} is ${what}: remove "labelColumn"`, ['data', 'labelColumn'], 'key');
  }
}

/** Where a model file names its data, for messages about the data as a whole. */
function dataAt(file: ModelFile): Path {
  const d: unknown = file.data;
  if (!isObject(d)) return ['data'];
  return 'path' in d ? ['data', 'path'] : 'dataset' in d ? ['data', 'dataset'] : ['data'];
}

/**
 * Text is for the autoregressive family only, and it needs text: reports data of the wrong kind
 * for the family and returns false, or returns true.
 */
export function checkDataFits(file: ModelFile, shape: DataShape | undefined, report: Report): boolean {
  const path = isObject(file.data) ? file.data.path : undefined;
  if (file.family === 'autoregressive' && typeof path === 'string' && !isTextPath(path)) {
    report('error', `the autoregressive family reads text from a text file, but "${path}" is not one: give a UTF-8 text file whose name ends in .txt, .md or .text, or use "dataset": "shakespeare"`, dataAt(file));
    return false;
  }
  const text = shape?.kind === 'text';
  if (!shape || (file.family === 'autoregressive') === text) return true;
  const name = dataName(file.data);
  const named = typeof file.data === 'string' ? '"data": "shakespeare"' : '"dataset": "shakespeare"';
  if (text) {
    report('error', `"${name}" is text, which only the autoregressive family models, and the ${file.family} family models images or 2-D points: use "family": "autoregressive", or other data such as "mnist" or "moons"`, dataAt(file));
  } else {
    report('error', `the autoregressive family models text, but "${name}" holds ${shape.kind === 'points' ? '2-D points' : 'images'}: use ${named}, or a text file of your own with "data": { "path": "notes.txt" }`, dataAt(file));
  }
  return false;
}
