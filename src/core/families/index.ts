/** The family registry: from a resolved model spec to a trainable model. */
import type { DataShape, GenerativeModel } from '../family';
import type { ModelSpec } from '../modelfile/types';
import { Autoencoder } from './autoencoder';
import { Ddpm } from './ddpm';
import { RealNvp } from './realnvp';
import { CharTransformer } from './transformer';
import { ConditionalGan } from './conditionalGan';
import { Gan } from './gan';
import { Vae } from './vae';

/** Builds the model `spec` describes for data of `shape`; throws for a family that does not train yet. */
export function createModel(spec: ModelSpec, shape: DataShape): GenerativeModel {
  switch (spec.family) {
    case 'autoencoder':
      return new Autoencoder(spec, shape);
    case 'vae':
      return new Vae(spec, shape);
    case 'gan':
    case 'dcgan':
      return new Gan(spec, shape);
    case 'cgan':
    case 'acgan':
      return new ConditionalGan(spec, shape);
    case 'autoregressive':
      return new CharTransformer(spec, shape);
    case 'flow':
      return new RealNvp(spec, shape);
    case 'diffusion':
      return new Ddpm(spec, shape);
    default:
      throw new Error(`the "${spec.family}" family does not train in this version of GenLab yet`);
  }
}
