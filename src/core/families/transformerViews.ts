/**
 * The character-level GPT's views: samples from a fixed seed, the continuation of a prompt with
 * temperature and top-k sampling, the next-character distribution after the prompt, and the
 * metrics charted with the loss (held-out loss on a fixed sample of windows, the bigram baseline).
 *
 * Generation reads the logits back once per character, asynchronously (await data()), and draws
 * the character on the CPU from a seeded generator, so that nothing blocks the webview's main
 * thread and the same model gives the same text. A views() call generates SAMPLE_LINES ×
 * SAMPLE_CHARS + PROMPT_CHARS = 600 characters in all, every row in one batch per step.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DeviceData } from '../data/deviceData';
import { isTextSet } from '../data/dataset';
import type { ViewOptions } from '../family';
import { Rng } from '../rng';
import type { BarsView, MetricsView, TextView, View } from '../views';

/** What the views need from the transformer. */
export interface TransformerLike {
  readonly vocab: number;
  readonly context: number;
  /** Seed of the samplers, the same at every call. */
  readonly viewSeed: number;
  /** Logits [B, T, V] for int32 tokens [B, T]. */
  logits(tokens: tf.Tensor2D, training?: boolean): tf.Tensor3D;
  /** Mean cross-entropy per character of windows [B, T + 1]. */
  crossEntropy(x: tf.Tensor2D, training?: boolean): tf.Scalar;
  /** The bigram baseline on a held-out text, if the training text is known. */
  bigramBaseline(heldout: Int32Array): number | undefined;
}

/** Sample lines in the 'samples' view. */
export const SAMPLE_LINES = 3;
/** Characters per sample line. */
export const SAMPLE_CHARS = 150;
/** Characters generated after the prompt. */
export const PROMPT_CHARS = 150;
/** Candidates shown in the 'nextToken' view. */
export const NEXT_CANDIDATES = 10;
/** Held-out windows scored for the live held-out metric, at most. */
export const HELDOUT_SAMPLE_WINDOWS = 128;
/** The prompt, temperature and top-k when the inputs give none. */
export const PROMPT_DEFAULTS = { prompt: 'ROMEO:', temperature: 0.8, topK: 10 } as const;

/** Indices of the `k` largest logits, largest first (ties: lower index first). */
export function topIndices(logits: ArrayLike<number>, k: number): number[] {
  const order = Array.from({ length: logits.length }, (_, i) => i);
  order.sort((a, b) => logits[b] - logits[a] || a - b);
  return order.slice(0, Math.max(1, Math.min(k, logits.length)));
}

/** softmax(logits) in float64: p_i = exp(l_i − max l) / Σ_j exp(l_j − max l). */
export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const p = Float64Array.from({ length: logits.length }, (_, i) => Math.exp(logits[i] - max));
  const sum = p.reduce((s, v) => s + v, 0);
  return p.map((v) => v / sum);
}

/**
 * Draws a token from logits with temperature τ and top-k (Fan et al. 2018): only the k most likely
 * tokens stay, with p_i ∝ exp(l_i / τ); `u` is a uniform number in [0, 1). τ = 0 is greedy (argmax).
 */
export function sampleToken(logits: ArrayLike<number>, temperature: number, topK: number, u: number): number {
  const top = topIndices(logits, topK);
  if (!(temperature > 0) || top.length === 1) return top[0];
  const p = softmax(top.map((i) => logits[i] / temperature));
  let acc = 0;
  for (let j = 0; j < top.length; j++) {
    acc += p[j];
    if (u < acc) return top[j];
  }
  return top[top.length - 1];
}

/** A character as a bar label, with whitespace made visible: "␣" for space, "↵" for newline, "⇥" for tab. */
export function visibleChar(c: string): string {
  const named: Record<string, string> = { ' ': '␣', '\n': '↵', '\t': '⇥', '\r': '␍' };
  if (named[c]) return named[c];
  const code = c.codePointAt(0) as number;
  return code < 32 || code === 127 ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : c;
}

/** The tokens of `text` (code points) in `vocab`; characters not in it are dropped. Returns the kept text too. */
export function encodeText(text: string, vocab: readonly string[]): { tokens: number[]; text: string } {
  const index = new Map(vocab.map((c, i) => [c, i]));
  const kept = Array.from(text).filter((c) => index.has(c));
  return { tokens: kept.map((c) => index.get(c) as number), text: kept.join('') };
}

/** How one row chooses its next token from its logits. */
export type Picker = (logits: Float32Array) => number;

/**
 * Extends every row of `rows` (token lists) by `steps` tokens, one batched forward pass and one
 * asynchronous read of the rows' last logits per step. A row longer than the context is cut to its
 * last T tokens; a shorter one is padded on the right, which the causal mask makes harmless.
 * `onLogits(step, row, logits)` sees each row's logits before its token is picked.
 */
