/**
 * The model file (`*.genlab.json`): what a user writes, and the resolved specification that
 * every default has been filled into. Declarative data only; never executed.
 */

/** Model families a model file can name. */
export const FAMILIES = ['autoencoder', 'vae', 'gan', 'dcgan', 'cgan', 'acgan', 'autoregressive', 'flow', 'diffusion'] as const;
/** One model family. */
export type Family = (typeof FAMILIES)[number];
/** Families that train in this version. */
export const TRAINABLE_FAMILIES: readonly Family[] = ['vae'];

/** Bundled data sets, usable offline. */
export const BUNDLED_DATASETS = ['mnist'] as const;
/** One bundled data set. */
export type BundledDataset = (typeof BUNDLED_DATASETS)[number];

/** One layer of a network: a tf.layers layer name and its config, Keras style. */
export interface LayerSpec {
  type: string;
  [option: string]: unknown;
}

/** Where the data comes from: a bundled set, or a workspace path (IDX images, optional labels). */
export interface DataSpec {
  dataset?: BundledDataset;
  path?: string;
  labels?: string;
  /** Fraction of examples held out for evaluation. */
  heldout?: number;
}

/** Optimizer settings. */
export interface OptimizerSpec {
  type: 'adam' | 'sgd' | 'rmsprop';
  learningRate: number;
  beta1?: number;
  beta2?: number;
  momentum?: number;
}

/** A model file as written: everything but the family is optional. */
export interface ModelFile {
  $schema?: string;
  family: Family;
  name?: string;
  data?: BundledDataset | DataSpec;
  latentDim?: number;
  networks?: Record<string, LayerSpec[]>;
  loss?: { beta?: number; reconstruction?: 'bernoulli' | 'gaussian' };
  optimizer?: Partial<OptimizerSpec>;
  training?: { batchSize?: number; epochs?: number; seed?: number };
  views?: string[];
}

/** A model file with every default filled in. */
export interface ModelSpec {
  family: Family;
  name: string;
  data: Required<Pick<DataSpec, 'heldout'>> & DataSpec;
  latentDim: number;
  networks: Record<string, LayerSpec[]>;
  loss: { beta: number; reconstruction: 'bernoulli' | 'gaussian' };
  optimizer: OptimizerSpec;
  training: { batchSize: number; epochs: number; seed: number };
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
  autoregressive: ['transformer'],
  flow: ['coupling'],
  diffusion: ['denoiser'],
};

/** Views each family can show. */
export const FAMILY_VIEWS: Partial<Record<Family, readonly string[]>> = {
  vae: ['loss', 'samples', 'reconstructions', 'traversal', 'latent'],
};
