/** The panel's VAE hyperparameters and the model file they stand for (no TensorFlow.js here). */
import type { DataShape } from '../family';
import { resolveModelFile } from '../modelfile/defaults';
import type { ModelSpec } from '../modelfile/types';

/** The hyperparameters the playground lets a user set for the default VAE. */
export interface VaeConfig {
  latentDim: number;
  hiddenUnits: number;
  batchSize: number;
  learningRate: number;
  /** Weight of the KL term (β-VAE, Higgins et al. 2017); 1 gives the plain ELBO. */
  beta: number;
  seed: number;
}

/** The default VAE of "GenLab: Train VAE": 784→512→(μ, log σ²) with a 2-D latent. */
export const VAE_DEFAULTS: Readonly<VaeConfig> = {
  latentDim: 2, hiddenUnits: 512, batchSize: 128, learningRate: 1e-3, beta: 1, seed: 1,
};

/** The model spec of the default VAE with hyperparameters `c`, for data of `shape`. */
export function vaeSpec(c: Partial<VaeConfig>, shape: DataShape): ModelSpec {
  const v = { ...VAE_DEFAULTS, ...c };
  return resolveModelFile({
    family: 'vae',
    latentDim: v.latentDim,
    loss: { beta: v.beta },
    optimizer: { type: 'adam', learningRate: v.learningRate },
    training: { batchSize: v.batchSize, seed: v.seed },
  }, shape, v.hiddenUnits);
}
