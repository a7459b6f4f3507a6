/**
 * Checks of a model file's networks: the networks a family needs, and for a VAE the shapes
 * through every layer, the encoder's 2·latentDim outputs, the decoder's output size and its
 * last activation. Part of the checker (check.ts).
 */
import type { DataShape } from '../family';
import { resolveModelFile } from './defaults';
import { closest, formatShape, layerName, networkName } from './hints';
import { inferShapes, LayerError, takesImages, type Shape } from './layers';
import type { RangeTarget } from './parse';
import { REQUIRED_NETWORKS, type LayerSpec, type ModelFile } from './types';

/** A JSON path into the model file. */
export type Path = Array<string | number>;
/** Reports a problem at `path` (its value, key, whole property or first character). */
export type Report = (severity: 'error' | 'warning', message: string, path: Path, at?: RangeTarget) => void;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const product = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Checks that `file.networks` has each network its family needs, and only those. */
export function checkNetworkNames(file: ModelFile, report: Report): void {
  const networks: unknown = file.networks;
  if (!isObject(networks)) return;
  const required = REQUIRED_NETWORKS[file.family];
  const missing = required.filter((n) => !(n in networks));
  const extra = Object.keys(networks).filter((n) => !required.includes(n));
  const renamed = new Map<string, string>(); // a name written → the needed network it misspells
  for (const name of missing) {
    const typo = closest(name, extra.filter((x) => !renamed.has(x)));
    if (typo !== undefined) renamed.set(typo, name);
  }
  for (const name of extra) {
    const meant = renamed.get(name);
    if (meant !== undefined) {
      report('error', `the ${file.family} family has no network "${name}": rename it to "${meant}", the network it needs`, ['networks', name], 'key');
    } else {
      report('warning', `the ${file.family} family does not use a network named "${name}", so it is ignored: remove it, or rename it to ${required.map((r) => `"${r}"`).join(' or ')}`, ['networks', name], 'key');
    }
  }
  for (const name of missing.filter((m) => ![...renamed.values()].includes(m))) {
    report('error', `the ${file.family} family needs ${/^[aeiou]/.test(name) ? 'an' : 'a'} "${name}" network: add "${name}": [ … ] to "networks", or remove "networks" to use the default networks`, ['networks'], 'key');
  }
}

/** Whether `spec` is a list of layer objects that each name a type. */
const isLayerList = (spec: unknown): spec is LayerSpec[] => Array.isArray(spec) && spec.every((l) => isObject(l) && typeof l.type === 'string');

/**
 * Checks shapes through a VAE's networks for data of `shape`; `skip(name)` tells which
 * networks already have problems of their own (from the schema) and are not walked.
 */
export function checkVaeNetworks(file: ModelFile, shape: DataShape, skip: (network: string) => boolean, report: Report): void {
  const spec = resolveModelFile(file, shape);
  const features = shape.height * shape.width * shape.channels;
  const latent = spec.latentDim;
  const { encoder: enc, decoder: dec } = spec.networks;
  if (isLayerList(enc) && !skip('encoder')) {
    const encIn: Shape = takesImages(enc) ? [shape.height, shape.width, shape.channels] : [features];
    const shapes = walk('encoder', enc, encIn, report);
    if (shapes) checkEncoderOutput(enc, [encIn, ...shapes], latent, report);
  }
  if (isLayerList(dec) && !skip('decoder')) {
    const shapes = walk('decoder', dec, [latent], report);
    const out = shapes?.[shapes.length - 1];
    if (out && product(out) !== features) reportDecoderOutput(dec, out, shape, report);
    const last = dec[dec.length - 1];
    if (last && spec.loss.reconstruction === 'bernoulli' && (last.activation === 'sigmoid' || last.activation === 'softmax')) {
      const layer = last.type === 'activation';
      const fix = layer ? 'remove this layer' : `remove "activation": "${last.activation}"`;
      const path: Path = ['networks', 'decoder', dec.length - 1, ...(layer ? [] : ['activation'])];
      report('warning', `the decoder ends in ${last.activation}, but the Bernoulli loss applies the sigmoid itself, so the last layer must output logits: ${fix}`, path, layer ? 'value' : 'property');
    }
  }
}

