/**
 * The custom tf.layers layers of the character-level GPT (transformer.ts): token and learned
 * position embeddings, LayerNorm, linear maps, multi-head causal self-attention (Vaswani et al.
 * 2017, "Attention Is All You Need", §3.2; the GPT-2 variant of Radford et al. 2019, as in
 * Karpathy's nanoGPT), whose dropout masks come from seeded generators (seededDropout.ts). Each
 * is registered with tf.serialization, so a model built from them saves and loads with tf.layers'
 * own format.
 *
 * Why not tf.layers' own Embedding, Dense and LayerNormalization: on the wasm backend their
 * gradients are 10–100× slower than needed (matMul's transpose flags, the CPU-borrowed gather
 * gradient, and LayerNormalization's tiling, whose gradient is a slice per tile). These layers
 * compute the same functions with gradients made of plain matMuls and explicit transposes.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { Rng } from '../rng';
import { GenLabDropout, seededDropout, type DropoutSource } from './seededDropout';

type BaseArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;
type Kwargs = Record<string, unknown> | undefined;

/** GPT-2's weight initialization: N(0, 0.02²) (residual projections are scaled further by the caller). */
export const INIT_STD = 0.02;
/**
 * The additive mask of future positions: exp(−10⁴) underflows to exactly 0 in float32, and
 * float16 (largest 65504) still holds it; −10⁹ became −Inf there, and 0·(−Inf) a NaN.
 */
const MASKED = -1e4;

const one = (inputs: tf.Tensor | tf.Tensor[]): tf.Tensor => (Array.isArray(inputs) ? inputs[0] : inputs);
const shapeOf = (s: tfl.Shape | tfl.Shape[]): tfl.Shape => (Array.isArray(s[0]) ? s[0] : s) as tfl.Shape;
const normal = (stddev: number, seed: number) => tfl.initializers.randomNormal({ mean: 0, stddev, seed });

/** Inverted dropout (Srivastava et al. 2014) with a fresh seed from `rng` at every call, so runs repeat exactly. */
function dropout(x: tf.Tensor, rate: number, rng: Rng, kwargs: Kwargs): tf.Tensor {
  return seededDropout(x, rate, rng, kwargs?.training === true);
}

/** Swaps the last two axes. */
function transposeLast(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
  return tf.transpose(x, perm);
}

/**
 * a·b for a [..., m, k] and b [..., k, n] of the same rank, with the gradients
 * ∂/∂a = dy·bᵀ and ∂/∂b = aᵀ·dy computed with explicit transposes (tf.matMul's own gradient uses
 * its transpose flags, about 10× slower on wasm).
 */
export const matMulFast = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = Array.isArray(dy) ? dy[0] : dy;
      return [tf.matMul(g, transposeLast(saved[1])), tf.matMul(transposeLast(saved[0]), g)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** E[ids] for a table E [V, C] and int32 ids [N], with ∂/∂E = onehot(ids)ᵀ·dy (no scatter, which wasm lacks). */
export const embeddingLookup = tf.customGrad(((table: tf.Tensor, ids: tf.Tensor, save: tf.GradSaveFunc) => {
  save([ids]);
  return {
    value: tf.gather(table, ids),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = Array.isArray(dy) ? dy[0] : dy;
      return [tf.matMul(tf.transpose(tf.oneHot(saved[0] as tf.Tensor1D, table.shape[0])), g), tf.zeros(saved[0].shape)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (table: tf.Tensor, ids: tf.Tensor) => tf.Tensor;

/** x·W + b over the last axis of x [..., in], W [in, out], through a 2-D matMul. */
function affine(x: tf.Tensor, kernel: LayerVariable, bias: LayerVariable): tf.Tensor {
  const [n, out] = kernel.shape as number[];
  const flat = tf.reshape(x, [-1, n]);
  return tf.reshape(tf.add(matMulFast(flat, kernel.read()), bias.read()), [...x.shape.slice(0, -1), out]);
}

/** GELU(x) = x·Φ(x) = ½·x·(1 + erf(x/√2)) (Hendrycks & Gimpel 2016), the exact form nanoGPT uses. */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))));
}

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
    this.table = this.addWeight('embeddings', [this.vocab, this.units], 'float32', normal(INIT_STD, this.seed));
    this.built = true;
  }

  /** E[x] for int32 tokens x [B, T], as [B, T, C]. */
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const ids = tf.reshape(tf.cast(one(inputs), 'int32'), [-1]);
      return tf.reshape(embeddingLookup((this.table as LayerVariable).read(), ids), [...one(inputs).shape, this.units]);
    });
  }

  /** [B, T] → [B, T, C]. */
  computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return [...shapeOf(inputShape), this.units];
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
    const shape = shapeOf(inputShape);
    this.kernel = this.addWeight('kernel', [shape[shape.length - 1] as number, this.units], 'float32', normal(this.std, this.seed));
    this.bias = this.addWeight('bias', [this.units], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  /** a(x·W + b). */
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const y = affine(one(inputs), this.kernel as LayerVariable, this.bias as LayerVariable);
      return this.activation === 'gelu' ? gelu(y) : y;
    });
  }

  /** The last axis becomes `units`. */
  computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return [...shapeOf(inputShape).slice(0, -1), this.units];
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
    const shape = shapeOf(inputShape);
    const c = shape[shape.length - 1] as number;
    this.gamma = this.addWeight('gamma', [c], 'float32', tfl.initializers.ones());
    this.beta = this.addWeight('beta', [c], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  /** (x − μ)/√(σ² + ε)·γ + β, with μ and σ² over the last axis (broadcast, no tiling). */
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = one(inputs);
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
    const shape = shapeOf(inputShape);
    this.table = this.addWeight('positions', [this.context, shape[shape.length - 1] as number], 'float32', normal(INIT_STD, this.seed));
    this.built = true;
  }

  /** x + P[0 … T−1], broadcast over the batch. */
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = one(inputs);
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

