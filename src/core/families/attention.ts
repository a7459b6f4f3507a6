/**
 * Multi-head causal self-attention, the custom tf.layers layer that lets the character-level GPT
 * (transformer.ts) look back along its context (Vaswani et al. 2017, "Attention Is All You Need",
 * §3.2; the GPT-2 variant of Radford et al. 2019, as in Karpathy's nanoGPT), whose dropout masks
 * come from seeded generators (seededDropout.ts), and its causal mask. The layer is registered with
 * tf.serialization, so a model built from it saves and loads with tf.layers' own format. The
 * transformer's other layers are in transformerLayers.ts, the tensor functions they share (with
 * gradients fast on wasm) in transformerOps.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { Rng } from '../rng';
import { GenLabDropout, seededDropout, type DropoutSource } from './seededDropout';
import { affine, INIT_STD, matMulFast, seededNormal, soleInput, soleShape, type BaseArgs } from './transformerOps';

type Kwargs = Record<string, unknown> | undefined;

/**
 * The additive mask of future positions: exp(−10⁴) underflows to exactly 0 in float32, and
 * float16 (largest 65504) still holds it; −10⁹ became −Inf there, and 0·(−Inf) a NaN.
 */
const MASKED = -1e4;

/** Inverted dropout (Srivastava et al. 2014) with a fresh seed from `rng` at every call, so runs repeat exactly. */
function dropout(x: tf.Tensor, rate: number, rng: Rng, kwargs: Kwargs): tf.Tensor {
  return seededDropout(x, rate, rng, kwargs?.training === true);
}

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
 *   A = softmax(Q·Kᵀ/√D + M),  M[t, s] = 0 for s ≤ t and −∞ (here −1e4, which float16 holds) for s > t
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
    const shape = soleShape(inputShape);
    const c = shape[shape.length - 1] as number;
    if (c % this.heads !== 0) throw new Error(`the embedding size ${c} must be a multiple of the number of heads ${this.heads}`);
    this.qkvKernel = this.addWeight('qkvKernel', [c, 3 * c], 'float32', seededNormal(INIT_STD, this.seed));
    this.qkvBias = this.addWeight('qkvBias', [3 * c], 'float32', tfl.initializers.zeros());
    this.outKernel = this.addWeight('outKernel', [c, c], 'float32', seededNormal(this.projectionStd, this.seed + 1));
    this.outBias = this.addWeight('outBias', [c], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  /** The attention output, [B, T, C]; dropout only when called with { training: true }. */
  call(inputs: tf.Tensor | tf.Tensor[], kwargs?: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = soleInput(inputs);
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
    return soleShape(inputShape);
  }

  /** Serializable config. */
  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), heads: this.heads, dropout: this.rate, projectionStd: this.projectionStd, seed: this.seed };
  }
}
tf.serialization.registerClass(CausalSelfAttention);

/** M, [T, T]: 0 where s ≤ t (lower triangle, diagonal included) and MASKED (−1e4) above it. */
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
