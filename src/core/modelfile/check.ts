/**
 * The model-file checker: JSON syntax, the JSON Schema (through a validator the caller passes,
 * since Ajv compiles with eval and so runs on the host and in the CLI, never in the webview),
 * and the checks a schema cannot express: shapes through every network of every family, latent
 * sizes, data, and settings the family does not read.
 * The same function feeds the Problems panel and `genlab check`. Every message says what is
 * wrong and how to fix it, on the text a user would change.
 */
import type { DataShape } from '../family';
import { isTextPath } from '../data/dataset';
import { checkData, checkDataFits } from './checkData';
import { DIFFUSION_DEFAULTS, TRANSFORMER_DEFAULTS } from './defaults';
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
  /**
   * The shape of one example of the data at a path, read with the spec's options (size, color,
   * labelColumn), or why that data cannot be read; undefined when unknown (networks on such data
   * are then not checked).
   */
  dataShape?: (path: string, data: DataSpec) => DataShape | { error: string } | undefined;
  /** Whether a data path names a folder (of images); without it, paths that are not text or CSV are taken for IDX files. */
  isFolder?: (path: string) => boolean;
  /** Why a data path cannot be used (outside the workspace), or undefined. */
  pathProblem?: (path: string) => string | undefined;
  /** Why a downloadable data set cannot be used yet (not downloaded), or undefined. */
  datasetProblem?: (name: string) => string | undefined;
  /** The number of characters (code points) of a text file at a data path, when known; without it the context is not checked against it. */
  textLength?: (path: string) => number | undefined;
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
  const data = bad('data') ? undefined : checkData(file, options, report);
  if (!TRAINABLE_FAMILIES.includes(file.family)) return; // its networks are not settled yet
  const shape = !bad('data') && checkDataFits(file, data, report) ? data : undefined;
  if (!bad('networks')) checkNetworkNames(file, report);
  const typed = (file.latentDim === undefined || (Number.isInteger(file.latentDim) && file.latentDim > 0)) && (file.networks === undefined || isObject(file.networks));
  if (shape && typed && !bad('latentDim') && !bad('loss') && !bad('data') && !bad('tiedWeights')) {
    checkNetworkShapes(file, shape, (network) => bad('networks', network), report);
  }
  checkFamilySettings(file, shape, report);
  if (file.family === 'autoregressive' && !bad('transformer') && !bad('data')) checkTransformer(file, shape, options, report);
  if (file.family === 'diffusion' && !bad('diffusion')) checkSchedule(file, report);
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
  [['latentDim'], ['autoencoder', 'vae', ...GAN_FAMILIES]],
  [['transformer'], ['autoregressive']],
  [['flow'], ['flow']],
  [['diffusion'], ['diffusion']],
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
  if (file.family === 'autoregressive' && written(['networks'])) {
    ignored.push({ path: ['networks'], at: 'key', message: `the autoregressive family's network is a GPT-style transformer sized by "transformer", so "networks" is ignored: remove it, and set "layers", "heads", "embedding" and "context" in "transformer"` });
  }
  const diffusion: Record<string, unknown> = isObject(file.diffusion) ? file.diffusion : {};
  if (file.family === 'diffusion' && diffusion.schedule === 'cosine') {
    for (const key of ['betaStart', 'betaEnd'].filter((k) => k in diffusion)) {
      ignored.push({ path: ['diffusion', key], at: 'property', message: `"diffusion.${key}" sets the linear schedule, but this model uses "schedule": "cosine", which does not read it: remove "${key}", or use "schedule": "linear"` });
    }
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

/** A value a user wrote in `section`, or its default, and words that say which ("64 (the default)"). */
function setting(section: unknown, key: string, defaults: Readonly<Record<string, unknown>>): { value: unknown; written: boolean; words: string } {
  const written = isObject(section) && key in section;
  const value = written ? (section as Record<string, unknown>)[key] : defaults[key];
  return { value, written, words: `${String(value)}${written ? '' : ' (the default)'}` };
}

/**
 * A GPT's sizes: multi-head attention splits the embedding over the heads (Vaswani et al. 2017),
 * and every part of the text, training and held-out, must hold a window of context + 1 characters.
 */
function checkTransformer(file: ModelFile, shape: DataShape | undefined, options: CheckOptions, report: Report): void {
  const t = file.transformer;
  const heads = setting(t, 'heads', TRANSFORMER_DEFAULTS), embedding = setting(t, 'embedding', TRANSFORMER_DEFAULTS);
  const [h, e] = [heads.value, embedding.value];
  if (typeof h === 'number' && typeof e === 'number' && h > 0 && e % h !== 0) {
    const lower = Math.floor(e / h) * h, upper = lower + h;
    const widths = [lower, upper].filter((w) => w >= 8 && w <= 1024);
    const divisors = Array.from({ length: 16 }, (_, i) => i + 1).filter((d) => e % d === 0);
    const near = divisors.reduce((a, b) => (Math.abs(b - h) < Math.abs(a - h) ? b : a));
    const at: Path = ['transformer', embedding.written || !heads.written ? 'embedding' : 'heads'];
    report('error', `the embedding width ${embedding.words} does not split evenly over ${heads.words} attention heads (each head gets embedding / heads values): use ${widths.length ? `"embedding": ${widths.join(' or ')}, or ` : ''}"heads": ${near}`, at);
  }
  const context = setting(t, 'context', TRANSFORMER_DEFAULTS);
  const d: unknown = file.data;
  const path = isObject(d) ? d.path : undefined;
  const n = shape && isTextPath(path) ? options.textLength?.(path) : undefined;
  if (n === undefined || typeof context.value !== 'number') return;
  const fraction = isObject(d) && typeof d.heldout === 'number' ? d.heldout : 0.1;
  const held = Math.max(1, Math.round(n * fraction)); // as splitData cuts it
  const [part, size] = held <= n - held ? [`its held-out part (${Math.round(fraction * 100)}%)`, held] : ['its training part', n - held];
  if (size >= context.value + 1) return;
  const fix = size >= 2 ? `use "context": ${size - 1} or less, or a longer text` : 'use a longer text';
  report('warning', `a context of ${context.words} characters needs windows of ${context.value + 1} characters, but "${path}" has ${n} characters and ${part} only ${size}: ${fix}`, context.written ? ['transformer', 'context'] : ['data', 'path']);
}

/** ᾱ_T above which x_T = √ᾱ_T·x_0 + √(1 − ᾱ_T)·ε still visibly holds the data (√ᾱ_T > 0.1), though sampling starts from pure noise: the checker warns, as training's watch() does. */
const MAX_ALPHA_BAR_T = 0.01;

/** A DDPM's linear schedule (Ho et al. 2020): β rises from betaStart to betaEnd, and ᾱ_T = ∏(1 − β_t) must leave x_T mostly noise. */
function checkSchedule(file: ModelFile, report: Report): void {
  const s = file.diffusion;
  if (setting(s, 'schedule', DIFFUSION_DEFAULTS).value !== 'linear') return;
  const start = setting(s, 'betaStart', DIFFUSION_DEFAULTS), end = setting(s, 'betaEnd', DIFFUSION_DEFAULTS), steps = setting(s, 'steps', DIFFUSION_DEFAULTS);
  const [b0, b1, T] = [start.value, end.value, steps.value];
  if (typeof b0 !== 'number' || typeof b1 !== 'number' || typeof T !== 'number') return;
  if (b0 >= b1) {
    const at: Path = ['diffusion', start.written ? 'betaStart' : 'betaEnd'];
    report('error', `β must rise over the steps, but "betaStart" ${start.words} is not less than "betaEnd" ${end.words}: use a "betaStart" below ${b1}, such as ${Number((b1 / 200).toPrecision(1))}, or a larger "betaEnd"`, at);
    return;
  }
  let logAlphaBar = 0;
  for (let t = 0; t < T; t++) logAlphaBar += Math.log(1 - (b0 + ((b1 - b0) * t) / Math.max(1, T - 1)));
  const alphaBar = Math.exp(logAlphaBar);
  if (alphaBar <= MAX_ALPHA_BAR_T) return;
  const at: Path = steps.written ? ['diffusion', 'steps'] : end.written ? ['diffusion', 'betaEnd'] : ['diffusion'];
  report('warning', `${T} steps with β from ${b0} to ${b1} leave ᾱ_T = ${alphaBar.toFixed(3)}, so x_T still holds √ᾱ_T = ${Math.sqrt(alphaBar).toFixed(2)} of the data, yet sampling starts from pure noise N(0, I): use more "steps" or a larger "betaEnd" (Ho et al. use 1000 steps up to 0.02)`, at);
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