/** Options of a CausalSelfAttention layer. */
export interface CausalSelfAttentionArgs extends BaseArgs {
  /** Number of heads H; the width C must be a multiple of it. */
  heads: number;
  /** Dropout rate on the attention weights and on the output (nanoGPT's attn_dropout and resid_dropout). */
  dropout?: number;
  /** Standard deviation of the output projection's initial weights (GPT-2: 0.02/√(2·n_layer)). */
  projectionStd?: number;
  /** Seed of the initializers and of the dropout masks. */
  seed?: number;
}

/**
 * Multi-head causal self-attention on x of shape [B, T, C], with H heads of size D = C/H:
 *   [Q K V] = x·W_qkv + b_qkv,  split into heads of [B, H, T, D]
 *   A = softmax(Q·Kᵀ/√D + M),  M[t, s] = 0 for s ≤ t and −∞ (here −1e9) for s > t
 *   y = concat_heads(A·V)·W_o + b_o
 * The mask makes position t attend only to positions s ≤ t, so a prediction never sees the future.
 */
export class CausalSelfAttention extends tfl.layers.Layer implements DropoutSource {
  /** The name a saved model uses for this layer class. */
  static className = 'CausalSelfAttention';
  private readonly heads: number;
  private readonly rate: number;
  private readonly projectionStd: number;
  private readonly seed: number;
  private readonly rng: Rng;
  private qkvKernel?: LayerVariable;
  private qkvBias?: LayerVariable;
  private outKernel?: LayerVariable;
  private outBias?: LayerVariable;

  /** An attention layer with `args.heads` heads. */
  constructor(args: CausalSelfAttentionArgs) {
    const { heads, dropout: rate, projectionStd, seed, ...base } = args;
    super(base);
    this.heads = heads;
    this.rate = rate ?? 0;
    this.projectionStd = projectionStd ?? INIT_STD;
    this.seed = seed ?? 0;
    this.rng = new Rng(this.seed + 7);
  }

  /** The Rng of the dropout masks, which a checkpoint saves; undefined without dropout. */
  get dropoutRng(): Rng | undefined {
    return this.rate > 0 && this.rate < 1 ? this.rng : undefined;
  }

  /** Creates W_qkv [C, 3C], b_qkv, W_o [C, C] and b_o. */
  build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = shapeOf(inputShape);
    const c = shape[shape.length - 1] as number;
    if (c % this.heads !== 0) throw new Error(`the embedding size ${c} must be a multiple of the number of heads ${this.heads}`);
    this.qkvKernel = this.addWeight('qkvKernel', [c, 3 * c], 'float32', normal(INIT_STD, this.seed));
    this.qkvBias = this.addWeight('qkvBias', [3 * c], 'float32', tfl.initializers.zeros());
    this.outKernel = this.addWeight('outKernel', [c, c], 'float32', normal(this.projectionStd, this.seed + 1));
    this.outBias = this.addWeight('outBias', [c], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  /** The attention output, [B, T, C]; dropout only when called with { training: true }. */
  call(inputs: tf.Tensor | tf.Tensor[], kwargs?: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = one(inputs);
      const [b, t, c] = x.shape as number[];
      const h = this.heads, d = c / h;
      const qkv = tf.reshape(affine(x, this.qkvKernel as LayerVariable, this.qkvBias as LayerVariable), [b * t, 3 * c]);
      const [q, k, v] = tf.split(qkv, 3, 1).map((m) => tf.reshape(m, [b, t, h, d]));
      const qh = tf.transpose(q, [0, 2, 1, 3]); // [B, H, T, D]
      const kT = tf.transpose(k, [0, 2, 3, 1]); // Kᵀ: [B, H, D, T], transposed explicitly (matMul's transpose flag is slow on wasm)
      const vh = tf.transpose(v, [0, 2, 1, 3]); // [B, H, T, D]
      const scores = tf.add(tf.mul(matMulFast(qh, kT), 1 / Math.sqrt(d)), causalMask(t)); // Q·Kᵀ/√D + M
      const weights = dropout(tf.softmax(scores), this.rate, this.rng, kwargs); // A, [B, H, T, T]
      const y = tf.reshape(tf.transpose(matMulFast(weights, vh), [0, 2, 1, 3]), [b, t, c]); // heads side by side
      const out = affine(y, this.outKernel as LayerVariable, this.outBias as LayerVariable);
      return dropout(out, this.rate, this.rng, kwargs);
    });
  }

  /** The same shape as the input. */
  computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return shapeOf(inputShape);
  }

  /** Serializable config. */
  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), heads: this.heads, dropout: this.rate, projectionStd: this.projectionStd, seed: this.seed };
  }
}
tf.serialization.registerClass(CausalSelfAttention);

/** M, [T, T]: 0 where s ≤ t (lower triangle, diagonal included) and −1e9 above it. */
export function causalMask(t: number): tf.Tensor2D {
  return tf.tidy(() => tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([t, t]), -1, 0)), MASKED) as tf.Tensor2D);
}

/**
 * The transformer's dropout as saved before GenLabDropout (seededDropout.ts) replaced it: the same
 * layer under its old class name, so that networks saved then still load.
 */
export class SeededDropout extends GenLabDropout {
  /** The name a saved model uses for this layer class. */
  static className = 'SeededDropout';
}
tf.serialization.registerClass(SeededDropout);
