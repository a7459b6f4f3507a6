/**
 * Networks from layer lists: each entry names a tf.layers layer ("dense", "conv2d", …) and
 * its config, as in a Keras model config. Shapes are inferred with each layer's own
 * computeOutputShape, which needs no backend and no weights, so the checker can run anywhere.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { ACTIVATIONS, closest, didYouMean, formatShape, INITIALIZERS } from './hints';
import type { LayerSpec } from './types';

type Factory = (config: Record<string, unknown>) => tfl.layers.Layer;
const registry = tfl.layers as unknown as Record<string, Factory>;

/** tf.layers names that are not layers a model file may use. */
const NOT_LAYERS = new Set(['Layer', 'RNN', 'RNNCell', 'input', 'inputLayer', 'rnn', 'simpleRNNCell', 'gruCell', 'lstmCell', 'stackedRNNCells', 'convLstm2dCell', 'bidirectional', 'timeDistributed', 'add', 'average', 'concatenate', 'dot', 'maximum', 'minimum', 'multiply']);

/** Every layer type a model file may name. */
export const LAYER_TYPES: readonly string[] = Object.keys(registry).filter((k) => typeof registry[k] === 'function' && !NOT_LAYERS.has(k)).sort();

/** A shape without the batch dimension. */
export type Shape = number[];

/** A problem found in one layer of a network. */
export class LayerError extends Error {
  /**
   * `index` is the layer's position; `option`, if set, the config key at fault; `at` whether the
   * fix is to the option's value (a bad value) or to its key (an option the layer does not have).
   */
  constructor(readonly index: number, message: string, readonly option?: string, readonly at: 'value' | 'key' = 'value') {
    super(message);
  }
}

/** Layer names from Keras, PyTorch and elsewhere that tf.layers spells differently. */
const ALIASES: Record<string, string> = {
  linear: 'dense', fullyconnected: 'dense', fc: 'dense', convtranspose2d: 'conv2dTranspose', deconv2d: 'conv2dTranspose', conv2dtranspose: 'conv2dTranspose',
  batchnorm: 'batchNormalization', batchnorm1d: 'batchNormalization', batchnorm2d: 'batchNormalization', upsample: 'upSampling2d', upsampling: 'upSampling2d',
  relu: 'reLU', leakyrelu: 'leakyReLU', sigmoid: 'activation', tanh: 'activation', view: 'reshape', unflatten: 'reshape',
};

/** The closest known layer type to `name`, for "did you mean" hints. */
export function suggestLayer(name: string): string | undefined {
  return closest(name, LAYER_TYPES) ?? ALIASES[name.toLowerCase().replace(/[_\s-]/g, '')];
}

/** Example values for options a layer cannot do without, for "add …" hints. */
const EXAMPLES: Record<string, string> = { units: '128', filters: '32', kernelSize: '3', targetShape: '[7, 7, 64]', poolSize: '2', rate: '0.25', inputDim: '10', outputDim: '16', n: '2', dims: '[2, 1]' };
/** Placeholders for those options, so that a layer can be made just to learn which options it has. */
const PLACEHOLDERS = { units: 1, filters: 1, kernelSize: 1, targetShape: [1], inputDim: 1, outputDim: 1, n: 1, dims: [1], stddev: 1, rate: 0.5 };
const optionCache = new Map<string, readonly string[] | undefined>();

/** The options a layer type takes (those of its getConfig() and of every layer), if they can be found. */
function optionsOf(type: string): readonly string[] | undefined {
  if (!optionCache.has(type)) {
    let keys: string[] | undefined;
    for (const config of [{}, PLACEHOLDERS]) {
      try {
        keys = Object.keys(registry[type](config).getConfig());
        break;
      } catch {
        // needs an option the config lacks; try the next
      }
    }
    optionCache.set(type, keys ? [...new Set([...keys, ...BASE_OPTIONS])] : undefined);
  }
  return optionCache.get(type);
}

/** Options every layer accepts besides those in its getConfig(). */
const BASE_OPTIONS = ['inputShape', 'batchInputShape', 'batchSize', 'dtype', 'name', 'trainable', 'weights', 'inputDType'];
const USEFUL = (options: readonly string[]) => options.filter((k) => !BASE_OPTIONS.includes(k)).join(', ');

/** Throws the LayerError for an option `type` does not have, if `config` has one. */
function rejectUnknownOptions(type: string, config: Record<string, unknown>, index: number): void {
  const options = optionsOf(type);
  const unknown = options && Object.keys(config).find((k) => !options.includes(k));
  if (!options || unknown === undefined) return;
  const hint = closest(unknown, options);
  const fix = hint ? `did you mean "${hint}"?` : `remove it; ${type} takes ${USEFUL(options)}`;
  throw new LayerError(index, `${type} has no option "${unknown}": ${fix}`, unknown, 'key');
}

