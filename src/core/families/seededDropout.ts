/**
 * Dropout whose masks come from a seeded stream, so that runs repeat exactly and a run restored
 * from a checkpoint continues bit for bit. Inverted dropout (Srivastava et al. 2014, "Dropout: A
 * Simple Way to Prevent Neural Networks from Overfitting", §2, scaled at training time as in
 * tf.layers and Keras): in training y = x·m/(1 − rate), m_i ~ Bernoulli(1 − rate); at inference
 * y = x.
 *
 * tf.layers' own Dropout draws its masks with Math.random, and honours its `seed` option by
 * drawing the same mask at every call. GenLabDropout instead keeps an Rng (rng.ts) and draws a
 * fresh seed from it for each mask (tf.randomUniform with that seed, inside tf.dropout), so the
 * masks are a function of the Rng's state, which the family lists in GenerativeModel.rngs and a
 * checkpoint saves. The layer is registered with tf.serialization, so a network holding it saves
 * and loads with tf.layers' own format once this module has been imported (as tiedDense.ts does).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createLayer, inferShapes } from '../modelfile/layers';
import type { LayerSpec } from '../modelfile/types';
import { Rng } from '../rng';

type BaseArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;
type Kwargs = Record<string, unknown> | undefined;

/** A layer whose random draws come from an Rng a family must checkpoint; undefined when it draws nothing. */
export interface DropoutSource {
  readonly dropoutRng: Rng | undefined;
}

/**
 * Inverted dropout of `x` when `training`, its mask drawn with a fresh seed from `rng`; `x` itself
 * (no draw) otherwise or when rate ∉ (0, 1), as tf.layers' Dropout. `noiseShape` (batch axis
 * included) shares one mask value along its 1-sized axes; a null entry takes the input's size.
 */
export function seededDropout(x: tf.Tensor, rate: number, rng: Rng, training: boolean, noiseShape?: ReadonlyArray<number | null>): tf.Tensor {
  if (!training || !(rate > 0 && rate < 1)) return x;
  const shape = noiseShape?.map((d, i) => d ?? x.shape[i]);
  return tf.dropout(x, rate, shape, rng.seed());
}

/** Options of a GenLabDropout layer. */
export interface GenLabDropoutArgs extends BaseArgs {
  /** The fraction of values dropped in training, as tf.layers' Dropout (clamped to [0, 1]; 0 or 1 leave the input as it is). */
  rate: number;
  /** The mask's shape, batch axis included, null for the input's size (as tf.layers' Dropout). */
  noiseShape?: Array<number | null>;
  /** Where the layer's stream of mask seeds starts. */
  seed?: number;
}

/** Dropout whose masks come from the layer's own seeded Rng (see the module comment). */
export class GenLabDropout extends tfl.layers.Layer implements DropoutSource {
  /** The name a saved model uses for this layer class. */
  static className = 'GenLabDropout';
  /** The fraction of values dropped in training. */
  readonly rate: number;
  /** The mask's shape, if not the input's. */
  readonly noiseShape?: Array<number | null>;
  /** Where the stream of mask seeds starts. */
  readonly seed: number;
  /** The stream of mask seeds: one draw per training call. */
  readonly rng: Rng;

  /** A dropout layer of `args.rate` whose masks follow from `args.seed`. */
  constructor(args: GenLabDropoutArgs) {
    const { rate, noiseShape, seed, ...base } = args;
    super(base);
    this.rate = Math.max(Math.min(rate, 1), 0);
    this.noiseShape = noiseShape ? [...noiseShape] : undefined;
    this.seed = seed ?? 0;
    this.rng = new Rng(this.seed);
    this.supportsMasking = true;
  }

  /** The Rng training draws from, or undefined when the rate makes the layer the identity. */
  get dropoutRng(): Rng | undefined {
    return this.rate > 0 && this.rate < 1 ? this.rng : undefined;
  }

  /** The input, with dropout applied when called with { training: true }. */
  call(inputs: tf.Tensor | tf.Tensor[], kwargs?: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return seededDropout(x, this.rate, this.rng, kwargs?.training === true, this.noiseShape);
    });
  }

  /** Serializable config: rate, noise shape and seed. */
  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, ...(this.noiseShape ? { noiseShape: this.noiseShape } : {}), seed: this.seed };
  }
}
tf.serialization.registerClass(GenLabDropout);

/** Whether `layer` draws from an Rng of its own that must be checkpointed. */
function isDropoutSource(layer: unknown): layer is DropoutSource {
  return typeof layer === 'object' && layer !== null && 'dropoutRng' in layer;
}

/**
 * The Rngs the dropout layers of `networks` draw from, in network and layer order: the family
 * lists them in GenerativeModel.rngs, so a checkpoint saves where each mask stream stands.
 */
export function dropoutRngs(...networks: tfl.LayersModel[]): Rng[] {
  return networks.flatMap((net) => net.layers.flatMap((layer) => (isDropoutSource(layer) && layer.dropoutRng ? [layer.dropoutRng] : [])));
}

/** Layer types whose masks tf.layers draws unseeded, and the mask shape of each (batch axis included). */
const DROPOUT_TYPES: Record<string, (spec: LayerSpec) => Array<number | null> | undefined> = {
  dropout: (spec) => (Array.isArray(spec.noiseShape) ? (spec.noiseShape as Array<number | null>) : undefined),
  spatialDropout1d: () => [null, 1, null], // one mask value per channel, shared along the steps (tf.layers' SpatialDropout1D)
};

/**
 * The network of `specs` taking `input`, as buildSequential (layers.ts) builds it, but with every
 * "dropout" (and "spatialDropout1d") a GenLabDropout: its stream starts from the spec's "seed" if
 * it gives one, else from `seed` + its position (as the kernel initializers), so the model's seed
 * fixes every mask.
 */
export function buildSeededSequential(name: string, specs: readonly LayerSpec[], input: number[], seed: number): tfl.Sequential {
  const model = tfl.sequential({ name });
  const shapes = inferShapes(specs, input); // also checks every spec, dropout included, as the checker does
  specs.forEach((written, i) => {
    const layerName = `${name}_${i}`;
    const noise = DROPOUT_TYPES[written.type];
    if (noise) {
      const { type: _type, rate, noiseShape: _noise, seed: own, ...base } = written;
      const start = typeof own === 'number' ? own : seed + i;
      model.add(new GenLabDropout({ ...base, rate: Number(rate), noiseShape: noise(written), seed: start, name: layerName, ...(i === 0 ? { inputShape: input } : {}) }));
      return;
    }
    // tf.layers' reshape cannot infer a -1 without a batch size: give it the shape inferShapes found.
    const spec = written.type === 'reshape' && Array.isArray(written.targetShape) && written.targetShape.includes(-1) ? { ...written, targetShape: shapes[i] } : written;
    const withInit = 'kernelInitializer' in spec || !/dense|conv/i.test(spec.type) ? spec : { ...spec, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + i }) };
    model.add(createLayer(withInit, i, i === 0 ? input : undefined, layerName));
  });
  return model;
}

