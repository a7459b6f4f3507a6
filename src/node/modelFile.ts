/** Model files in Node (host and CLI): check with the schema and the file system, then resolve. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { shapeOfData, type DataSet } from '../core/data/dataset';
import { checkModelText } from '../core/modelfile/check';
import { BUNDLED_SHAPES, resolveModelFile } from '../core/modelfile/defaults';
import { parseModelText, type Problem } from '../core/modelfile/parse';
import type { ModelFile, ModelSpec, OptimizerSpec } from '../core/modelfile/types';
import { canReconfigure } from '../core/optimizers';
import type { DataShape } from '../core/family';
import { parseIdx } from '../core/data/idx';
import { loadSpecData, readMaybeGzip } from './loadData';
import { validateModelSchema } from './schema';

const shapeCache = new Map<string, { mtimeMs: number; shape: DataShape | undefined }>();

/** The image shape of an IDX file, cached by modification time (diagnostics run as the user types). */
function idxShape(path: string): DataShape | undefined {
  try {
    const { mtimeMs } = statSync(path);
    const hit = shapeCache.get(path);
    if (hit && hit.mtimeMs === mtimeMs) return hit.shape;
    const idx = parseIdx(readMaybeGzip(path), path);
    const shape = idx.shape.length === 3 ? { height: idx.shape[1], width: idx.shape[2], channels: 1, classes: 10 } : undefined;
    shapeCache.set(path, { mtimeMs, shape });
    return shape;
  } catch {
    return undefined; // unreadable data is reported when training starts, with the file named
  }
}

const lengthCache = new Map<string, { mtimeMs: number; length: number | undefined }>();

/** The number of characters (code points) of a text file, cached by modification time. */
function textLength(path: string): number | undefined {
  try {
    const { mtimeMs } = statSync(path);
    const hit = lengthCache.get(path);
    if (hit && hit.mtimeMs === mtimeMs) return hit.length;
    const length = Array.from(readFileSync(path, 'utf8')).length;
    lengthCache.set(path, { mtimeMs, length });
    return length;
  } catch {
    return undefined;
  }
}

/** Every problem in model-file `text`, with data paths resolved against `fileDir`. */
export function checkModelFileText(text: string, fileDir: string): Problem[] {
  const at = (p: string) => (isAbsolute(p) ? p : resolve(fileDir, p));
  return checkModelText(text, {
    validateSchema: validateModelSchema,
    pathExists: (p) => existsSync(at(p)),
    dataShape: (p) => idxShape(at(p)),
    textLength: (p) => textLength(at(p)),
  });
}

/** A model file that is ready to train: its resolved spec and its data. */
export interface PreparedModel {
  spec: ModelSpec;
  data: DataSet;
}

/** An error that carries the problems that stop a model file from training. */
export class ModelFileError extends Error {
  /** `problems` are the errors found. */
  constructor(readonly problems: Problem[]) {
    super(problems[0]?.message ?? 'the model file has errors');
  }
}

/** An error reading a model file's data; the message names the file and the problem. */
export class DataError extends Error {}

/**
 * Checks, loads the data of, and resolves model-file `text`; throws ModelFileError on errors in
 * the file and DataError when its data cannot be read. `overrides` replace written settings.
 */
export function prepareModel(text: string, fileDir: string, extensionRoot: string, defaultName?: string, overrides: { seed?: number } = {}): PreparedModel {
  const errors = checkModelFileText(text, fileDir).filter((p) => p.severity === 'error');
  if (errors.length) throw new ModelFileError(errors);
  const file = parseModelText(text).value as ModelFile;
  const named: ModelFile = {
    ...file,
    name: file.name ?? defaultName,
    ...(overrides.seed !== undefined ? { training: { ...file.training, seed: overrides.seed } } : {}),
  };
  let data: DataSet;
  try {
    data = loadSpecData(resolveModelFile(named, BUNDLED_SHAPES.mnist), fileDir, extensionRoot);
  } catch (e) {
    throw new DataError(e instanceof Error ? e.message.split('\n')[0] : String(e));
  }
  return { spec: resolveModelFile(named, shapeOfData(data)), data };
}

/** How an edited spec can be applied to a running one. */
export type SpecChange = { kind: 'none' } | { kind: 'optimizer'; optimizer: OptimizerSpec } | { kind: 'restart' };

/**
 * Compares specs: a change to optimizer settings alone, within the same optimizer class, is
 * applied live (weights and moments stay); anything else needs a restart.
 */
export function classifySpecChange(running: ModelSpec, edited: ModelSpec): SpecChange {
  if (JSON.stringify(running) === JSON.stringify(edited)) return { kind: 'none' };
  const sameElse = JSON.stringify({ ...running, optimizer: edited.optimizer }) === JSON.stringify(edited);
  return sameElse && canReconfigure(running.optimizer, edited.optimizer) ? { kind: 'optimizer', optimizer: edited.optimizer } : { kind: 'restart' };
}
