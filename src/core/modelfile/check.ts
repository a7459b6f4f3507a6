/**
 * The model-file checker: JSON syntax, the JSON Schema (through a validator the caller passes,
 * since Ajv compiles with eval and so runs on the host and in the CLI, never in the webview),
 * and the checks a schema cannot express: shapes through every network of every family, latent
 * sizes, data, and settings the family does not read.
 * The same function feeds the Problems panel and `genlab check`. Every message says what is
 * wrong and how to fix it, on the text a user would change.
 */
import type { DataShape } from '../family';
import { BUNDLED_SHAPES } from './defaults';
import { closest, dataName, didYouMean, showValue } from './hints';
import { checkNetworkNames, checkNetworkShapes, isTied, type Path, type Report } from './networks';
import { findDuplicateKeys, parseModelText, rangeOf, type Problem, type RangeTarget } from './parse';
import { CONDITIONAL_FAMILIES, FAMILIES, FAMILY_VIEWS, GAN_FAMILIES, TRAINABLE_FAMILIES, type DataSpec, type Family, type ModelFile } from './types';

/** A JSON Schema error: where (a JSON pointer path) and what. */
export interface SchemaError {
  path: Array<string | number>;
  message: string;
  /** Point at the property key rather than its value (e.g. an unknown property). */
  atKey?: boolean;
}

