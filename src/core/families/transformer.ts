/**
 * The autoregressive family: a character-level GPT (Radford et al. 2019, "Language Models are
 * Unsupervised Multitask Learners", GPT-2's shape; sizes and training as in Karpathy's nanoGPT
 * and makemore). It models text one Unicode code point at a time,
 *   p(x_1 … x_N) = Π_t p(x_t | x_{t−T} … x_{t−1}),
 * with T the context length, and is trained on the mean cross-entropy per character in nats:
 *   loss = −(1/(B·T)) Σ_b Σ_t log p(x_{b,t+1} | x_{b,1} … x_{b,t}).
 * Network, for tokens x of shape [B, T]:
 *   h⁰ = E[x] + P[0 … T−1]                         token and learned position embeddings
 *   hˡ = hˡ⁻¹ + Attn(LN(hˡ⁻¹));  hˡ = hˡ + MLP(LN(hˡ))    n_layer pre-LayerNorm blocks
 *   MLP(u) = GELU(u·W₁ + b₁)·W₂ + b₂,  W₁: C → 4C
 *   logits = LN(h^L)·W_head + b_head                 [B, T, vocab]
 * It is one tf.layers functional model (network "transformer"), saved and loaded like any other
 * once attention.ts and transformerLayers.ts (which register its custom layers) have been imported.
 *
 * The bigram baseline on the loss chart must be fit on the training text, which views() never
 * sees: the caller hands it over with setTrainingSet(train) once (the chart has no baseline
 * until then), and the views compute it once per held-out text.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Batch, DeviceData } from '../data/deviceData';
import { isTextSet, type DataSet } from '../data/dataset';
import type { DataShape, GenerativeModel, LossTerms, ViewOptions } from '../family';
import type { ModelSpec, TransformerSpec } from '../modelfile/types';
import { OptimizerSet } from '../optimizers';
import { Rng } from '../rng';
import type { ChartSpec, ControlSpec, FormulaSpec, View } from '../views';
import { CausalSelfAttention } from './attention';
import { dropoutRngs, GenLabDropout } from './seededDropout';
import { LayerNorm, Linear, PositionEmbedding, TokenEmbedding } from './transformerLayers';
import { INIT_STD } from './transformerOps';
import { PROMPT_DEFAULTS, transformerViews, type TransformerLike } from './transformerViews';

/** The smoothing α of the bigram baseline (Laplace's add-one, as in makemore's bigram model). */
export const BIGRAM_ALPHA = 1;
/** LayerNorm's ε (GPT-2's 1e-5). */
const LN_EPSILON = 1e-5;

/** The transformer's chart: train and held-out loss per character, and the bigram baseline. */
export const TRANSFORMER_CHARTS: readonly ChartSpec[] = [
  {
    id: 'loss', title: 'Loss per character (nats): train, held-out and the bigram baseline', yLabel: 'nats', series: [
      { term: 'loss', source: 'train', name: 'train loss' },
      { term: 'loss', source: 'heldout', name: 'held-out loss (per epoch)' },
      { term: 'heldoutSample', source: 'metric', name: 'held-out loss (fixed sample of windows)' },
      { term: 'bigram', source: 'metric', name: 'bigram baseline (held-out)' },
    ],
  },
];

/**
 * Held-out cross-entropy per character (nats) of the add-α bigram model fit on `train`:
 *   p(b | a) = (n(a, b) + α) / (n(a) + α·V),   baseline = −(1/(N−1)) Σ_t log p(x_{t+1} | x_t) over `heldout`,
 * with n(a, b) the count of the pair "a then b" in the training text and n(a) = Σ_b n(a, b).
 */
export function bigramBaseline(train: ArrayLike<number>, heldout: ArrayLike<number>, vocab: number, alpha = BIGRAM_ALPHA): number {
  if (heldout.length < 2) throw new Error('the held-out text needs at least two characters for a bigram baseline');
  const counts = new Float64Array(vocab * vocab);
  const rows = new Float64Array(vocab);
  for (let i = 0; i + 1 < train.length; i++) {
    counts[train[i] * vocab + train[i + 1]]++;
    rows[train[i]]++;
  }
  let nll = 0;
  for (let i = 0; i + 1 < heldout.length; i++) {
    const a = heldout[i], b = heldout[i + 1];
    nll -= Math.log((counts[a * vocab + b] + alpha) / (rows[a] + alpha * vocab));
  }
  return nll / (heldout.length - 1);
}

