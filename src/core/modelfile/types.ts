/**
 * The model file (`*.genlab.json`): what a user writes, and the resolved specification that
 * every default has been filled into. Declarative data only; never executed.
 */

/** Model families a model file can name. */
export const FAMILIES = ['autoencoder', 'vae', 'gan', 'dcgan', 'cgan', 'acgan', 'autoregressive', 'flow', 'diffusion'] as const;
/** One model family. */
export type Family = (typeof FAMILIES)[number];
/** Families that train in this version. */
export const TRAINABLE_FAMILIES: readonly Family[] = ['autoencoder', 'vae', 'gan', 'dcgan', 'cgan', 'acgan', 'autoregressive', 'flow', 'diffusion'];

/** Bundled data sets, usable offline: MNIST digits, the 2-D toy sets (generated from a seed) and the tiny-shakespeare text. */
export const BUNDLED_DATASETS = ['mnist', 'ring', 'grid', 'moons', 'spiral', 'shakespeare'] as const;
/** One bundled data set. */
export type BundledDataset = (typeof BUNDLED_DATASETS)[number];

/** One layer of a network: a tf.layers layer name and its config, Keras style. */
export interface LayerSpec {
  type: string;
  [option: string]: unknown;
}

/** Data sets GenLab downloads on request ("GenLab: Download Dataset", `genlab download`) and caches: the full MNIST and Fashion-MNIST. */
export const DOWNLOADABLE_DATASETS = ['mnist-full', 'fashion-mnist'] as const;
/** One downloadable data set. */
export type DownloadableDataset = (typeof DOWNLOADABLE_DATASETS)[number];

/** How images of another size are brought to `size`: stretched, or centre-cropped to its aspect ratio first (torchvision's Resize + CenterCrop). */
export type ImageFit = 'resize' | 'crop';
/** Whether images are read as one grey channel or three (RGB). */
export type ImageColor = 'grayscale' | 'rgb';

/**
 * Where the data comes from: a bundled or downloaded set, or a workspace path: IDX images
 * (optional IDX labels), a text file (.txt/.md/.text), a CSV file, or a folder of PNG/JPEG
 * images with one subfolder per class (torchvision's ImageFolder layout).
 */
export interface DataSpec {
  dataset?: BundledDataset | DownloadableDataset;
  path?: string;
  labels?: string;
  /** Fraction of examples held out for evaluation. */
  heldout?: number;
  /** Images (folder or CSV pixels): height and width to bring every image to; one number for a square. */
  size?: number | [number, number];
  /** Images of another size: resize (default) or centre-crop then resize. */
  fit?: ImageFit;
  /** Images from a folder: grayscale (default) or RGB. */
  color?: ImageColor;
  /** CSV: the column holding the class label, by header name or 0-based index; absent: no labels. */
  labelColumn?: string | number;
}

/** Optimizer settings. */
export interface OptimizerSpec {
  type: 'adam' | 'sgd' | 'rmsprop';
  learningRate: number;
  beta1?: number;
  beta2?: number;
  momentum?: number;
}

/** The generator loss of a GAN (Goodfellow et al. 2014, §3): minimax log(1 − D(G(z))) or non-saturating −log D(G(z)). */
export type GeneratorLoss = 'minimax' | 'non-saturating';

/** Loss settings; each family reads the ones that apply to it. */
export interface LossSpec {
  /** Weight of the KL term (β-VAE). */
  beta: number;
  /** Decoder likelihood: Bernoulli (sigmoid + cross-entropy) or Gaussian (identity + squared error). */
  reconstruction: 'bernoulli' | 'gaussian';
  /** Standard deviation σ of a VAE's Gaussian decoder p(x|z) = N(x; μ(z), σ²I). */
  sigma: number;
  /** Steps over which a VAE's KL weight rises linearly from 0 to β (0: no warm-up; Bowman et al. 2016). */
  klWarmup: number;
  /** A GAN's generator loss. */
  generator: GeneratorLoss;
  /** One-sided label smoothing: the discriminator's target for real data is 1 − this (Salimans et al. 2016). */
  labelSmoothing: number;
}