/** What the checker may ask its caller. */
export interface CheckOptions {
  /** Validates the parsed value against the model-file JSON Schema. */
  validateSchema?: (value: unknown) => SchemaError[];
  /** Whether a data path (relative to the model file) exists; omit to skip the check. */
  pathExists?: (path: string) => boolean;
  /** The shape of the images at a data path, when known; without it networks on such data are not checked. */
  dataShape?: (path: string) => DataShape | undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const trainable = () => TRAINABLE_FAMILIES.map((f) => `"${f}"`).join(', ');

/** Checks model-file text and returns every problem found, with exact ranges. Never throws. */
export function checkModelText(text: string, options: CheckOptions = {}): Problem[] {
  const parsed = parseModelText(text);
  if (parsed.problems.length) return parsed.problems;
  const { root, value } = parsed;
  const problems: Problem[] = findDuplicateKeys(root);
  const report: Report = (severity, message, path, at: RangeTarget = 'value') => problems.push({ severity, message, ...rangeOf(root, path, at) });
  if (!isObject(value)) {
    const what = Array.isArray(value) ? 'a list [ … ]' : showValue(value);
    report('error', `the top level is ${what}, but a model file is an object: write { "family": "vae", … } around the settings`, []);
    return problems;
  }
  try {
    const schemaErrors = options.validateSchema?.(value) ?? [];
    for (const e of schemaErrors) report('error', e.message, e.path, e.atKey ? 'key' : e.path.length === 0 ? 'start' : 'value');
    const bad = (...prefix: Path) => schemaErrors.some((e) => prefix.every((p, i) => e.path[i] === p));
    checkSemantics(value as unknown as ModelFile, options, bad, report);
  } catch (e) {
    // A bug in the checker must not take the editor down; the fuzz tests make sure this is never reached.
    report('error', `GenLab could not finish checking this file (internal error: ${e instanceof Error ? e.message : String(e)}); please report this bug`, [], 'start');
  }
  return problems.sort((a, b) => a.offset - b.offset);
}

/** The checks a schema cannot express; parts the schema already found wrong (`bad`) are skipped. */
function checkSemantics(file: ModelFile, options: CheckOptions, bad: (...prefix: Path) => boolean, report: Report): void {
  if (!FAMILIES.includes(file.family)) {
    if (!options.validateSchema) reportFamily(file.family, report); // else the schema said it
    return;
  }
  if (!TRAINABLE_FAMILIES.includes(file.family)) {
    report('error', `the "${file.family}" family is not available yet in this version of GenLab: use a family that trains (${trainable()})`, ['family']);
  }
  const shape = bad('data') ? undefined : checkData(file, options, report);
  if (!TRAINABLE_FAMILIES.includes(file.family)) return; // its networks are not settled yet
  if (!bad('networks')) checkNetworkNames(file, report);
  const typed = (file.latentDim === undefined || (Number.isInteger(file.latentDim) && file.latentDim > 0)) && (file.networks === undefined || isObject(file.networks));
  if (shape && typed && !bad('latentDim') && !bad('loss') && !bad('data') && !bad('tiedWeights')) {
    checkNetworkShapes(file, shape, (network) => bad('networks', network), report);
  }
  checkFamilySettings(file, shape, report);
  if (!bad('views')) checkViews(file, report);
}

/** Settings that only some families read, and those families. */
const SETTINGS_FOR: ReadonlyArray<[Path, readonly Family[]]> = [
  [['tiedWeights'], ['autoencoder']],
  [['loss', 'beta'], ['vae']],
  [['loss', 'reconstruction'], ['autoencoder', 'vae']],
  [['loss', 'sigma'], ['vae']],
  [['loss', 'klWarmup'], ['vae']],
  [['loss', 'generator'], GAN_FAMILIES],
  [['loss', 'labelSmoothing'], GAN_FAMILIES],
  [['training', 'discriminatorSteps'], GAN_FAMILIES],
];

/** Families as named in messages: "the vae family", "the GAN families (gan, dcgan, cgan, acgan)". */
function familiesInWords(families: readonly Family[]): string {
  if (families === GAN_FAMILIES) return `the GAN families (${families.join(', ')})`;
  return families.length === 1 ? `the ${families[0]} family` : `the ${families.slice(0, -1).join(', ')} and ${families[families.length - 1]} families`;
}

/** A setting written in a model file that its family does not read. */
export interface IgnoredSetting {
  path: Path;
  /** The part of the setting a warning covers. */
  at: RangeTarget;
  /** Why it is ignored and what to do, in the checker's words. */
  message: string;
}

/**
 * The settings written in `file` that its family does not read on data of `shape` (such as
 * "loss.klWarmup" in a GAN, or "loss.sigma" with a Bernoulli decoder). The checker warns about
 * them; a writer of resolved model files can leave them out.
 */
export function ignoredSettings(file: ModelFile, shape?: DataShape): IgnoredSetting[] {
  const written = (path: Path) => {
    let v: unknown = file;
    for (const key of path) {
      if (!isObject(v) || !(key in v)) return false;
      v = v[key];
    }
    return true;
  };
  const ignored: IgnoredSetting[] = [];
  for (const [path, families] of SETTINGS_FOR) {
    if (written(path) && !families.includes(file.family)) {
      ignored.push({ path, at: 'property', message: `"${path.join('.')}" applies only to ${familiesInWords(families)}, so this ${file.family} model ignores it: remove it` });
    }
  }
  const loss: Record<string, unknown> = isObject(file.loss) ? file.loss : {};
  const reconstruction = loss.reconstruction ?? (shape?.kind === 'points' ? 'gaussian' : 'bernoulli');
  if (file.family === 'vae' && 'sigma' in loss && reconstruction === 'bernoulli') {
    ignored.push({ path: ['loss', 'sigma'], at: 'property', message: `"loss.sigma" is the standard deviation of a Gaussian decoder, but this VAE's decoder is Bernoulli, so it is ignored: add "reconstruction": "gaussian" to "loss", or remove "sigma"` });
  }
  if (isTied(file) && written(['networks', 'decoder'])) {
    ignored.push({ path: ['networks', 'decoder'], at: 'key', message: `with "tiedWeights": true the decoder is the transpose of the encoder, so this "decoder" is ignored: remove "decoder", or set "tiedWeights": false to train it` });
  }
  return ignored;
}

/** Warns about settings the family does not read, and loss settings that do not fit the data. */
function checkFamilySettings(file: ModelFile, shape: DataShape | undefined, report: Report): void {
  for (const { path, message, at } of ignoredSettings(file, shape)) report('warning', message, path, at);
  const loss: Record<string, unknown> = isObject(file.loss) ? file.loss : {};
  if (shape?.kind === 'points' && (file.family === 'autoencoder' || file.family === 'vae') && loss.reconstruction === 'bernoulli') {
    report('error', `"bernoulli" treats each value as a pixel in [0, 1], but "${dataName(file.data)}" holds 2-D points that lie outside it: use "gaussian" (the default for points)`, ['loss', 'reconstruction']);
  }
  if (CONDITIONAL_FAMILIES.includes(file.family) && shape && shape.classes < 2) {
    const at: Path = typeof file.data === 'string' ? ['data'] : ['data', 'dataset'];
    report('error', `"${dataName(file.data)}" has a single class (every example is labelled 0), but a ${file.family} is conditioned on the class and needs at least 2: use "ring", "grid" or "moons", or the gan family`, at);
  }
}

/** Without a schema validator, a missing or unknown family is reported here. */
function reportFamily(family: unknown, report: Report): void {
  if (family === undefined) report('error', `the model file has no "family": add "family": "vae"`, [], 'start');
  else report('error', `${showValue(family)} is not a model family${typeof family === 'string' ? didYouMean(family, FAMILIES) : ''}; families that train: ${trainable()}`, ['family']);
}

/** Checks the data section; returns the shape of one example when it is known without reading files. */
function checkData(file: ModelFile, options: CheckOptions, report: Report): DataShape | undefined {
  const d: unknown = file.data;
  if (d === undefined) return BUNDLED_SHAPES.mnist;
  if (typeof d === 'string') return BUNDLED_SHAPES[d];
  if (!isObject(d)) return undefined;
  const data = d as DataSpec;
  if (data.dataset !== undefined && data.path !== undefined) {
    report('error', `"data" gives both "dataset" (a bundled set) and "path" (your own files): keep only one`, ['data'], 'key');
  }
  const labelled = data.dataset !== undefined || data.labels !== undefined;
  if ((file.family === 'cgan' || file.family === 'acgan') && !labelled) {
    report('error', `the ${file.family} family is conditioned on class labels, but this data has none: add "labels": "path/to/labels-idx1-ubyte.gz" next to "path", or use "dataset": "mnist"`, ['data'], 'key');
  }
  if (data.labels !== undefined && data.path === undefined) {
    report('error', `"labels" belong to your own images in "path", and this data has no "path": add "path", or remove "labels"`, ['data', 'labels'], 'key');
  }
  for (const key of ['path', 'labels'] as const) {
    const p = data[key];
    if (typeof p === 'string' && options.pathExists && !options.pathExists(p)) {
      report('error', `${key === 'path' ? 'the data file' : 'the labels file'} "${p}" does not exist: check the spelling (paths are relative to this model file)${key === 'path' ? ', or use "dataset": "mnist"' : ''}`, ['data', key]);
    }
  }
  if (data.dataset !== undefined || data.path === undefined) return BUNDLED_SHAPES[data.dataset ?? 'mnist'];
  return typeof data.path === 'string' ? options.dataShape?.(data.path) : undefined;
}

/** Warns about views the family cannot show. */
function checkViews(file: ModelFile, report: Report): void {
  const known = FAMILY_VIEWS[file.family];
  const views: unknown = file.views;
  if (!known || !Array.isArray(views)) return;
  views.forEach((v, i) => {
    if (typeof v === 'string' && !known.includes(v)) {
      const hint = closest(v, known);
      const fix = hint ? `did you mean "${hint}"? Its views are` : 'remove it, or use one of';
      report('warning', `the ${file.family} family has no view "${v}", so it would not be shown: ${fix} ${known.join(', ')}`, ['views', i]);
    }
  });
}