/** The LayerError for a failed construction: a missing option, or a bad value in words. */
function constructionError(type: string, config: Record<string, unknown>, index: number, error: unknown): LayerError {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0].replace(/\s+/g, ' ').replace(/ This may be due.*$/, '').trim().replace(/\.$/, '');
  const unknown = /^Unknown (\w+): (.*)$/.exec(message);
  const named = unknown ? Object.keys(config).find((k) => config[k] === unknown[2]) : undefined;
  if (unknown && named === 'activation') {
    return new LayerError(index, `unknown activation "${unknown[2]}"${didYouMean(unknown[2], ACTIVATIONS)}; activations: ${ACTIVATIONS.join(', ')}`, 'activation');
  }
  if (unknown && named) {
    const hint = /initializer/i.test(unknown[1]) ? closest(unknown[2], INITIALIZERS) : undefined;
    const fix = hint ? `did you mean "${hint}"?` : 'check its spelling in the tf.layers documentation (names are camelCase, such as "glorotUniform")';
    return new LayerError(index, `${type} has no ${unknown[1]} "${unknown[2]}" for "${named}": ${fix}`, named);
  }
  const options = [...(optionsOf(type) ?? []), ...Object.keys(config)].sort((a, b) => b.length - a.length);
  const option = options.find((k) => new RegExp(`\\b${k}\\b`).test(message)) ?? Object.keys(config).find((k) => typeof config[k] === 'string' && message.startsWith(`${String(config[k])} `));
  if (option && config[option] === undefined) {
    return new LayerError(index, `${type} needs "${option}": add "${option}": ${EXAMPLES[option] ?? '…'} to this layer`, option);
  }
  const why = message.charAt(0).toLowerCase() + message.slice(1);
  if (option) return new LayerError(index, `${type} cannot use "${option}": ${JSON.stringify(config[option])} (${why}): change "${option}"`, option);
  return new LayerError(index, `${type} cannot be made from these options (${why}): check them against the tf.layers documentation`);
}

/** Creates the tf.layers layer for `spec` (no weights yet); throws LayerError on a bad spec. */
export function createLayer(spec: LayerSpec, index: number, inputShape?: Shape, name?: string): tfl.layers.Layer {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new LayerError(index, 'a layer is an object such as { "type": "dense", "units": 128 }');
  }
  const { type, ...config } = spec;
  if (typeof type !== 'string') throw new LayerError(index, 'a layer needs "type": a tf.layers name such as "dense" or "conv2d"', 'type');
  if (!LAYER_TYPES.includes(type)) {
    const hint = suggestLayer(type);
    const fix = hint ? `did you mean "${hint}"?${hint.toLowerCase() === type.toLowerCase() ? ' (layer types are case-sensitive)' : ''}` : 'use a tf.layers name such as "dense", "conv2d", "conv2dTranspose", "reshape", "flatten" or "dropout"';
    throw new LayerError(index, `unknown layer type "${type}": ${fix}`, 'type');
  }
  rejectUnknownOptions(type, config, index);
  // Some layers rewrite array options in place (reshape turns -1 into null): give them copies.
  const copy = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, Array.isArray(v) ? [...(v as unknown[])] : v]));
  try {
    return registry[type]({ ...copy, ...(inputShape ? { inputShape } : {}), ...(name ? { name } : {}) });
  } catch (e) {
    throw constructionError(type, config, index, e);
  }
}

const product = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const side = (v: unknown) => (Array.isArray(v) ? v.join('×') : `${String(v)}×${String(v)}`);

/** Output shape after every layer of `specs`, from `input`; throws LayerError where it breaks. */
export function inferShapes(specs: readonly LayerSpec[], input: Shape): Shape[] {
  const shapes: Shape[] = [];
  let shape = input;
  specs.forEach((spec, i) => {
    const layer = createLayer(spec, i);
    checkInputRank(spec, shape, i);
    let out: (number | null)[];
    try {
      out = layer.computeOutputShape([null, ...shape]) as (number | null)[];
    } catch (e) {
      const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
      throw new LayerError(i, `${spec.type} cannot take input of shape ${formatShape(shape)} (${why}): change this layer or the ones before it`);
    }
    // tf's reshape leaves a -1 unresolved when the batch size is unknown; resolve it here.
    const target = spec.type === 'reshape' && Array.isArray(spec.targetShape) ? (spec.targetShape as number[]) : undefined;
    const dims = target ? target.map((d) => (d === -1 ? product(shape) / product(target.filter((t) => t !== -1)) : d)) : out.slice(1);
    if (dims.some((d) => d === null || !Number.isFinite(d) || (d as number) <= 0)) throw emptyOutput(spec, layer, input, shape, dims, i);
    shape = dims as number[];
    shapes.push(shape);
  });
  return shapes;
}

