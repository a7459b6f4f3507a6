/**
 * The custom tf.layers layers of the character-level GPT (transformer.ts) besides its attention
 * (attention.ts): token and learned position embeddings, LayerNorm and linear maps (GPT-2,
 * Radford et al. 2019, as in Karpathy's nanoGPT). Each is registered with tf.serialization, so a
 * model built from them saves and loads with tf.layers' own format.
 *
 * Why not tf.layers' own Embedding, Dense and LayerNormalization: on the wasm backend their
 * gradients are 10–100× slower than needed (matMul's transpose flags, the CPU-borrowed gather
 * gradient, and LayerNormalization's tiling, whose gradient is a slice per tile). These layers
 * compute the same functions with gradients made of plain matMuls and explicit transposes
 * (transformerOps.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { affine, embeddingLookup, gelu, INIT_STD, seededNormal, soleInput, soleShape, type BaseArgs } from './transformerOps';

/** Options of a TokenEmbedding layer. */
export interface TokenEmbeddingArgs extends BaseArgs {
  /** Vocabulary size V. */
  vocab: number;
  /** Embedding width C. */
  units: number;
  seed?: number;
}

/** The token embedding E[x]: row x of a table E [V, C]; its gradient ∂/∂E = onehot(x)ᵀ·dy. */
export class TokenEmbedding extends tfl.layers.Layer {
  /** The name a saved model uses for this layer class. */
  static className = 'TokenEmbedding';
  private readonly vocab: number;
  private readonly units: number;
  private readonly seed: number;
  private table?: LayerVariable;

  /** A table of `args.vocab` rows of `args.units` values. */
  constructor(args: TokenEmbeddingArgs) {
    const { vocab, units, seed, ...base } = args;
    super(base);
    this.vocab = vocab;
    this.units = units;
    this.seed = seed ?? 0;
  }

  /** Creates E ~ N(0, 0.02²). */
  build(): void {
    this.table = this.addWeight('embeddings', [this.vocab, this.units], 'float32', seededNormal(INIT_STD, this.seed));
    this.built = true;
  }

  /** E[x] for int32 tokens x [B, T], as [B, T, C]. */
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const ids = tf.reshape(tf.cast(soleInput(inputs), 'int32'), [-1]);
      return tf.reshape(embeddingLookup((this.table as LayerVariable).read(), ids), [...soleInput(inputs).shape, this.units]);
    });
  }

  /** [B, T] → [B, T, C]. */
  computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return [...soleShape(inputShape), this.units];
  }

  /** Serializable config. */
  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), vocab: this.vocab, units: this.units, seed: this.seed };
  }
}
tf.serialization.registerClass(TokenEmbedding);

/** Options of a Linear layer. */
export interface LinearArgs extends BaseArgs {
  units: number;
  /** 'gelu' or 'linear' (the default). */
  activation?: 'gelu' | 'linear';
  /** Standard deviation of the initial weights. */
  std?: number;
  seed?: number;
}

/** a(x·W + b) over the last axis, W ~ N(0, std²), b = 0, a = GELU or the identity. */
export class Linear extends tfl.layers.Layer {
  /** The name a saved model uses for this layer class. */
  static className = 'Linear';
  private readonly units: number;
  private readonly activation: 'gelu' | 'linear';
  private readonly std: number;
  private readonly seed: number;
  private kernel?: LayerVariable;
  private bias?: LayerVariable;

  /** A linear map to `args.units` values. */
  constructor(args: LinearArgs) {
    const { units, activation, std, seed, ...base } = args;
    super(base);
    this.units = units;
    this.activation = activation ?? 'linear';
    this.std = std ?? INIT_STD;
    this.seed = seed ?? 0;
  }

  /** Creates W [in, units] and b [units]. */
  build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = soleShape(inputShape);
    this.kernel = this.addWeight('kernel', [shape[shape.length - 1] as number, this.units], 'float32', seededNormal(this.std, this.seed));
    this.bias = this.addWeight('bias', [this.units], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  /** a(x·W + b). */
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const y = affine(soleInput(inputs), this.kernel as LayerVariable, this.bias as LayerVariable);
      return this.activation === 'gelu' ? gelu(y) : y;
    });
  }

  /** The last axis becomes `units`. */
  computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return [...soleShape(inputShape).slice(0, -1), this.units];
  }

  /** Serializable config. */
  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, activation: this.activation, std: this.std, seed: this.seed };
  }
}
tf.serialization.registerClass(Linear);

/** Options of a LayerNorm layer. */
export interface LayerNormArgs extends BaseArgs {
  epsilon?: number;
}

/** LayerNorm (Ba et al. 2016) over the last axis: y = (x − μ)/√(σ² + ε)·γ + β, γ = 1 and β = 0 at first. */
export class LayerNorm extends tfl.layers.Layer {
  /** The name a saved model uses for this layer class. */
  static className = 'LayerNorm';
  private readonly epsilon: number;
  private gamma?: LayerVariable;
  private beta?: LayerVariable;

  /** A LayerNorm with ε = `args.epsilon` (GPT-2's 1e-5 by default). */
  constructor(args: LayerNormArgs = {}) {
    const { epsilon, ...base } = args;
    super(base);
    this.epsilon = epsilon ?? 1e-5;
  }

  /** Creates γ and β, [C]. */
  build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = soleShape(inputShape);
    const c = shape[shape.length - 1] as number;
    this.gamma = this.addWeight('gamma', [c], 'float32', tfl.initializers.ones());
    this.beta = this.addWeight('beta', [c], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  /** (x − μ)/√(σ² + ε)·γ + β, with μ and σ² over the last axis (broadcast, no tiling). */
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = soleInput(inputs);
      const { mean, variance } = tf.moments(x, -1, true);
      const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.epsilon)));
      return tf.add(tf.mul(normed, (this.gamma as LayerVariable).read()), (this.beta as LayerVariable).read());
    });
  }

  /** Serializable config. */
  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(LayerNorm);

/** Options of a PositionEmbedding layer. */
export interface PositionEmbeddingArgs extends BaseArgs {
  /** The longest sequence (the context length, GPT's block size). */
  context: number;
  /** Seed of the N(0, 0.02²) initializer. */
  seed?: number;
}

/** Adds a learned position embedding: h_t = x_t + P[t] for t = 0 … T−1, P of shape [context, C]. */
export class PositionEmbedding extends tfl.layers.Layer {
  /** The name a saved model uses for this layer class. */
  static className = 'PositionEmbedding';
  private readonly context: number;
  private readonly seed: number;
  private table?: LayerVariable;

  /** A position table for sequences of up to `args.context` tokens. */
  constructor(args: PositionEmbeddingArgs) {
    const { context, seed, ...base } = args;
    super(base);
    this.context = context;
    this.seed = seed ?? 0;
  }

  /** Creates P, [context, C]. */
  build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = soleShape(inputShape);
    this.table = this.addWeight('positions', [this.context, shape[shape.length - 1] as number], 'float32', seededNormal(INIT_STD, this.seed));
    this.built = true;
  }

  /** x + P[0 … T−1], broadcast over the batch. */
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = soleInput(inputs);
      const [t, c] = x.shape.slice(1) as number[];
      return tf.add(x, tf.slice((this.table as LayerVariable).read(), [0, 0], [t, c]));
    });
  }

  /** Serializable config. */
  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), context: this.context, seed: this.seed };
  }
}
tf.serialization.registerClass(PositionEmbedding);
