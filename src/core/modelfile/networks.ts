/**
 * Checks of a model file's networks: the networks a family needs, and the shapes through every
 * layer: what each network takes (data, a latent code z, z with a one-hot label, x_t with its
 * time embedding) and what it must give (a code of latentDim values, an example, a logit, the
 * noise ε), and the activations at their ends (those last checks in networkOutputs.ts). Part of
 * the checker (check.ts).
 */
import type { DataShape } from '../family';
import { resolveModelFile, TIME_EMBEDDING_DIMS } from './defaults';
import { closest, dataName, formatShape, layerName, networkName, values } from './hints';
import { inferShapes, LayerError, takesImages, type Shape } from './layers';
import { checkDataOutput, checkFlatOutput, checkGeneratorEnd, checkLogitEnd, checkUnboundedEnd, DENOISER_BOUNDED } from './networkOutputs';
import type { RangeTarget } from './parse';
import { GAN_FAMILIES, REQUIRED_NETWORKS, type Family, type LayerSpec, type ModelFile, type ModelSpec } from './types';

/** A JSON path into the model file. */
export type Path = Array<string | number>;
/** Reports a problem at `path` (its value, key, whole property or first character). */
export type Report = (severity: 'error' | 'warning', message: string, path: Path, at?: RangeTarget) => void;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether `file` is an autoencoder whose decoder is the transpose of its encoder. */
export const isTied = (file: ModelFile): boolean => file.family === 'autoencoder' && file.tiedWeights === true;

