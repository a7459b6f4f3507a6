/**
 * Checks of what a model file's network gives, once its shapes are known (networks.ts walks them):
 * a flat output of the size its family needs, one value for each value of an example, and the
 * activation it ends in: logits where the loss applies the sigmoid itself, a sigmoid for a
 * generator of images in [0, 1], and no bounded activation where the outputs must reach beyond
 * it (points, the noise ε). Part of the checker (check.ts).
 */
import { formatShape, layerName, networkName, values } from './hints';
import type { Shape } from './layers';
import type { DataContext, Path, Report } from './networks';
import type { LayerSpec } from './types';

const product = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** A flat output a network must give: how many values, what they are, who needs them, and another fix for a count that differs. */
export interface FlatOutput {
  size: number;
  why: string;
  needs: string;
  orElse?: (written: number) => string;
}

/** Checks a network's output (`shapes` from its input on) is a flat vector of `want.size` values. */
export function checkFlatOutput(network: string, specs: readonly LayerSpec[], shapes: Shape[], want: FlatOutput, report: Report): void {
  const out = shapes[shapes.length - 1];
  const { size, why } = want;
  if (out.length === 1 && out[0] === size) return;
  const last: Path = ['networks', network, specs.length - 1];
  if (out.length > 1) {
    const i = specs.findIndex((l, k) => l.type === 'dense' && shapes[k].length > 1);
    if (i >= 0) {
      report('error', `${layerName(network, i, 'dense')} gets an image ${formatShape(shapes[i])}, so ${networkName(network)} outputs ${formatShape(out)} instead of a flat vector of ${values(size)} (${why}): add { "type": "flatten" } before this layer`, ['networks', network, i]);
    } else {
      report('error', `${networkName(network)} outputs ${formatShape(out)}, but must output a flat vector of ${values(size)} (${why}): end it with { "type": "flatten" }, { "type": "dense", "units": ${size} }`, last);
    }
    return;
  }
  const fix = specs[specs.length - 1].type === 'dense' ? `give its last layer "units": ${size}` : `end it with { "type": "dense", "units": ${size} }`;
  report('error', `${networkName(network)} outputs ${values(out[0])}, but ${want.needs} ${size} (${why}): ${fix}${want.orElse?.(out[0]) ?? ''}`, last);
}

/** A decoder, generator or denoiser must output one value for each value of an example; `predicts` says what, if not the example itself. */
export function checkDataOutput(network: string, specs: readonly LayerSpec[], out: Shape, data: DataContext, predicts?: string): void {
  const { shape, features } = data;
  if (product(out) === features) return;
  const last = specs[specs.length - 1];
  const example = shape.kind === 'points' ? `a ${features}-D point` : `${shape.height}×${shape.width}×${shape.channels}`;
  let fix: string;
  if (last.type === 'dense' && out.length === 1) fix = `give its last layer "units": ${features}`;
  else if (out.length === 3 && out[0] === shape.height && out[1] === shape.width && 'filters' in last) fix = `give its last layer "filters": ${shape.channels}`;
  else if (out.length === 3) fix = `make its output ${shape.height}×${shape.width} (check the strides and the reshape before it) with ${shape.channels} channel${shape.channels > 1 ? 's' : ''}`;
  else fix = `end it with { "type": "dense", "units": ${features} }`;
  const outputs = out.length === 1 ? formatShape(out) : `${formatShape(out)} = ${product(out)} values`;
  data.report('error', `${networkName(network)} outputs ${outputs}, but each example has ${features} values (${example})${predicts ? ` and ${predicts}` : ''}: ${fix}`, ['networks', network, specs.length - 1]);
}

/** Warns when a network whose loss applies the sigmoid (or softmax) itself ends in one. */
export function checkLogitEnd(network: string, specs: readonly LayerSpec[], why: string, report: Report): void {
  const last = specs[specs.length - 1];
  if (!last || (last.activation !== 'sigmoid' && last.activation !== 'softmax')) return;
  const layer = last.type === 'activation';
  const fix = layer ? 'remove this layer' : `remove "activation": "${last.activation}"`;
  const path: Path = ['networks', network, specs.length - 1, ...(layer ? [] : ['activation'])];
  report('warning', `${networkName(network)} ends in ${last.activation}, but ${why}, so the last layer must output logits: ${fix}`, path, layer ? 'value' : 'property');
}

