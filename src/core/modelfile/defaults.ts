/** Fills every default into a model file, so that `{ "family": "vae" }` alone trains. */
import type { DataShape } from '../family';
import { CONDITIONAL_FAMILIES, FAMILY_VIEWS, GAN_FAMILIES, type DataSpec, type Family, type LayerSpec, type ModelFile, type ModelSpec } from './types';

/** Hidden width of the default networks. */
export const DEFAULT_HIDDEN_UNITS = 512;
/** Hidden width of the default GAN networks. */
export const GAN_HIDDEN_UNITS = 256;

const POINTS: DataShape = { height: 1, width: 2, channels: 1, classes: 1, kind: 'points' };
/** Shape of each bundled or downloadable data set. */
export const BUNDLED_SHAPES: Record<string, DataShape> = {
  mnist: { height: 28, width: 28, channels: 1, classes: 10 },
  'mnist-full': { height: 28, width: 28, channels: 1, classes: 10 },
  'fashion-mnist': { height: 28, width: 28, channels: 1, classes: 10 },
  ring: { ...POINTS, classes: 8 },
  grid: { ...POINTS, classes: 25 },
  moons: { ...POINTS, classes: 2 },
  spiral: POINTS,
  /** Text: one "example" per character; classes is the vocabulary size once the text is read. */
  shakespeare: { height: 1, width: 1, channels: 1, classes: 65, kind: 'text' },
};

/** The defaults of the three families of issue 5, which each family's code reads. */
export const TRANSFORMER_DEFAULTS = { layers: 2, heads: 4, embedding: 64, context: 64, dropout: 0 } as const;
/** RealNVP's default number of coupling layers. */
export const FLOW_DEFAULTS = { couplings: 8 } as const;
/**
 * DDPM's default schedule: T = 200 (small data), linear β from 1e-4 to 0.05. Ho et al. use
 * T = 1000 up to 0.02; with 200 steps β must end higher for ᾱ_T to reach noise (here 0.006).
 */
export const DIFFUSION_DEFAULTS = { steps: 200, schedule: 'linear', betaStart: 1e-4, betaEnd: 0.05 } as const;
/** Width of the sinusoidal time embedding a DDPM's denoiser receives next to x_t. */
export const TIME_EMBEDDING_DIMS = 16;

/** Data a family trains on when its file names none (MNIST otherwise). */
export const DEFAULT_DATA: Partial<Record<Family, 'shakespeare' | 'moons'>> = { autoregressive: 'shakespeare', flow: 'moons' };

/** The default latent size of a family on data of `shape`. */
export function defaultLatentDim(family: Family, shape: DataShape): number {
  if (GAN_FAMILIES.includes(family)) return shape.kind === 'points' ? 8 : 64;
  return 2;
}

const dense = (units: number, activation?: string): LayerSpec => (activation ? { type: 'dense', units, activation } : { type: 'dense', units });
const leaky: LayerSpec = { type: 'leakyReLU', alpha: 0.2 };

/** DCGAN's networks (Radford et al. 2016) scaled to small images: two stride-2 (transposed) convolutions, batch norm in G, leaky ReLU in D. */
function dcganNetworks(shape: DataShape): Record<string, LayerSpec[]> {
  const h = Math.ceil(shape.height / 4), w = Math.ceil(shape.width / 4);
  return {
    generator: [
      dense(h * w * 64), { type: 'batchNormalization' }, { type: 'reLU' },
      { type: 'reshape', targetShape: [h, w, 64] },
      { type: 'conv2dTranspose', filters: 32, kernelSize: 4, strides: 2, padding: 'same' }, { type: 'batchNormalization' }, { type: 'reLU' },
      { type: 'conv2dTranspose', filters: shape.channels, kernelSize: 4, strides: 2, padding: 'same', activation: 'sigmoid' },
    ],
    discriminator: [
      { type: 'conv2d', filters: 32, kernelSize: 4, strides: 2, padding: 'same' }, leaky,
      { type: 'conv2d', filters: 64, kernelSize: 4, strides: 2, padding: 'same' }, leaky,
      { type: 'flatten' }, dense(1),
    ],
  };
}

/**
 * The default networks of a family for data of `shape`. Networks end in logits where a loss
 * applies the sigmoid itself (VAE and autoencoder decoders, discriminators); a generator ends
 * in a sigmoid for images in [0, 1] and is linear for points.
 */
