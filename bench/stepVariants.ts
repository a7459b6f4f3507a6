/**
 * Benchmark (not a test) of changes proposed for files outside the kernels: the GenLab VAE step
 * of issue 8 (784-400-20, batch 128) on wasm with
 *  - base: GenLab as it is;
 *  - adam: Adam with its bias correction folded into one step size (Kingma & Ba 2015, end of §2),
 *    10 kernels a weight instead of 13: a proposal for optimizers.ts;
 * (The Bernoulli NLL with a hand-written gradient, measured here first, is in losses.ts now.)
 * Each variant first has its results checked against the current code (relative error < 1e-4
 * on random inputs). Variants run in one process, interleaved in chunks of steps; both CPU time
 * (process.cpuUsage, robust on a shared machine) and wall time are reported, as medians of the
 * per-round ratios to base.  npx tsx bench/stepVariants.ts [--rounds 10] [--steps 20]
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types';
import { DeviceData } from '../src/core/data/deviceData';
import { Vae } from '../src/core/families/vae';
import { Trainer } from '../src/core/loop';
import { Rng } from '../src/core/rng';
import { useNodeBackend } from '../src/node/backend';
import { loadFashionMnist } from './fashionMnist';
import { BATCH, FASHION_SHAPE, issueVaeSpec } from './issueVae';
import { median } from './stats';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};

/**
 * Adam (Kingma & Ba 2015, Algorithm 1) with the bias correction folded into the step size:
 * w ← w − α_t·m / (√v + ε̂), α_t = α·√(1 − β2ᵗ)/(1 − β1ᵗ), ε̂ = ε·√(1 − β2ᵗ), which equals
 * tf.train.adam's α·m̂ / (√v̂ + ε) exactly in real arithmetic.
 */
export class LeanAdam extends tf.Optimizer {
  private readonly m: tf.Variable[] = [];
  private readonly v: tf.Variable[] = [];
  private t = 0;

  /** Adam with learning rate α, moment decays β1, β2 and ε as tf.train.adam's defaults. */
  constructor(public learningRate: number, public beta1 = 0.9, public beta2 = 0.999, public epsilon = 1e-7) {
    super();
  }

  /** One update of every variable named in `grads`. */
  applyGradients(grads: tf.NamedTensorMap | NamedTensor[]): void {
    const names = Array.isArray(grads) ? grads.map((g) => g.name) : Object.keys(grads);
    this.t++;
    const c2 = Math.sqrt(1 - this.beta2 ** this.t);
    const lr = (this.learningRate * c2) / (1 - this.beta1 ** this.t), eps = this.epsilon * c2;
    tf.tidy(() => names.forEach((name, i) => {
      const w = tf.engine().registeredVariables[name];
      const g = Array.isArray(grads) ? grads[i].tensor : grads[name];
      if (!this.m[i]) {
        this.m[i] = tf.variable(tf.zerosLike(w), false);
        this.v[i] = tf.variable(tf.zerosLike(w), false);
      }
      const m = tf.add(this.m[i], tf.mul(tf.sub(g, this.m[i]), 1 - this.beta1));
      const v = tf.add(this.v[i], tf.mul(tf.sub(tf.square(g), this.v[i]), 1 - this.beta2));
      this.m[i].assign(m);
      this.v[i].assign(v);
      w.assign(tf.sub(w, tf.div(tf.mul(m, lr), tf.add(tf.sqrt(v), eps))));
    }));
  }

  /** Frees the moments. */
  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
  }

  /** Not saved by this benchmark. */
  async getWeights(): Promise<NamedTensor[]> {
    return [];
  }

  /** Not restored by this benchmark. */
  async setWeights(): Promise<void> {}

  /** The settings, as tf.serialization would save them. */
  getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }

  /** The class name tf.serialization would use. */
  getClassName(): string {
    return 'LeanAdam';
  }
}

const relError = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0, s = 0;
  for (let i = 0; i < b.length; i++) { d = Math.max(d, Math.abs(a[i] - b[i])); s = Math.max(s, Math.abs(b[i])); }
  return d / s;
};

/** Relative errors of the proposals against the current code on random inputs. */
function checkEqual(): Record<string, number> {
  const rng = new Rng(3);
  const rand = (n: number, scale: number) => Float32Array.from({ length: n }, () => scale * rng.normal());
  // Adam: the same weights after 20 updates with the same random gradients.
  const w0 = rand(300, 1), a = tf.variable(tf.tensor1d(w0), true, 'leanCheckA'), b = tf.variable(tf.tensor1d(w0), true, 'leanCheckB');
  const ref = tf.train.adam(1e-2), lean = new LeanAdam(1e-2);
  for (let s = 0; s < 20; s++) {
    const g = tf.tensor1d(rand(300, 1));
    ref.applyGradients([{ name: 'leanCheckA', tensor: g }]);
    lean.applyGradients({ leanCheckB: g });
    g.dispose();
  }
  const moved = tf.sub(a, tf.tensor1d(w0));
  const adamUpdate = relError(tf.sub(b, tf.tensor1d(w0)).dataSync(), moved.dataSync());
  tf.dispose([a, b, moved]); ref.dispose(); lean.dispose();
  return { adamUpdate };
}

(async () => {
  await useNodeBackend('wasm');
  const rounds = Number(arg('rounds', '10')), steps = Number(arg('steps', '20'));
  const checks = checkEqual();
  console.log('relative errors against the current code:', Object.entries(checks).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', '));
  const { train } = loadFashionMnist();
  const data = new DeviceData(train);
  const withLeanAdam = <T extends Vae>(v: T): T => {
    (v as unknown as { optimizer: tf.Optimizer }).optimizer.dispose();
    (v as unknown as { optimizer: tf.Optimizer }).optimizer = new LeanAdam(1e-3);
    return v;
  };
  const variants: Array<[string, () => Vae]> = [
    ['base', () => new Vae(issueVaeSpec(), FASHION_SHAPE)],
    ['adam', () => withLeanAdam(new Vae(issueVaeSpec(), FASHION_SHAPE))],
  ];
  const trainers = variants.map(([, make]) => new Trainer(make(), data, data, { batchSize: BATCH, readEvery: 10, seed: 1 }));
  for (const t of trainers) { await t.runSteps(5); await t.flush(); }
  const cpu: number[][] = variants.map(() => []), wall: number[][] = variants.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (const [i, t] of trainers.entries()) {
      const c0 = process.cpuUsage(), w0 = performance.now();
      await t.runSteps(steps);
      await t.flush();
      const c = process.cpuUsage(c0);
      cpu[i].push((c.user + c.system) / 1000 / steps);
      wall[i].push((performance.now() - w0) / steps);
    }
  }
  const rows = variants.map(([name], i) => ({
    variant: name,
    cpuMsPerStep: median(cpu[i]), cpuRatio: median(cpu[i].map((x, j) => x / cpu[0][j])),
    wallMsPerStep: median(wall[i]), wallRatio: median(wall[i].map((x, j) => x / wall[0][j])),
  }));
  console.log(`GenLab VAE 784-400-20 step on wasm, ${rounds} interleaved rounds of ${steps} steps (ratio < 1: faster than base)`);
  for (const r of rows) console.log(`  ${r.variant.padEnd(10)} CPU ${r.cpuMsPerStep.toFixed(2)} ms/step (×${r.cpuRatio.toFixed(3)})   wall ${r.wallMsPerStep.toFixed(2)} ms/step (×${r.wallRatio.toFixed(3)})`);
  console.log(JSON.stringify({ checks, rows }));
  trainers.forEach((t) => { t.dispose(); t.model.dispose(); });
  data.dispose();
})();
