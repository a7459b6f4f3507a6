/**
 * Networks from layer lists: each entry names a tf.layers layer ("dense", "conv2d", …) and
 * its config, as in a Keras model config. Shapes are inferred with each layer's own
 * computeOutputShape, which needs no backend and no weights, so the checker can run anywhere.
 */
import * as tfl from '@tensorflow/tfjs-layers';
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
  /** `index` is the layer's position; `option`, if set, the config key at fault. */
  constructor(readonly index: number, message: string, readonly option?: string) {
    super(message);
  }
}

/** The closest known layer type to `name`, for "did you mean" hints. */
export function suggestLayer(name: string): string | undefined {
  const lower = name.toLowerCase().replace(/[_-]/g, '');
  return LAYER_TYPES.find((t) => t.toLowerCase() === lower) ?? LAYER_TYPES.find((t) => t.toLowerCase().startsWith(lower.slice(0, 4)));
}

/** Creates the tf.layers layer for `spec` (no weights yet); throws LayerError on a bad spec. */
export function createLayer(spec: LayerSpec, index: number, inputShape?: Shape, name?: string): tfl.layers.Layer {
  const { type, ...config } = spec;
  if (typeof type !== 'string' || !LAYER_TYPES.includes(type)) {
    const hint = typeof type === 'string' ? suggestLayer(type) : undefined;
    throw new LayerError(index, `unknown layer type "${String(type)}"${hint ? `; did you mean "${hint}"?` : ''}`, 'type');
  }
  let layer: tfl.layers.Layer;
  try {
    layer = registry[type]({ ...config, ...(inputShape ? { inputShape } : {}), ...(name ? { name } : {}) });
  } catch (e) {
    const message = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    const option = Object.keys(config).find((k) => message.includes(k));
    throw new LayerError(index, `bad ${type} layer: ${message}`, option);
  }
  // tf.layers ignores options it does not know; a typo such as "unit" must not pass silently.
  const known = new Set([...Object.keys(layer.getConfig()), ...BASE_OPTIONS]);
  const unknown = Object.keys(config).find((k) => !known.has(k));
  if (unknown) throw new LayerError(index, `${type} has no option "${unknown}"; its options are ${[...Object.keys(layer.getConfig())].filter((k) => k !== 'name' && k !== 'trainable').join(', ')}`, unknown);
  return layer;
}

/** Options every layer accepts besides those in its getConfig(). */
const BASE_OPTIONS = ['inputShape', 'batchInputShape', 'batchSize', 'dtype', 'name', 'trainable', 'weights', 'inputDType'];

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
      throw new LayerError(i, `${spec.type} cannot take input of shape [${shape.join(', ')}]: ${e instanceof Error ? e.message : String(e)}`);
    }
    const dims = out.slice(1);
    if (dims.some((d) => d === null || !Number.isFinite(d) || (d as number) <= 0)) {
      throw new LayerError(i, `${spec.type} turns shape [${shape.join(', ')}] into [${dims.join(', ')}], which has no elements`);
    }
    shape = dims as number[];
    shapes.push(shape);
  });
  return shapes;
}

const product = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Rank checks that computeOutputShape itself skips: 2-D layers need [h, w, c], reshape keeps size. */
function checkInputRank(spec: LayerSpec, shape: Shape, i: number): void {
  const want = /2d$/i.test(spec.type) ? 3 : /1d$/i.test(spec.type) ? 2 : /3d$/i.test(spec.type) ? 4 : 0;
  if (want && shape.length !== want) {
    const fix = want === 3 ? '; add { "type": "reshape", "targetShape": [h, w, c] } before it' : '';
    throw new LayerError(i, `${spec.type} needs input of rank ${want} (without the batch), but gets shape [${shape.join(', ')}]${fix}`);
  }
  if (spec.type === 'reshape' && Array.isArray(spec.targetShape)) {
    const target = spec.targetShape as number[];
    const known = product(target.filter((d) => d !== -1));
    const ok = target.includes(-1) ? product(shape) % known === 0 : known === product(shape);
    if (!ok) throw new LayerError(i, `reshape cannot turn [${shape.join(', ')}] (${product(shape)} values) into [${target.join(', ')}]`, 'targetShape');
  }
}

/** Whether a network takes images ([h, w, c]) rather than flat vectors: it starts with a 2-D layer. */
export function takesImages(specs: readonly LayerSpec[]): boolean {
  return /2d$/i.test(specs[0]?.type ?? '');
}

/** Builds a sequential model from `specs` taking `input` (weights are created on the backend). */
export function buildSequential(name: string, specs: readonly LayerSpec[], input: Shape, seed: number): tfl.Sequential {
  const model = tfl.sequential({ name });
  specs.forEach((spec, i) => {
    const withInit = 'kernelInitializer' in spec || !/dense|conv/i.test(spec.type) ? spec : { ...spec, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + i }) };
    model.add(createLayer(withInit, i, i === 0 ? input : undefined, `${name}_${i}`));
  });
  return model;
}