/** The LayerError for a layer whose output has no values: usually a window larger than its input. */
function emptyOutput(spec: LayerSpec, layer: tfl.layers.Layer, input: Shape, shape: Shape, dims: (number | null)[], i: number): LayerError {
  const config = layer.getConfig();
  const option = 'kernelSize' in config ? 'kernelSize' : 'poolSize' in config ? 'poolSize' : undefined;
  if (!option || shape.length < 2) return new LayerError(i, `${spec.type} turns ${formatShape(shape)} into ${formatShape(dims)}, which has no values: check its options and the shapes before it`);
  const size = shape.slice(0, -1).join('×');
  const shrunk = input.length === shape.length && input.slice(0, -1).join('×') !== size ? ` (earlier layers shrank the ${input.slice(0, -1).join('×')} input to ${size})` : '';
  const fixes = [`a smaller "${option}"`, '"padding": "same"', ...(shrunk ? ['fewer stride-2 or pooling layers before it'] : [])];
  return new LayerError(i, `${spec.type} has a ${side(config[option])} window that does not fit its ${size} input${shrunk}: use ${fixes.slice(0, -1).join(', ')} or ${fixes[fixes.length - 1]}`, option in spec ? option : undefined);
}

/** A [h, w, c] shape holding `n` values, for "reshape to …" hints. */
function imageShapeFor(n: number): string {
  for (const c of [1, 2, 3, 4, 8, 16, 32, 64, 128, 256]) {
    const s = Math.round(Math.sqrt(n / c));
    if (s * s * c === n && s <= 28) return `[${s}, ${s}, ${c}]`;
  }
  return '[height, width, channels]';
}

/** Rank checks that computeOutputShape itself skips: 2-D layers need [h, w, c], reshape keeps size. */
function checkInputRank(spec: LayerSpec, shape: Shape, i: number): void {
  const want = /2d$/i.test(spec.type) ? 3 : /1d$/i.test(spec.type) ? 2 : /3d$/i.test(spec.type) ? 4 : 0;
  if (want && spec.dataFormat === 'channelsFirst') {
    throw new LayerError(i, `${spec.type} gets images as [height, width, channels] in GenLab: remove "dataFormat": "channelsFirst"`, 'dataFormat');
  }
  if (want && shape.length !== want) {
    const what = ['', '', '[steps, channels]', '[height, width, channels]', '[depth, height, width, channels]'][want];
    const target = want === 3 && shape.length === 1 ? imageShapeFor(shape[0]) : want === 2 && shape.length === 1 ? `[${shape[0]}, 1]` : undefined;
    const fix = target ? `add { "type": "reshape", "targetShape": ${target} } before it` : `reshape its input to ${what} first`;
    throw new LayerError(i, `${spec.type} needs ${want === 3 ? 'an image' : 'input shaped'} ${what}, but gets ${formatShape(shape)}: ${fix}`);
  }
  if (spec.type === 'reshape' && Array.isArray(spec.targetShape)) {
    const target = spec.targetShape as number[];
    if (target.filter((d) => d === -1).length > 1) throw new LayerError(i, 'reshape can infer only one dimension: keep one -1 in "targetShape" and write the others', 'targetShape');
    const known = product(target.filter((d) => d !== -1));
    const n = product(shape);
    const ok = target.includes(-1) ? n % known === 0 : known === n;
    if (!ok) {
      const head = product(target.slice(0, -1));
      const fix = !target.includes(-1) && target.length > 1 && n % head === 0 ? `, e.g. ${formatShape([...target.slice(0, -1), n / head])}` : '';
      throw new LayerError(i, `reshape cannot turn ${formatShape(shape)} (${n} values) into ${formatShape(target)}${target.includes(-1) ? '' : ` (${known} values)`}: the target shape must hold exactly ${n} values${fix}`, 'targetShape');
    }
  }
}

/** Whether a network takes images ([h, w, c]) rather than flat vectors: it starts with a 2-D layer. */
export function takesImages(specs: readonly LayerSpec[]): boolean {
  return /2d$/i.test(specs[0]?.type ?? '');
}

/** Builds a sequential model from `specs` taking `input` (weights are created on the backend). */
export function buildSequential(name: string, specs: readonly LayerSpec[], input: Shape, seed: number): tfl.Sequential {
  const model = tfl.sequential({ name });
  const shapes = inferShapes(specs, input);
  specs.forEach((written, i) => {
    // tf.layers' reshape cannot infer a -1 without a batch size: give it the shape inferShapes found.
    const spec = written.type === 'reshape' && Array.isArray(written.targetShape) && written.targetShape.includes(-1) ? { ...written, targetShape: shapes[i] } : written;
    const withInit = 'kernelInitializer' in spec || !/dense|conv/i.test(spec.type) ? spec : { ...spec, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + i }) };
    model.add(createLayer(withInit, i, i === 0 ? input : undefined, `${name}_${i}`));
  });
  return model;
}