export async function generate(model: TransformerLike, rows: number[][], steps: number, pick: Picker[], onLogits?: (step: number, row: number, logits: Float32Array) => void): Promise<number[][]> {
  const t = model.context, v = model.vocab, r = rows.length;
  const seqs = rows.map((row) => (row.length > 0 ? [...row] : [0]));
  for (let s = 0; s < steps; s++) {
    const windows = new Int32Array(r * t);
    const at = new Int32Array(r);
    seqs.forEach((seq, i) => {
      const part = seq.slice(-t);
      windows.set(part, i * t);
      at[i] = i * t + part.length - 1;
    });
    const last = tf.tidy(() => tf.gather(tf.reshape(model.logits(tf.tensor2d(windows, [r, t], 'int32')), [r * t, v]), tf.tensor1d(at, 'int32')));
    const values = await last.data() as Float32Array;
    last.dispose();
    seqs.forEach((seq, i) => {
      const logits = values.subarray(i * v, (i + 1) * v);
      onLogits?.(s, i, logits);
      seq.push(pick[i](logits));
    });
  }
  return seqs.map((seq, i) => seq.slice(rows[i].length > 0 ? rows[i].length : 1));
}

/** A control's value as a number within [min, max], or `fallback` when it is missing or not a number. */
function numberInput(value: string | number | undefined, fallback: number, min: number, max: number): number {
  const n = typeof value === 'number' ? value : Number(value);
  return value === undefined || value === '' || !Number.isFinite(n) ? fallback : Math.min(max, Math.max(min, n));
}

/** Mean cross-entropy per character on up to HELDOUT_SAMPLE_WINDOWS windows spread evenly over `heldout`. */
async function heldoutSampleLoss(model: TransformerLike, heldout: DeviceData): Promise<number> {
  const n = Math.min(HELDOUT_SAMPLE_WINDOWS, heldout.count);
  const every = Math.floor(heldout.count / n);
  const batch = heldout.gather(Int32Array.from({ length: n }, (_, i) => i * every));
  const loss = model.crossEntropy(batch.x);
  tf.dispose([batch.x, batch.y]);
  const value = (await loss.data())[0];
  loss.dispose();
  return value;
}

/**
 * The views: 'samples' (SAMPLE_LINES lines from the start token 0, temperature 1, no top-k, fixed
 * seed), 'prompt' (the prompt of the inputs, unknown characters dropped, continued with the inputs'
 * temperature and top-k), 'nextToken' (the model's own distribution, τ = 1, over the next character
 * after the prompt) and the metrics 'heldoutSample' and, when the training text is known, 'bigram'.
 */
export async function transformerViews(model: TransformerLike, heldout: DeviceData, options: ViewOptions): Promise<View[]> {
  const set = heldout.set;
  if (!isTextSet(set)) throw new Error('the transformer\'s views need held-out text');
  const vocab = set.vocab, v = model.vocab;
  const inputs = options.inputs ?? {};
  const prompt = encodeText(String(inputs.prompt ?? PROMPT_DEFAULTS.prompt), vocab);
  const temperature = numberInput(inputs.temperature, PROMPT_DEFAULTS.temperature, 0, 2);
  const topK = Math.round(numberInput(inputs.topK, Math.min(PROMPT_DEFAULTS.topK, v), 1, v));

  const rngs = Array.from({ length: SAMPLE_LINES + 1 }, (_, i) => new Rng(model.viewSeed * 1000 + i));
  const pick: Picker[] = rngs.map((rng, i) => (i < SAMPLE_LINES ? (l) => sampleToken(l, 1, v, rng.next()) : (l) => sampleToken(l, temperature, topK, rng.next())));
  const rows = [...Array.from({ length: SAMPLE_LINES }, () => [0]), prompt.tokens];
  let next: ArrayLike<number> = new Float64Array(v);
  const out = await generate(model, rows, Math.max(SAMPLE_CHARS, PROMPT_CHARS), pick, (s, row, logits) => {
    if (s === 0 && row === SAMPLE_LINES) next = softmax(logits);
  });
  const decode = (tokens: number[]) => tokens.map((i) => vocab[i] ?? '').join('');

  const samples: TextView = { kind: 'text', id: 'samples', title: 'Samples from the model (fixed seed)', lines: out.slice(0, SAMPLE_LINES).map((t) => decode(t.slice(0, SAMPLE_CHARS))) };
  const continuation: TextView = { kind: 'text', id: 'prompt', title: 'The prompt, continued by the model', lines: [prompt.text + decode(out[SAMPLE_LINES].slice(0, PROMPT_CHARS))], prompt: prompt.text };
  const top = topIndices(next, NEXT_CANDIDATES);
  const nextToken: BarsView = {
    kind: 'bars', id: 'nextToken', title: 'Most likely next characters after the prompt',
    labels: top.map((i) => visibleChar(vocab[i] ?? '?')), values: Float32Array.from(top, (i) => next[i]), yLabel: 'probability',
  };
  const values: Record<string, number> = { heldoutSample: await heldoutSampleLoss(model, heldout) };
  const bigram = model.bigramBaseline(set.tokens);
  if (bigram !== undefined) values.bigram = bigram;
  const metrics: MetricsView = { kind: 'metrics', id: 'loss', title: 'Held-out loss and the bigram baseline', values };
  return [samples, continuation, nextToken, metrics];
}
