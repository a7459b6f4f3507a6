/**
 * DDPM noise schedules and time embedding as plain numbers (no TensorFlow.js), after Ho, Jain &
 * Abbeel, "Denoising Diffusion Probabilistic Models" (2020), and Nichol & Dhariwal, "Improved
 * Denoising Diffusion Probabilistic Models" (2021) for the cosine schedule.
 *
 * Forward process: q(x_t | x_{t−1}) = N(√(1 − β_t) x_{t−1}, β_t I), t = 1..T, so that in closed form
 * q(x_t | x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I) with α_t = 1 − β_t and ᾱ_t = Π_{s=1..t} α_s.
 * Every array here is indexed by t = 0..T (length T + 1); index 0 is "no noise": β_0 = 0, α_0 = ᾱ_0 = 1.
 */
import type { DiffusionSpec } from '../modelfile/types';

/** β_t, α_t and ᾱ_t for t = 0..T (index t; index 0 holds β_0 = 0, α_0 = ᾱ_0 = 1). */
export interface NoiseSchedule {
  /** T, the number of diffusion steps. */
  steps: number;
  /** β_t, the variance of the noise added at step t. */
  betas: Float64Array;
  /** α_t = 1 − β_t. */
  alphas: Float64Array;
  /** ᾱ_t = Π_{s ≤ t} α_s: x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε. */
  alphaBars: Float64Array;
}

/** The offset s of the cosine schedule (Nichol & Dhariwal 2021, §3.2), which keeps β_1 from being tiny. */
export const COSINE_OFFSET = 0.008;
/** The cosine schedule clips β_t at this value so that the last steps do not divide by ᾱ_T ≈ 0 (Nichol & Dhariwal 2021). */
export const MAX_BETA = 0.999;

/** Linear schedule (Ho et al. 2020, §4): β_t = β_start + (t − 1)/(T − 1)·(β_end − β_start), t = 1..T; index 0 holds 0. */
export function linearBetas(steps: number, betaStart: number, betaEnd: number): Float64Array {
  const betas = new Float64Array(steps + 1);
  for (let t = 1; t <= steps; t++) betas[t] = steps === 1 ? betaStart : betaStart + ((t - 1) / (steps - 1)) * (betaEnd - betaStart);
  return betas;
}

/** The cosine schedule's ᾱ(t) = f(t)/f(0) with f(t) = cos²(π/2 · (t/T + s)/(1 + s)) (Nichol & Dhariwal 2021, eq. 17), before clipping. */
export function cosineAlphaBar(t: number, steps: number, s = COSINE_OFFSET): number {
  const f = (u: number) => Math.cos(((u / steps + s) / (1 + s)) * (Math.PI / 2)) ** 2;
  return f(t) / f(0);
}

/** Cosine schedule: β_t = min(1 − ᾱ(t)/ᾱ(t − 1), MAX_BETA), t = 1..T; index 0 holds 0. */
export function cosineBetas(steps: number): Float64Array {
  const betas = new Float64Array(steps + 1);
  for (let t = 1; t <= steps; t++) betas[t] = Math.min(1 - cosineAlphaBar(t, steps) / cosineAlphaBar(t - 1, steps), MAX_BETA);
  return betas;
}

/** α_t = 1 − β_t and ᾱ_t = Π_{s=1..t} α_s from β_t (index 0: α_0 = ᾱ_0 = 1). */
export function scheduleFromBetas(betas: Float64Array): NoiseSchedule {
  const steps = betas.length - 1;
  const alphas = new Float64Array(steps + 1), alphaBars = new Float64Array(steps + 1);
  alphas[0] = 1;
  alphaBars[0] = 1;
  for (let t = 1; t <= steps; t++) {
    alphas[t] = 1 - betas[t];
    alphaBars[t] = alphaBars[t - 1] * alphas[t];
  }
  return { steps, betas: Float64Array.from(betas, (b, t) => (t === 0 ? 0 : b)), alphas, alphaBars };
}

/**
 * The schedule `spec` describes: 'linear' from betaStart to betaEnd, or 'cosine' (which ignores
 * betaStart and betaEnd). Throws for T < 1 or a β_t outside (0, 1).
 */
export function noiseSchedule(spec: DiffusionSpec): NoiseSchedule {
  const steps = spec.steps;
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`diffusion.steps must be a whole number ≥ 1, got ${steps}`);
  const betas = spec.schedule === 'cosine' ? cosineBetas(steps) : linearBetas(steps, spec.betaStart, spec.betaEnd);
  for (let t = 1; t <= steps; t++) {
    if (!(betas[t] > 0 && betas[t] < 1)) throw new Error(`every β_t must lie in (0, 1), but β_${t} = ${betas[t]}: check diffusion.betaStart and betaEnd`);
  }
  return scheduleFromBetas(betas);
}

/**
 * Sinusoidal embedding of the time step t (Vaswani et al. 2017, §3.5), as in DDPM's code
 * (get_timestep_embedding): with h = dims/2 and frequencies ω_i = 10000^(−i/(h − 1)), i = 0..h − 1,
 * e(t) = [sin(t·ω_0), …, sin(t·ω_{h−1}), cos(t·ω_0), …, cos(t·ω_{h−1})]. `dims` must be even.
 */
export function timeEmbedding(t: number, dims: number): Float32Array {
  if (dims % 2 !== 0 || dims < 2) throw new Error(`the time embedding needs an even number of dimensions ≥ 2, got ${dims}`);
  const half = dims / 2;
  const out = new Float32Array(dims);
  for (let i = 0; i < half; i++) {
    const omega = Math.exp((-Math.log(10000) * i) / Math.max(1, half - 1));
    out[i] = Math.sin(t * omega);
    out[half + i] = Math.cos(t * omega);
  }
  return out;
}

/** Embeddings of t = 0..T as one row-major [T + 1, dims] table, row t = timeEmbedding(t, dims). */
export function timeEmbeddingTable(steps: number, dims: number): Float32Array {
  const table = new Float32Array((steps + 1) * dims);
  for (let t = 0; t <= steps; t++) table.set(timeEmbedding(t, dims), t * dims);
  return table;
}

/** `count` time steps evenly spaced from T down to 0 (rounded, without repeats), for the denoising strip. */
export function stripTimes(steps: number, count: number): number[] {
  const k = Math.max(2, count);
  const times = Array.from({ length: k }, (_, i) => Math.round((steps * (k - 1 - i)) / (k - 1)));
  return times.filter((t, i) => i === 0 || t !== times[i - 1]);
}
