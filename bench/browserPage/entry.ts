/**
 * The page of bench/browserCompare.ts, bundled by it with esbuild: trains the issue-8 VAE
 * (784-400-20, batch 128, Adam 1e-3) in the browser, the plain TensorFlow.js way
 * (bench/plainVae.ts: tf.train.adam().minimize, loss read every step) or through GenLab's
 * Trainer and Vae on a backend started as the webview starts it (src/webview/backend.ts).
 * Each measurement runs in a fresh page, so that kernels GenLab registers (wasm's matMul) and
 * compiled WebGL programs cannot leak into the other implementation's run.
 * The page exposes window.genlabBench.run(config), .check(config) and .profile(config) to the driver.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { DeviceData } from '../../src/core/data/deviceData';
import type { ImageSet } from '../../src/core/data/dataset';
import { Vae } from '../../src/core/families/vae';
import { Trainer } from '../../src/core/loop';
import { Rng } from '../../src/core/rng';
import { startBackend } from '../../src/webview/backend';
import { BACKENDS, type BackendName } from '../../src/shared/protocol';
import { BATCH, ISSUE_VAE, issueVaeSpec } from '../issueVae';
import { PlainVae, plainImages } from '../plainVae';
import { checkVariants } from './checks';
import { profileKernels, type KernelProfile } from './profile';
import { applyVariant, type Variant } from './variants';

/** One measurement: an implementation on a backend, with GenLab's optional variants. */
export interface RunConfig {
  impl: 'plain' | 'genlab';
  backend: BackendName;
  steps: number;
  warmup: number;
  /** GenLab's steps between loss reads (the webview uses 5 on webgl, 1 elsewhere). */
  readEvery?: number;
  /** Changes to GenLab's setup measured against its default (see variants.ts). */
  variant?: Variant;
}

/** What one measurement gives back. */
export interface RunResult {
  samplesPerSecond: number;
  seconds: number;
  backend: string;
  lastLoss: number;
  numTensors: number;
  flags: Record<string, unknown>;
}

/** The bundled MNIST digits, served by the driver. */
async function loadData(): Promise<ImageSet> {
  const get = async (p: string) => new Uint8Array(await (await fetch(p)).arrayBuffer());
  const [pixels, labels] = await Promise.all([get('/data/pixels'), get('/data/labels')]);
  return { name: 'mnist', count: labels.length, height: 28, width: 28, pixels, labels };
}

async function startPlain(backend: BackendName): Promise<void> {
  setWasmPaths('/wasm/');
  if (!(await tf.setBackend(backend))) throw new Error(`the ${backend} backend could not start`);
  await tf.ready();
}

async function startGenlab(backend: BackendName, variant: Variant): Promise<void> {
  const choice = await startBackend(BACKENDS.filter((b) => b !== backend), '/wasm/');
  if (choice.backend !== backend) throw new Error(`asked for ${backend}, started ${choice.backend}: ${choice.skipped.join('; ')}`);
  applyVariant(backend, variant);
}

/** A prepared training run: `steps(n)` takes n steps and gives the latest loss read; `done()` frees everything. */
interface Prepared { steps(n: number): Promise<number>; done(): void }

/** Starts the backend and builds the model and data of `config`, the plain way or GenLab's. */
async function prepare(config: RunConfig): Promise<Prepared> {
  const set = await loadData();
  if (config.impl === 'plain') {
    await startPlain(config.backend);
    const x = plainImages(set.pixels, set.count, ISSUE_VAE.features);
    const vae = new PlainVae(), rng = new Rng(1);
    return {
      steps: async (n) => {
        let value = NaN;
        for (let i = 0; i < n; i++) {
          const idx = tf.tensor1d(Int32Array.from({ length: BATCH }, () => Math.floor(rng.next() * set.count)), 'int32');
          const batch = tf.gather(x, idx) as tf.Tensor2D;
          value = vae.step(batch);
          tf.dispose([idx, batch]);
        }
        return value;
      },
      done: () => { vae.dispose(); x.dispose(); },
    };
  }
  await startGenlab(config.backend, config.variant ?? {});
  const data = new DeviceData(set);
  const vae = new Vae(issueVaeSpec(), { height: 28, width: 28, channels: 1, classes: 10 });
  let last = NaN;
  const readEvery = config.readEvery ?? (config.backend === 'webgl' ? 5 : 1); // as src/webview/main.ts
  const trainer = new Trainer(vae, data, data, { batchSize: BATCH, readEvery, seed: 1 }, { onSteps: (rows) => { last = rows[rows.length - 1].values.loss; } });
  let taken = 0;
  return {
    steps: async (n) => {
      taken += n;
      if (taken >= trainer.train.count / BATCH - 1) throw new Error('warm-up and steps must stay within one epoch (no held-out evaluation in the timing)');
      await trainer.runSteps(n);
      await trainer.flush();
      return last;
    },
    done: () => { trainer.dispose(); vae.dispose(); data.dispose(); },
  };
}

/** Trains `config.steps` steps after `config.warmup` and reports samples per second; the driver's benchMark() brackets the timed steps. */
async function run(config: RunConfig): Promise<RunResult> {
  const p = await prepare(config);
  await p.steps(config.warmup);
  const mark = (window as unknown as { benchMark?: () => Promise<void> }).benchMark;
  await mark?.();
  const t0 = performance.now();
  const lastLoss = await p.steps(config.steps);
  const seconds = (performance.now() - t0) / 1000;
  await mark?.();
  p.done();
  const env = tf.env().getFlags();
  const flags = Object.fromEntries(['WEBGL_PACK', 'WEBGL_USE_SHAPES_UNIFORMS', 'WEBGL_RENDER_FLOAT32_ENABLED', 'WEBGL_VERSION', 'WASM_HAS_SIMD_SUPPORT', 'WASM_HAS_MULTITHREAD_SUPPORT']
    .filter((f) => env[f] !== undefined).map((f) => [f, env[f]]));
  return { samplesPerSecond: (config.steps * BATCH) / seconds, seconds, backend: tf.getBackend(), lastLoss, numTensors: tf.memory().numTensors, flags };
}

/** Where a step's time goes on `config.backend`: per-kernel milliseconds over `config.steps` steps after the warm-up (see profile.ts). */
async function profile(config: RunConfig): Promise<KernelProfile> {
  const p = await prepare(config);
  await p.steps(config.warmup);
  const prof = profileKernels(config.backend);
  await p.steps(config.steps);
  prof.restore();
  p.done();
  return prof.profile;
}

/** Compares each variant's kernels with tfjs's own on random inputs, on `backend` (see checks.ts). */
async function check(config: { backend: BackendName; variant: Variant }): Promise<Record<string, number>> {
  await startGenlab(config.backend, { flags: config.variant.flags });
  return checkVariants(config.backend, config.variant);
}

(window as unknown as { genlabBench: unknown }).genlabBench = { run, check, profile };