/** Checks that `file.networks` has each network its family needs, and only those. */
export function checkNetworkNames(file: ModelFile, report: Report): void {
  const networks: unknown = file.networks;
  if (!isObject(networks)) return;
  const known = REQUIRED_NETWORKS[file.family];
  if (known.length === 0) return; // a family without networks: "networks" is ignored as a whole (see ignoredSettings)
  const required = isTied(file) ? known.filter((n) => n !== 'decoder') : known;
  const missing = required.filter((n) => !(n in networks));
  const extra = Object.keys(networks).filter((n) => !known.includes(n));
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

/** How messages name a family: "a VAE", "an AC-GAN". */
const FAMILY_NAMES: Partial<Record<Family, string>> = { autoencoder: 'an autoencoder', vae: 'a VAE', gan: 'a GAN', dcgan: 'a DCGAN', cgan: 'a CGAN', acgan: 'an AC-GAN' };

/** The data a family's networks are checked against. */
export interface DataContext {
  shape: DataShape;
  /** Values in one example: h·w·c for images, 2 for a 2-D point. */
  features: number;
  /** The data set as the user named it, for messages ("ring"). */
  name: string;
  report: Report;
}

/**
 * The data as a network takes it: an image [h, w, c] if it starts with a 2-D layer (or, for an
 * autoencoder's encoder, with a flatten), else flat: as the families build their networks.
 */
function dataInput(specs: readonly LayerSpec[], data: DataContext, leadingFlatten = false): Shape {
  const image = takesImages(specs) || (leadingFlatten && specs[0]?.type === 'flatten');
  return image ? [data.shape.height, data.shape.width, data.shape.channels] : [data.features];
}

/**
 * Checks shapes through the networks of `file` for data of `shape`: each network from its
 * input to the output its family needs. `skip(name)` tells which networks already have
 * problems of their own (from the schema) and are not walked.
 */
export function checkNetworkShapes(file: ModelFile, shape: DataShape, skip: (network: string) => boolean, report: Report): void {
  const spec = resolveModelFile(file, shape);
  const data: DataContext = { shape, features: shape.height * shape.width * shape.channels, name: dataName(file.data), report };
  const network = (net: string): LayerSpec[] | undefined => {
    const specs = spec.networks[net];
    if (!isLayerList(specs) || skip(net)) return undefined;
    return shape.kind === 'points' && reportImageLayer(net, specs, data) ? undefined : specs;
  };
  if (spec.family === 'autoencoder' || spec.family === 'vae') checkAutoencoder(spec, data, network);
  else if (GAN_FAMILIES.includes(spec.family)) checkGan(spec, data, network);
  else if (spec.family === 'flow') checkCoupling(data, network);
  else if (spec.family === 'diffusion') checkDenoiser(data, network);
}

/** An autoencoder's or a VAE's encoder (data → z, or μ and log σ²) and decoder (z → one logit per value). */
function checkAutoencoder(spec: ModelSpec, data: DataContext, network: (net: string) => LayerSpec[] | undefined): void {
  const latent = spec.latentDim;
  const vae = spec.family === 'vae';
  const tied = spec.family === 'autoencoder' && spec.tiedWeights === true;
  const enc = network('encoder');
  if (enc && !(tied && reportUntiable(enc, data.report))) {
    const shapes = walk('encoder', enc, dataInput(enc, data, !vae), data.report);
    if (shapes) {
      checkFlatOutput('encoder', enc, shapes, {
        size: vae ? 2 * latent : latent,
        why: vae ? `μ and log σ² for each of the ${latent} latent dimensions` : `the code z, one value for each of the ${latent} latent dimensions`,
        needs: `${FAMILY_NAMES[spec.family]} with latentDim ${latent} needs`,
        orElse: (n) => (vae ? n % 2 === 0 && n / 2 <= 512 : n <= 512) ? `, or set "latentDim": ${vae ? n / 2 : n} to match the encoder` : '',
      }, data.report);
    }
  }
  const dec = tied ? undefined : network('decoder');
  if (dec) {
    const shapes = walk('decoder', dec, [latent], data.report);
    if (shapes) checkDataOutput('decoder', dec, shapes[shapes.length - 1], data);
    if (spec.loss.reconstruction === 'bernoulli') checkLogitEnd('decoder', dec, 'the Bernoulli loss applies the sigmoid itself', data.report);
  }
}

/** A GAN's generator (z, with a one-hot label if conditional → an example) and discriminator (example → logits). */
function checkGan(spec: ModelSpec, data: DataContext, network: (net: string) => LayerSpec[] | undefined): void {
  const { family, latentDim } = spec;
  const classes = data.shape.classes;
  const acgan = family === 'acgan';
  const conditional = family === 'cgan' || acgan;
  const gen = network('generator');
  if (gen) {
    const about = conditional ? `${latentDim + classes} values, z (${latentDim}) and the one-hot label (${classes})` : undefined;
    const shapes = walk('generator', gen, [conditional ? latentDim + classes : latentDim], data.report, about);
    if (shapes) checkDataOutput('generator', gen, shapes[shapes.length - 1], data);
    checkGeneratorEnd(gen, data);
  }
  const disc = network('discriminator');
  if (!disc) return;
  // A CGAN's D also gets the label: appended to the flattened example, or as extra channels of an image.
  const { height, width, channels } = data.shape;
  const image = takesImages(disc);
  const cgan = family === 'cgan';
  const input = cgan ? (image ? [height, width, channels + classes] : [data.features + classes]) : dataInput(disc, data);
  const label = image ? `${formatShape(input)}, the image with the one-hot label as ${classes} more channels` : `${data.features + classes} values, the flattened example (${data.features}) and the one-hot label (${classes})`;
  const shapes = walk('discriminator', disc, input, data.report, cgan ? label : undefined);
  if (shapes) {
    checkFlatOutput('discriminator', disc, shapes, {
      size: acgan ? 1 + classes : 1,
      why: acgan ? `a real-or-fake logit and a logit for each of the ${classes} classes` : 'a logit: how real the example looks',
      needs: `${FAMILY_NAMES[family]}'s discriminator${acgan ? ` on ${classes} classes` : ''} needs`,
    }, data.report);
  }
  checkLogitEnd('discriminator', disc, acgan ? 'the AC-GAN loss applies the sigmoid and the softmax itself' : 'the GAN loss applies the sigmoid itself', data.report);
}

/**
 * A flow's coupling: the hidden layers of the s and t networks of every affine coupling
 * (Dinh et al. 2017), which take the example with some of its values masked: flat, or as an
 * image if they start with a 2-D layer (as realnvp.ts builds them). The flow adds their output
 * layer, a dense one after flat layers and a conv2d giving s and t for every pixel after 2-D ones.
 */
function checkCoupling(data: DataContext, network: (net: string) => LayerSpec[] | undefined): void {
  const specs = network('coupling');
  if (!specs) return;
  const { height: h, width: w } = data.shape;
  const image = data.shape.kind !== 'points' && takesImages(specs);
  const shapes = walk('coupling', specs, dataInput(specs, data), data.report);
  const out = shapes?.[shapes.length - 1];
  if (!image || !out || out.length !== 3 || (out[0] === h && out[1] === w)) return;
  data.report('error', `the coupling's layers end in ${formatShape(out)}, but a convolutional coupling must keep the ${h}×${w} size of the image, as the flow ends it with a conv2d that gives s and t for every pixel: use "padding": "same" without strides or pooling, or end it with { "type": "flatten" } so that the flow adds a dense layer instead`, ['networks', 'coupling', specs.length - 1]);
}

/**
 * A DDPM's denoiser ε_θ(x_t, t) (Ho et al. 2020): x_t with a sinusoidal embedding of t, appended
 * to the flat example, or as extra channels of an image if the denoiser starts with a 2-D layer
 * (as ddpm.ts builds it) → the noise ε, one value for each value of x_t.
 */
function checkDenoiser(data: DataContext, network: (net: string) => LayerSpec[] | undefined): void {
  const specs = network('denoiser');
  if (!specs) return;
  const { height, width, channels, kind } = data.shape;
  const t = TIME_EMBEDDING_DIMS;
  const image = kind !== 'points' && takesImages(specs);
  const input = image ? [height, width, channels + t] : [data.features + t];
  const x = kind === 'points' ? 'the noisy point x_t' : 'the flattened noisy image x_t';
  const about = image ? `${formatShape(input)}, the noisy image x_t with its time embedding as ${t} more channels` : `${data.features + t} values, ${x} (${data.features}) and its time embedding (${t})`;
  const shapes = walk('denoiser', specs, input, data.report, about);
  if (shapes) checkDataOutput('denoiser', specs, shapes[shapes.length - 1], data, 'it predicts the noise ε in each');
  checkUnboundedEnd('denoiser', specs, 'outputs', 'the noise ε it predicts is standard normal, mostly within [−3, 3]', data.report, DENOISER_BOUNDED);
}

/** Reports the first image layer (conv2d, …) of a network on point data; true if there is one. */
function reportImageLayer(network: string, specs: readonly LayerSpec[], data: DataContext): boolean {
  const i = specs.findIndex((l) => /2d/i.test(l.type));
  if (i < 0) return false;
  data.report('error', `${layerName(network, i, specs[i].type)} works on images, but "${data.name}" holds ${data.features}-D points (${values(data.features)} each): use dense layers, such as { "type": "dense", "units": 128 }, or remove "${network}" to use the default`, ['networks', network, i, 'type']);
  return true;
}

/** With tied weights the decoder is built from the encoder's transposed dense kernels: reports the first layer that has none. */
function reportUntiable(enc: readonly LayerSpec[], report: Report): boolean {
  const i = enc.findIndex((l, k) => l.type !== 'dense' && !(k === 0 && l.type === 'flatten'));
  if (i < 0) return false;
  report('error', `${layerName('encoder', i, enc[i].type)} cannot be tied: with "tiedWeights" the decoder uses the transposes of the encoder's dense weight matrices, so the encoder may have only dense layers (after an optional flatten first): replace this layer with dense layers, or set "tiedWeights": false`, ['networks', 'encoder', i]);
  return true;
}

/**
 * Infers shapes through one network, from its input on; reports the layer that breaks and
 * returns undefined. `about` describes an input that is not plain data, for errors in the first layer.
 */
function walk(network: string, specs: readonly LayerSpec[], input: Shape, report: Report, about?: string): Shape[] | undefined {
  const path: Path = ['networks', network];
  if (specs.length === 0) {
    report('error', `${networkName(network)} has no layers: add at least one, such as { "type": "dense", "units": 128 }, or remove it to use the default`, path);
    return undefined;
  }
  try {
    const shapes = [input, ...inferShapes(specs, input)];
    // tf.layers' flatten needs at least [steps, channels]; its computeOutputShape does not say so.
    const i = specs.findIndex((l, k) => l.type === 'flatten' && shapes[k].length === 1);
    if (i < 0) return shapes;
    report('error', `${layerName(network, i, 'flatten')} gets ${formatShape(shapes[i])}, which is flat already, and flatten needs an image [height, width, channels]: remove this layer`, [...path, i]);
    return undefined;
  } catch (e) {
    if (!(e instanceof LayerError)) throw e;
    const spec = specs[e.index];
    const written = e.option !== undefined && e.option in spec;
    const name = layerName(network, e.index, e.option === 'type' ? undefined : spec.type);
    const message = (e.message.startsWith(`${spec.type} `) ? `${name} ${e.message.slice(spec.type.length + 1)}` : `${name}: ${e.message}`) + (about && e.index === 0 ? ` (${networkName(network)} takes ${about})` : '');
    report('error', message, written ? [...path, e.index, e.option as string] : [...path, e.index], written ? e.at : 'value');
    return undefined;
  }
}
