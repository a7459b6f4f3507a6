/** The VAE family's settings, kept free of TensorFlow.js so the host can read them cheaply. */

/** Settings of the VAE family. */
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