/** The GPT as a tf.layers functional model: int32 tokens [B, T] → logits [B, T, vocab]; weights seeded from `rng`. */
export function buildGpt(size: TransformerSpec, vocab: number, rng: Rng, name = 'transformer'): tfl.LayersModel {
  const { layers, heads, embedding: c, context, dropout } = size;
  if (c % heads !== 0) throw new Error(`transformer.embedding (${c}) must be a multiple of transformer.heads (${heads})`);
  const projectionStd = INIT_STD / Math.sqrt(2 * layers); // GPT-2: residual projections scaled by 1/√(number of residual layers)
  const ln = (n: string) => new LayerNorm({ epsilon: LN_EPSILON, name: n });
  const linear = (units: number, n: string, std = INIT_STD, activation: 'gelu' | 'linear' = 'linear') => new Linear({ units, activation, std, seed: rng.seed(), name: n });
  const drop = (x: tfl.SymbolicTensor, n: string) => (dropout > 0 ? new GenLabDropout({ rate: dropout, seed: rng.seed(), name: n }).apply(x) as tfl.SymbolicTensor : x);
  const apply = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]) => layer.apply(x) as tfl.SymbolicTensor;
  const tokens = tfl.input({ shape: [context], dtype: 'int32', name: 'tokens' });
  const embedded = apply(new TokenEmbedding({ vocab, units: c, seed: rng.seed(), name: 'tokenEmbedding' }), tokens);
  let h = drop(apply(new PositionEmbedding({ context, seed: rng.seed(), name: 'positionEmbedding' }), embedded), 'embeddingDropout');
  for (let l = 0; l < layers; l++) {
    const attn = apply(new CausalSelfAttention({ heads, dropout, projectionStd, seed: rng.seed(), name: `block${l}_attention` }), apply(ln(`block${l}_ln1`), h));
    h = apply(tfl.layers.add({ name: `block${l}_residual1` }), [h, attn]);
    const up = apply(linear(4 * c, `block${l}_mlpUp`, INIT_STD, 'gelu'), apply(ln(`block${l}_ln2`), h));
    const down = apply(linear(c, `block${l}_mlpDown`, projectionStd), up);
    h = apply(tfl.layers.add({ name: `block${l}_residual2` }), [h, drop(down, `block${l}_mlpDropout`)]);
  }
  const logits = apply(linear(vocab, 'head'), apply(ln('lnFinal'), h));
  return tfl.model({ inputs: tokens, outputs: logits, name });
}

/** A character-level GPT over a vocabulary of shape.classes code points. */
export class CharTransformer implements GenerativeModel, TransformerLike {
  readonly family = 'autoregressive';
  readonly lossTerms = ['loss'] as const;
  readonly charts = TRANSFORMER_CHARTS;
  readonly formula: FormulaSpec = { template: 'loss = −mean log p(next character | context): {0} nats per character', terms: ['loss'] };
  readonly controls: readonly ControlSpec[];
  /** The network: int32 tokens [B, context] → logits [B, context, vocab]. */
  readonly gpt: tfl.LayersModel;
  /** Vocabulary size V. */
  readonly vocab: number;
  /** Context length T. */
  readonly context: number;
  /** Seed of the views' samplers, fixed so that samples are comparable over time. */
  readonly viewSeed: number;
  private readonly optimizer: tf.Optimizer;
  private readonly rng: Rng;
  /** The random generators training draws from (see GenerativeModel). */
  get rngs(): readonly Rng[] {
    return [this.rng, ...this.dropoutRngs];
  }
  /** The mask streams of the network's dropout (none when transformer.dropout is 0). */
  private readonly dropoutRngs: readonly Rng[];
  /** The optimizers (see GenerativeModel). */
  readonly optimizers: OptimizerSet;
  private trainTokens?: Int32Array;
  private baselineCache?: { heldout: Int32Array; nats: number };

  /** Builds the network of `spec.transformer` for a vocabulary of `shape.classes` characters. */
  constructor(readonly spec: ModelSpec, shape: DataShape) {
    if (shape.kind !== 'text') throw new Error('the autoregressive family models text: train it on text data, e.g. "data": "shakespeare"');
    this.vocab = shape.classes;
    this.context = spec.transformer.context;
    this.rng = new Rng(spec.training.seed);
    this.viewSeed = spec.training.seed + 1;
    this.gpt = buildGpt(spec.transformer, this.vocab, this.rng);
    this.dropoutRngs = dropoutRngs(this.gpt);
    this.optimizers = new OptimizerSet(spec.optimizer);
    this.optimizer = this.optimizers.all[0];
    this.controls = [
      { id: 'prompt', label: 'Prompt', kind: 'text', default: PROMPT_DEFAULTS.prompt },
      { id: 'temperature', label: 'Temperature', kind: 'range', default: PROMPT_DEFAULTS.temperature, min: 0.1, max: 2, step: 0.05 },
      { id: 'topK', label: 'Top-k', kind: 'range', default: Math.min(PROMPT_DEFAULTS.topK, this.vocab), min: 1, max: this.vocab, step: 1 },
    ];
  }

