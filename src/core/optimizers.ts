/** Optimizers from a model file's "optimizer" settings. */
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerSpec } from './modelfile/types';
import { FusedAdam } from './kernels/webglAdam';

/** Creates the optimizer `spec` names. */
export function makeOptimizer(spec: OptimizerSpec): tf.Optimizer {
  switch (spec.type) {
    case 'sgd':
      return spec.momentum ? tf.train.momentum(spec.learningRate, spec.momentum) : tf.train.sgd(spec.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(spec.learningRate, undefined, spec.momentum ?? 0);
    default:
      // tfjs's Adam, in one WebGL pass per output where the backend has GenLab's Adam kernel.
      return new FusedAdam(spec.learningRate, spec.beta1 ?? 0.9, spec.beta2 ?? 0.999);
  }
}

/**
 * Changes the learning rate of a running optimizer. tfjs's Adam, SGD, momentum and RMSProp
 * read `learningRate` at every update, so weights and moments stay as they are.
 */
export function setOptimizerLearningRate(optimizer: tf.Optimizer, lr: number): void {
  if (!(lr > 0) || !Number.isFinite(lr)) throw new Error(`learning rate must be a positive number, got ${lr}`);
  const o = optimizer as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  // SGD and momentum keep −lr as a tensor and have setLearningRate to rebuild it.
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}

/** Whether `from` can become `to` without a new optimizer (same class, so its moments carry over). */
export function canReconfigure(from: OptimizerSpec, to: OptimizerSpec): boolean {
  const cls = (o: OptimizerSpec) => (o.type === 'sgd' ? (o.momentum ? 'momentum' : 'sgd') : o.type);
  return cls(from) === cls(to);
}

/**
 * Applies `spec` to a running optimizer of the same class: the learning rate, Adam's β1 and β2
 * (read at every update; the bias-correction powers go on from their current values), and the
 * momentum of SGD with momentum and RMSProp. Weights and moments stay.
 */
export function reconfigureOptimizer(optimizer: tf.Optimizer, spec: OptimizerSpec): void {
  setOptimizerLearningRate(optimizer, spec.learningRate);
  const o = optimizer as unknown as { beta1?: number; beta2?: number; momentum?: number; setMomentum?: (m: number) => void };
  if (spec.type === 'adam') {
    o.beta1 = spec.beta1 ?? 0.9;
    o.beta2 = spec.beta2 ?? 0.999;
  } else if (spec.momentum !== undefined) {
    if (typeof o.setMomentum === 'function') o.setMomentum(spec.momentum);
    else o.momentum = spec.momentum;
  }
}

/**
 * The optimizers of one model (one, or one per network it trains apart, as a GAN's D and G),
 * sharing one learning rate and one set of settings that can change live.
 */
export class OptimizerSet {
  /** The optimizers, in the order asked for. */
  readonly all: tf.Optimizer[];
  private spec: OptimizerSpec;

  /** Makes `count` optimizers of `spec`. */
  constructor(spec: OptimizerSpec, count = 1) {
    this.spec = spec;
    this.all = Array.from({ length: count }, () => makeOptimizer(spec));
  }

  /** The current learning rate. */
  get learningRate(): number {
    return this.spec.learningRate;
  }

  /** Changes the learning rate from the next step on, keeping weights and moments. */
  setLearningRate(lr: number): void {
    if (!(lr > 0) || !Number.isFinite(lr)) throw new Error(`learning rate must be a positive number, got ${lr}`);
    this.all.forEach((o) => setOptimizerLearningRate(o, lr));
    this.spec = { ...this.spec, learningRate: lr };
  }

  /** Applies `spec` (learning rate, β1, β2, momentum) live, keeping moments; throws for another optimizer class. */
  setOptimizer(spec: OptimizerSpec): void {
    if (!canReconfigure(this.spec, spec)) throw new Error(`cannot switch the optimizer from ${this.spec.type} to ${spec.type} while training; restart instead`);
    this.all.forEach((o) => reconfigureOptimizer(o, spec));
    this.spec = spec;
  }
}