export function defaultNetworks(family: ModelFile['family'], latentDim: number, shape: DataShape, hiddenUnits = DEFAULT_HIDDEN_UNITS): Record<string, LayerSpec[]> {
  const features = shape.height * shape.width * shape.channels;
  const points = shape.kind === 'points';
  const g = points ? 128 : GAN_HIDDEN_UNITS;
  const generatorOut = points ? dense(features) : dense(features, 'sigmoid');
  switch (family) {
    case 'vae':
    case 'autoencoder':
      return {
        encoder: [dense(hiddenUnits, 'relu'), dense(family === 'vae' ? 2 * latentDim : latentDim)],
        decoder: [dense(hiddenUnits, 'relu'), dense(features)],
      };
    case 'gan':
      return {
        generator: [dense(g, 'relu'), dense(g, 'relu'), generatorOut],
        discriminator: [dense(g), leaky, dense(g), leaky, dense(1)],
      };
    case 'cgan':
    case 'acgan':
      // Batch norm in G and dropout in D keep D from winning outright on MNIST (without them both
      // collapsed to one blob at chance accuracy in bench/cgan-mnist.ts).
      return {
        generator: [dense(g), { type: 'batchNormalization' }, { type: 'reLU' }, dense(g), { type: 'batchNormalization' }, { type: 'reLU' }, generatorOut],
        discriminator: [dense(g), leaky, { type: 'dropout', rate: 0.3 }, dense(g), leaky, { type: 'dropout', rate: 0.3 }, dense(family === 'acgan' ? 1 + shape.classes : 1)],
      };
    case 'dcgan':
      return points ? defaultNetworks('gan', latentDim, shape, hiddenUnits) : dcganNetworks(shape);
    case 'flow':
      // The hidden layers of each coupling's s and t network; the flow adds the output layer (2 × dims).
      return { coupling: [dense(128, 'relu'), dense(128, 'relu')] };
    case 'diffusion':
      // ε-prediction: input x_t with the time embedding (concatenated for points, as extra channels for images), output ε.
      return points
        ? { denoiser: [dense(128, 'relu'), dense(128, 'relu'), dense(128, 'relu'), dense(features)] }
        : {
            denoiser: [
              { type: 'conv2d', filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' },
              { type: 'conv2d', filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' },
              { type: 'conv2d', filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' },
              { type: 'conv2d', filters: shape.channels, kernelSize: 3, padding: 'same' },
            ],
          };
    default:
      return {};
  }
}

/** Resolves `file` against data of `shape`: every option not written gets its default. */
export function resolveModelFile(file: ModelFile, shape: DataShape, hiddenUnits = DEFAULT_HIDDEN_UNITS): ModelSpec {
  const latentDim = file.latentDim ?? defaultLatentDim(file.family, shape);
  const written: DataSpec = typeof file.data === 'string' ? { dataset: file.data } : { ...(file.data ?? {}) };
  const data: DataSpec = written.dataset === undefined && written.path === undefined ? { ...written, dataset: DEFAULT_DATA[file.family] ?? 'mnist' } : written;
  const defaults = defaultNetworks(file.family, latentDim, shape, hiddenUnits);
  const gan = GAN_FAMILIES.includes(file.family);
  const points = shape.kind === 'points';
  const l = file.loss ?? {};
  const o = file.optimizer ?? {};
  const beta1 = o.beta1 ?? (gan ? 0.5 : undefined); // DCGAN's Adam β1 = 0.5
  return {
    family: file.family,
    name: file.name ?? file.family,
    data: { ...data, heldout: data.heldout ?? 0.1 },
    latentDim,
    networks: { ...defaults, ...(file.networks ?? {}) },
    tiedWeights: file.tiedWeights ?? false,
    loss: {
      beta: l.beta ?? 1,
      reconstruction: l.reconstruction ?? (points ? 'gaussian' : 'bernoulli'),
      sigma: l.sigma ?? 0.1,
      klWarmup: l.klWarmup ?? 0,
      generator: l.generator ?? 'non-saturating',
      labelSmoothing: l.labelSmoothing ?? 0,
    },
    optimizer: {
      type: o.type ?? 'adam',
      learningRate: o.learningRate ?? (gan ? (points ? 1e-3 : 2e-4) : 1e-3),
      ...(beta1 !== undefined ? { beta1 } : {}),
      ...(o.beta2 !== undefined ? { beta2: o.beta2 } : {}),
      ...(o.momentum !== undefined ? { momentum: o.momentum } : {}),
    },
    training: {
      batchSize: file.training?.batchSize ?? 128,
      epochs: file.training?.epochs ?? 10,
      seed: file.training?.seed ?? 1,
      discriminatorSteps: file.training?.discriminatorSteps ?? 1,
    },
    transformer: { ...TRANSFORMER_DEFAULTS, ...(file.transformer ?? {}) },
    flow: { ...FLOW_DEFAULTS, ...(file.flow ?? {}) },
    diffusion: { ...DIFFUSION_DEFAULTS, ...(file.diffusion ?? {}) },
    views: file.views ?? [...(FAMILY_VIEWS[file.family] ?? [])],
  };
}

/** Whether a family is conditioned on class labels. */
export const isConditional = (family: Family): boolean => CONDITIONAL_FAMILIES.includes(family);
