/** The family registry: from a resolved model spec to a trainable model. */
import type { DataShape, GenerativeModel } from '../family';
import type { ModelSpec } from '../modelfile/types';
import { Vae } from './vae';

/** Builds the model `spec` describes for data of `shape`; throws for a family that does not train yet. */
export function createModel(spec: ModelSpec, shape: DataShape): GenerativeModel {
  switch (spec.family) {
    case 'vae':
      return new Vae(spec, shape);
    default:
      throw new Error(`the "${spec.family}" family does not train in this version of GenLab yet`);
  }
}