/** Layers that only move values around, skipped when looking for a network's last activation. */
const SHAPE_ONLY = new Set(['reshape', 'flatten', 'permute', 'dropout']);
/** Layers that are an activation themselves. */
const ACTIVATION_LAYERS: Record<string, string> = { reLU: 'relu', leakyReLU: 'leakyReLU', elu: 'elu', prelu: 'prelu', thresholdedReLU: 'thresholdedReLU', softmax: 'softmax' };
/** The range each bounded activation keeps its outputs in. */
const BOUNDED: Record<string, string> = { sigmoid: '(0, 1)', hardSigmoid: '[0, 1]', tanh: '(−1, 1)', softsign: '(−1, 1)', softmax: '(0, 1)' };

/** The ranges a denoiser's bounded (or one-sided) activations keep its outputs in. */
export const DENOISER_BOUNDED: Record<string, string> = { ...BOUNDED, relu: '[0, ∞)', relu6: '[0, 6]', softplus: '(0, ∞)', elu: '(−1, ∞)' };

/** The last layer of a network that is not shape-only, and the activation it ends in. */
interface NetworkEnd {
  index: number;
  layer: LayerSpec;
  activation?: string;
  /** The activation is an "activation" option of the layer, not a layer of its own. */
  option: boolean;
}

/** Where a network ends: its last layer that does more than move values around. */
function networkEnd(specs: readonly LayerSpec[]): NetworkEnd | undefined {
  let index = specs.length - 1;
  while (index > 0 && SHAPE_ONLY.has(specs[index].type)) index--;
  const layer = specs[index];
  if (!layer) return undefined;
  const own = typeof layer.activation === 'string' ? layer.activation : undefined;
  const activation = layer.type === 'activation' ? own : (ACTIVATION_LAYERS[layer.type] ?? own);
  return { index, layer, activation, option: own !== undefined && layer.type !== 'activation' };
}

/** Warns when a network whose `outputs` must be unbounded (points, noise) ends in an activation of `bounded`; `beyond` says why. */
export function checkUnboundedEnd(network: string, specs: readonly LayerSpec[], outputs: string, beyond: string, report: Report, bounded: Record<string, string> = BOUNDED): void {
  const end = networkEnd(specs);
  const act = end?.activation;
  if (!end || act === undefined || !(act in bounded)) return;
  const path: Path = ['networks', network, end.index];
  const fix = end.option ? `remove "activation": "${act}" so that it ends linear` : 'remove this layer so that it ends linear';
  report('warning', `${networkName(network)} ends in ${act}, which keeps its ${outputs} within ${bounded[act]}, but ${beyond}: ${fix}`, end.option ? [...path, 'activation'] : path, end.option ? 'property' : 'value');
}

/**
 * A generator's samples must be able to reach the data: images are in [0, 1], so a generator of
 * images ends in a sigmoid; toy points spread over about [−3, 3], so a generator of points ends
 * linear (as the real examples the discriminator compares them with).
 */
export function checkGeneratorEnd(specs: readonly LayerSpec[], data: DataContext): void {
  if (data.shape.kind === 'points') {
    checkUnboundedEnd('generator', specs, 'samples', `the points of "${data.name}" reach beyond that`, data.report);
    return;
  }
  const end = networkEnd(specs);
  if (!end) return;
  const { layer, activation: act, option } = end;
  if (act === 'sigmoid' || act === 'hardSigmoid') return;
  const path: Path = ['networks', 'generator', end.index];
  let fix: string;
  let at: Path = path;
  if (layer.type === 'activation' || layer.type in ACTIVATION_LAYERS) fix = 'replace this layer with { "type": "activation", "activation": "sigmoid" }';
  else if (option) [fix, at] = ['use "activation": "sigmoid"', [...path, 'activation']];
  else if (/^(dense|conv|separableConv|depthwiseConv)/.test(layer.type)) fix = 'add "activation": "sigmoid" to this layer';
  else fix = 'add { "type": "activation", "activation": "sigmoid" } after this layer';
  const what = act === undefined || act === 'linear' ? 'a linear layer' : act;
  data.report('warning', `the generator ends in ${what}, so its samples are not kept in [0, 1] as the images are: ${fix}`, at);
}
