/** The VAE of issue 8 (MLP 784-400-20, Bernoulli decoder, Adam 1e-3, batch 128) as GenLab sizes and model file. */
import { resolveModelFile } from '../src/core/modelfile/defaults';
import type { ModelSpec } from '../src/core/modelfile/types';

/** Sizes of the MLP VAE: features → hidden (ReLU) → 2·latent, and latent → hidden (ReLU) → features. */
export interface VaeSizes {
  features: number;
  hidden: number;
  latent: number;
}

/** The VAE of the issue: 784-400-20. */
export const ISSUE_VAE: Readonly<VaeSizes> = { features: 784, hidden: 400, latent: 20 };

/** Examples per training step. */
export const BATCH = 128;

/** Fashion-MNIST's data shape. */
export const FASHION_SHAPE = { height: 28, width: 28, channels: 1 as const, classes: 10 };

/** The issue's VAE as a GenLab model file: 784-400-(μ, log σ²) with a 20-D latent, no KL warm-up, Adam 1e-3, batch 128. */
export function issueVaeSpec(seed = 1): ModelSpec {
  const dense = (units: number, activation?: string) => ({ type: 'dense', units, ...(activation ? { activation } : {}) });
  return resolveModelFile({
    family: 'vae',
    latentDim: ISSUE_VAE.latent,
    networks: {
      encoder: [dense(ISSUE_VAE.hidden, 'relu'), dense(2 * ISSUE_VAE.latent)],
      decoder: [dense(ISSUE_VAE.hidden, 'relu'), dense(ISSUE_VAE.features)],
    },
    loss: { beta: 1, reconstruction: 'bernoulli', klWarmup: 0 },
    optimizer: { type: 'adam', learningRate: 1e-3 },
    training: { batchSize: BATCH, seed },
  }, FASHION_SHAPE, ISSUE_VAE.hidden);
}