  /** Logits [B, T, V] for int32 tokens [B, T] (T = context); dropout only when `training`. */
  logits(tokens: tf.Tensor2D, training = false): tf.Tensor3D {
    return this.gpt.apply(tokens, { training }) as tf.Tensor3D;
  }

  /** Mean cross-entropy per character (nats) of the windows x [B, T + 1]: inputs x[:, :T], targets x[:, 1:]. */
  crossEntropy(x: tf.Tensor2D, training = false): tf.Scalar {
    return tf.tidy(() => {
      const b = x.shape[0], t = this.context;
      if (x.shape[1] !== t + 1) throw new Error(`the transformer takes windows of context + 1 = ${t + 1} tokens, got ${x.shape[1]}`);
      const inputs = tf.slice(tf.cast(x, 'int32'), [0, 0], [b, t]);
      const targets = tf.reshape(tf.slice(tf.cast(x, 'int32'), [0, 1], [b, t]), [b * t]) as tf.Tensor1D;
      const logProbs = tf.logSoftmax(tf.reshape(this.logits(inputs as tf.Tensor2D, training), [b * t, this.vocab])); // log p(· | x≤t)
      return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(targets, this.vocab), logProbs), 1))) as tf.Scalar;
    });
  }

  /** One optimizer step on the cross-entropy of `batch.x` (windows of context + 1 tokens). */
  step(batch: Batch): LossTerms {
    const vars = this.gpt.trainableWeights.map((w) => w.read() as tf.Variable);
    const loss = this.optimizer.minimize(() => this.crossEntropy(batch.x, true), true, vars) as tf.Scalar;
    return { loss };
  }

  /** The cross-entropy per character of `batch.x`, without dropout or update. */
  evaluate(batch: Batch): LossTerms {
    return { loss: this.crossEntropy(batch.x) };
  }

  /**
   * `n` texts of `context` characters sampled from the model (temperature 1, full distribution),
   * each after the start token 0 (the lowest code point of the text: the newline in most texts),
   * as token indices in a float32 tensor [n, context]. Runs on the backend (tf.multinomial), no reads.
   */
  sample(n: number): tf.Tensor2D {
    const seeds = Array.from({ length: this.context }, () => this.rng.seed());
    let seq = tf.zeros([n, 1], 'int32') as tf.Tensor2D;
    for (let i = 0; i < this.context; i++) {
      const next = tf.tidy(() => {
        const len = seq.shape[1];
        const window = len > this.context ? tf.slice(seq, [0, len - this.context], [n, this.context]) : tf.pad(seq, [[0, 0], [0, this.context - len]]);
        const pos = Math.min(len, this.context) - 1; // the last real token; the padding after it is never attended to (causal mask)
        const last = tf.reshape(tf.slice(this.logits(window as tf.Tensor2D), [0, pos, 0], [n, 1, this.vocab]), [n, this.vocab]) as tf.Tensor2D;
        return tf.concat([seq, tf.cast(tf.multinomial(last, 1, seeds[i]), 'int32')], 1) as tf.Tensor2D;
      });
      seq.dispose();
      seq = next;
    }
    const out = tf.tidy(() => tf.cast(tf.slice(seq, [0, 1], [n, this.context]), 'float32') as tf.Tensor2D);
    seq.dispose();
    return out;
  }

  /**
   * Gives the model its training text, on which the bigram baseline is fit (the views see only
   * held-out data). Without it the chart has no baseline. Ignores sets that are not text.
   */
  setTrainingSet(train: DataSet): void {
    if (!isTextSet(train)) return;
    this.trainTokens = train.tokens;
    this.baselineCache = undefined;
  }

  /** The bigram baseline on `heldout` (nats per character), computed once per held-out text; undefined without a training text. */
  bigramBaseline(heldout: Int32Array): number | undefined {
    if (!this.trainTokens) return undefined;
    if (this.baselineCache?.heldout !== heldout) this.baselineCache = { heldout, nats: bigramBaseline(this.trainTokens, heldout, this.vocab) };
    return this.baselineCache.nats;
  }

  /** Samples, the prompt's continuation, the next-character distribution and the metrics. */
  views(heldout: DeviceData, options: ViewOptions): Promise<View[]> {
    return transformerViews(this, heldout, options);
  }


  /** The one network, "transformer". */
  get networks(): Readonly<Record<string, tfl.LayersModel>> {
    return { transformer: this.gpt };
  }

  /** Trainable parameters. */
  get parameterCount(): number {
    return this.gpt.countParams();
  }

  /** Frees the network and the optimizer state. */
  dispose(): void {
    this.gpt.dispose();
    this.optimizer.dispose();
  }
}
