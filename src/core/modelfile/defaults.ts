/** Fills every default into a model file, so that `{ "family": "vae" }` alone trains. */
import type { DataShape } from '../family';
import { FAMILY_VIEWS, type LayerSpec, type ModelFile, type ModelSpec } from './types';

/** Hidden width of the default networks. */
export const DEFAULT_HIDDEN_UNITS = 512;

/** Shape of each bundled data set. */
export const BUNDLED_SHAPES: Record<string, DataShape> = {
  mnist: { height: 28, width: 28, channels: 1, classes: 10 },
};

/** The default networks of a family for data of `shape`. */
export function defaultNetworks(family: ModelFile['family'], latentDim: number, shape: DataShape, hiddenUnits = DEFAULT_HIDDEN_UNITS): Record<string, LayerSpec[]> {
  const features = shape.height * shape.width * shape.channels;
  switch (family) {
    case 'vae':
      return {
        encoder: [{ type: 'dense', units: hiddenUnits, activation: 'relu' }, { type: 'dense', units: 2 * latentDim }],
        decoder: [{ type: 'dense', units: hiddenUnits, activation: 'relu' }, { type: 'dense', units: features }],
      };
    default:
      return {};
  }
}

/** Resolves `file` against data of `shape`: every option not written gets its default. */
export function resolveModelFile(file: ModelFile, shape: DataShape, hiddenUnits = DEFAULT_HIDDEN_UNITS): ModelSpec {
  const latentDim = file.latentDim ?? 2;
  const data = typeof file.data === 'string' ? { dataset: file.data } : { ...(file.data ?? { dataset: 'mnist' as const }) };
  const defaults = defaultNetworks(file.family, latentDim, shape, hiddenUnits);
  return {
    family: file.family,
    name: file.name ?? file.family,
    data: { ...data, heldout: data.heldout ?? 0.1 },
    latentDim,
    networks: { ...defaults, ...(file.networks ?? {}) },
    loss: { beta: file.loss?.beta ?? 1, reconstruction: file.loss?.reconstruction ?? 'bernoulli' },
    optimizer: {
      type: file.optimizer?.type ?? 'adam',
      learningRate: file.optimizer?.learningRate ?? 1e-3,
      ...(file.optimizer?.beta1 !== undefined ? { beta1: file.optimizer.beta1 } : {}),
      ...(file.optimizer?.beta2 !== undefined ? { beta2: file.optimizer.beta2 } : {}),
      ...(file.optimizer?.momentum !== undefined ? { momentum: file.optimizer.momentum } : {}),
    },
    training: { batchSize: file.training?.batchSize ?? 128, epochs: file.training?.epochs ?? 10, seed: file.training?.seed ?? 1 },
    views: file.views ?? [...(FAMILY_VIEWS[file.family] ?? [])],
  };
}
