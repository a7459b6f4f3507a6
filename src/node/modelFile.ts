/** Model files in Node (host and CLI): check with the schema and the file system, then resolve. */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { shapeOfData, type DataSet } from '../core/data/dataset';
import { checkModelText } from '../core/modelfile/check';
import { BUNDLED_SHAPES, resolveModelFile } from '../core/modelfile/defaults';
import { parseModelText, type Problem } from '../core/modelfile/parse';
import type { DataSpec, ModelFile, ModelSpec, OptimizerSpec } from '../core/modelfile/types';
import { canReconfigure } from '../core/optimizers';
import { mnistLikeBytes, probeData } from './dataProbe';
import { defaultCacheDir, isDownloaded, notDownloadedMessage } from './download';
import { dataKindAt, isDownloadable, loadSpecData, resolveDataPath, type DataEnvironment } from './loadData';
import { validateModelSchema } from './schema';

/**
 * Every problem in model-file `text`, with data paths resolved against `fileDir`: the checker's,
 * and those of the data itself (unreadable files, images of mixed sizes, a path outside the
 * workspace, a data set not downloaded yet), on the text that names it.
 */
export function checkModelFileText(text: string, fileDir: string, env: DataEnvironment = {}): Problem[] {
  const at = (p: string) => (isAbsolute(p) ? p : resolve(fileDir, p));
  const outside = (p: string) => {
    if (!env.workspaceRoot) return undefined;
    try {
      resolveDataPath(p, fileDir, env);
      return undefined;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  };
  return checkModelText(text, {
    validateSchema: validateModelSchema,
    pathExists: (p) => existsSync(at(p)),
    pathProblem: outside,
    isFolder: (p) => dataKindAt(at(p), p) === 'folder',
    dataShape: (p, data) => {
      const probe = probeData({ ...data, path: p }, at(p), data.labels && !outside(data.labels) ? at(data.labels) : undefined);
      return 'error' in probe ? probe : probe.shape;
    },
    textLength: (p) => {
      const probe = probeData({ path: p }, at(p));
      return 'error' in probe ? undefined : probe.count;
    },
    datasetProblem: (name) => (isDownloaded(env.dataDir ?? defaultCacheDir(), name) ? undefined : notDownloadedMessage(name)),
  });
}

/**
 * What the data of model-file `text` would take once uploaded to the backend (bytes, when known
 * and not tiny), or why it cannot be read: for a warning before a large set is loaded, and for
 * `genlab train`'s one-line data errors.
 */
export function inspectData(text: string, fileDir: string, env: DataEnvironment = {}): { bytes?: number; error?: string } {
  const parsed = parseModelText(text);
  if (parsed.problems.length || typeof parsed.value !== 'object' || parsed.value === null) return {};
  const file = parsed.value as ModelFile;
  const data: DataSpec = typeof file.data === 'string' ? { dataset: file.data } : typeof file.data === 'object' && file.data ? file.data : {};
  if (isDownloadable(data.dataset)) {
    return isDownloaded(env.dataDir ?? defaultCacheDir(), data.dataset as string) ? { bytes: mnistLikeBytes(60000) } : { error: notDownloadedMessage(data.dataset as string) };
  }
  if (typeof data.path !== 'string') return {};
  try {
    const absolute = resolveDataPath(data.path, fileDir, env);
    const labels = typeof data.labels === 'string' ? resolveDataPath(data.labels, fileDir, env) : undefined;
    const probe = probeData({ ...data, path: data.path }, absolute, labels);
    return 'error' in probe ? { error: probe.error } : { bytes: probe.backendBytes };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
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
export function prepareModel(text: string, fileDir: string, extensionRoot: string, defaultName?: string, overrides: { seed?: number } = {}, env: DataEnvironment = {}): PreparedModel {
  const errors = checkModelFileText(text, fileDir, env).filter((p) => p.severity === 'error');
  if (errors.length) throw new ModelFileError(errors);
  const file = parseModelText(text).value as ModelFile;
  const named: ModelFile = {
    ...file,
    name: file.name ?? defaultName,
    ...(overrides.seed !== undefined ? { training: { ...file.training, seed: overrides.seed } } : {}),
  };
  let data: DataSet;
  try {
    data = loadSpecData(resolveModelFile(named, BUNDLED_SHAPES.mnist), fileDir, extensionRoot, env);
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