/** A character-level transformer's size (GPT-2's shape, Radford et al. 2019): n_layer, n_head, n_embd, block size. */
export interface TransformerSpec {
  layers: number;
  heads: number;
  embedding: number;
  /** Context length: how many characters the model sees. */
  context: number;
  dropout: number;
}

/** A RealNVP flow's size (Dinh et al. 2017): affine coupling layers with alternating masks. */
export interface FlowSpec {
  couplings: number;
}

/** A DDPM's noise schedule (Ho et al. 2020): T steps, β from betaStart to betaEnd (linear), or the cosine schedule (Nichol & Dhariwal 2021). */
export interface DiffusionSpec {
  steps: number;
  schedule: 'linear' | 'cosine';
  betaStart: number;
  betaEnd: number;
}

/** A model file as written: everything but the family is optional. */
export interface ModelFile {
  $schema?: string;
  family: Family;
  name?: string;
  data?: BundledDataset | DataSpec;
  latentDim?: number;
  networks?: Record<string, LayerSpec[]>;
  /** An autoencoder whose decoder uses the transposes of the encoder's weight matrices. */
  tiedWeights?: boolean;
  loss?: Partial<LossSpec>;
  optimizer?: Partial<OptimizerSpec>;
  training?: Partial<TrainingSpec>;
  transformer?: Partial<TransformerSpec>;
  flow?: Partial<FlowSpec>;
  diffusion?: Partial<DiffusionSpec>;
  views?: string[];
}

/** How training runs. */
export interface TrainingSpec {
  batchSize: number;
  epochs: number;
  seed: number;
  /** A GAN's discriminator steps per generator step (k in Goodfellow et al.'s Algorithm 1). */
  discriminatorSteps: number;
}

/** A model file with every default filled in. */
export interface ModelSpec {
  family: Family;
  name: string;
  data: Required<Pick<DataSpec, 'heldout'>> & DataSpec;
  latentDim: number;
  networks: Record<string, LayerSpec[]>;
  tiedWeights: boolean;
  loss: LossSpec;
  optimizer: OptimizerSpec;
  training: TrainingSpec;
  transformer: TransformerSpec;
  flow: FlowSpec;
  diffusion: DiffusionSpec;
  views: string[];
}

/** Networks each family needs, in order. */
export const REQUIRED_NETWORKS: Record<Family, readonly string[]> = {
  autoencoder: ['encoder', 'decoder'],
  vae: ['encoder', 'decoder'],
  gan: ['generator', 'discriminator'],
  dcgan: ['generator', 'discriminator'],
  cgan: ['generator', 'discriminator'],
  acgan: ['generator', 'discriminator'],
  autoregressive: [],
  flow: ['coupling'],
  diffusion: ['denoiser'],
};

/** Views each family can show. */
export const FAMILY_VIEWS: Partial<Record<Family, readonly string[]>> = {
  autoencoder: ['loss', 'reconstructions', 'latent', 'errors', 'anomalies'],
  vae: ['loss', 'samples', 'reconstructions', 'traversal', 'latent', 'interpolation'],
  gan: ['loss', 'discriminator', 'samples', 'plane', 'divergence'],
  dcgan: ['loss', 'discriminator', 'samples', 'plane', 'divergence'],
  cgan: ['loss', 'discriminator', 'samples', 'classes', 'classInterpolation'],
  acgan: ['loss', 'discriminator', 'accuracy', 'samples', 'classes', 'classInterpolation'],
  autoregressive: ['loss', 'samples', 'prompt', 'nextToken'],
  flow: ['loss', 'density', 'samples', 'dataToLatent', 'latentToData', 'reconstructions'],
  diffusion: ['loss', 'strip', 'predictedX0', 'samples'],
};

/** Families trained adversarially (a generator against a discriminator). */
export const GAN_FAMILIES: readonly Family[] = ['gan', 'dcgan', 'cgan', 'acgan'];
/** Families conditioned on class labels. */
export const CONDITIONAL_FAMILIES: readonly Family[] = ['cgan', 'acgan'];