/** Infers shapes through one network, reporting the layer that breaks; undefined if one did. */
function walk(network: string, specs: readonly LayerSpec[], input: Shape, report: Report): Shape[] | undefined {
  const path: Path = ['networks', network];
  if (specs.length === 0) {
    report('error', `${networkName(network)} has no layers: add at least one, such as { "type": "dense", "units": 128 }, or remove it to use the default`, path);
    return undefined;
  }
  try {
    const shapes = inferShapes(specs, input);
    return shapes;
  } catch (e) {
    if (!(e instanceof LayerError)) throw e;
    const spec = specs[e.index];
    const written = e.option !== undefined && e.option in spec;
    const name = layerName(network, e.index, e.option === 'type' ? undefined : spec.type);
    const message = e.message.startsWith(`${spec.type} `) ? `${name} ${e.message.slice(spec.type.length + 1)}` : `${name}: ${e.message}`;
    report('error', message, written ? [...path, e.index, e.option as string] : [...path, e.index], written ? e.at : 'value');
    return undefined;
  }
}

/** The encoder must output μ and log σ²: a flat vector of 2·latentDim values. */
function checkEncoderOutput(enc: readonly LayerSpec[], shapes: Shape[], latent: number, report: Report): void {
  const out = shapes[shapes.length - 1];
  const want = 2 * latent;
  const why = `μ and log σ² for each of the ${latent} latent dimensions`;
  if (out.length === 1 && out[0] === want) return;
  if (out.length > 1) {
    const i = enc.findIndex((l, k) => l.type === 'dense' && shapes[k].length > 1);
    if (i >= 0) {
      report('error', `${layerName('encoder', i, 'dense')} gets an image ${formatShape(shapes[i])}, so the encoder outputs ${formatShape(out)} instead of a flat vector of ${want} values (${why}): add { "type": "flatten" } before this layer`, ['networks', 'encoder', i]);
    } else {
      report('error', `the encoder outputs ${formatShape(out)}, but must output a flat vector of ${want} values (${why}): end it with { "type": "flatten" }, { "type": "dense", "units": ${want} }`, ['networks', 'encoder', enc.length - 1]);
    }
    return;
  }
  const last = enc[enc.length - 1];
  const fix = last.type === 'dense' ? `give its last layer "units": ${want}` : `end it with { "type": "dense", "units": ${want} }`;
  const orLatent = out[0] % 2 === 0 ? `, or set "latentDim": ${out[0] / 2} to match the encoder` : '';
  report('error', `the encoder outputs ${out[0]} values, but a VAE with latentDim ${latent} needs ${want} (${why}): ${fix}${orLatent}`, ['networks', 'encoder', enc.length - 1]);
}

/** The decoder must output one value (a logit) for each value of an example. */
function reportDecoderOutput(dec: readonly LayerSpec[], out: Shape, shape: DataShape, report: Report): void {
  const features = shape.height * shape.width * shape.channels;
  const last = dec[dec.length - 1];
  const image = `${shape.height}×${shape.width}×${shape.channels}`;
  let fix: string;
  if (last.type === 'dense' && out.length === 1) fix = `give its last layer "units": ${features}`;
  else if (out.length === 3 && out[0] === shape.height && out[1] === shape.width && 'filters' in last) fix = `give its last layer "filters": ${shape.channels}`;
  else if (out.length === 3) fix = `make its output ${shape.height}×${shape.width} (check the strides and the reshape before it) with ${shape.channels} channel${shape.channels > 1 ? 's' : ''}`;
  else fix = `end it with { "type": "dense", "units": ${features} }`;
  const outputs = out.length === 1 ? formatShape(out) : `${formatShape(out)} = ${product(out)} values`;
  report('error', `the decoder outputs ${outputs}, but each example has ${features} values (${image}): ${fix}`, ['networks', 'decoder', dec.length - 1]);
}
