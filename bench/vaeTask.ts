/**
 * One measurement of bench/compare.ts, run in a fresh Node process so that runs cannot share
 * kernels, caches or memory: `npx tsx bench/vaeTask.ts <task> [options]`, printing one JSON line.
 *  throughput --impl plain|genlab --backend wasm|cpu [--threads N] [--steps S] [--warmup W]
 *  quality --backend wasm|cpu [--epochs 1,5]
 *  matmul --backend wasm|cpu --kernels own|fast [--reps R]
 * The plain implementation never calls GenLab's useNodeBackend, so its backend keeps the
 * kernels TensorFlow.js ships with.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { DeviceData } from '../src/core/data/deviceData';
import { Vae } from '../src/core/families/vae';
import { registerFastMatMul } from '../src/core/kernels/matmul';
import { Trainer } from '../src/core/loop';
import { Rng } from '../src/core/rng';
import { useNodeBackend, type NodeBackend } from '../src/node/backend';
import { loadFashionMnist } from './fashionMnist';
import { BATCH, FASHION_SHAPE, ISSUE_VAE, issueVaeSpec } from './issueVae';
import { PlainVae, plainImages } from './plainVae';
import { startThreadedWasm } from './wasmThreads';

const SHAPE = FASHION_SHAPE;

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
};

/** Starts `backend` (GenLab's way with its kernels, or TensorFlow.js's own), with `threads` on wasm when above 1. */
async function start(backend: NodeBackend, genlab: boolean, threads: number): Promise<Record<string, unknown>> {
  const info: Record<string, unknown> = { backend, threads: 1 };
  if (backend === 'wasm' && threads > 1) info.threads = await startThreadedWasm(threads);
  if (genlab) await useNodeBackend(backend);
  else if (!(await tf.setBackend(backend))) throw new Error(`the ${backend} backend could not start`);
  await tf.ready();
  return info;
}

/** Training samples per second of the plain or the GenLab VAE over `steps` steps after `warmup`. */
async function throughput(impl: string, backend: NodeBackend, steps: number, warmup: number, threads: number): Promise<Record<string, unknown>> {
  const info = await start(backend, impl === 'genlab', threads);
  const { train, test } = loadFashionMnist();
  let seconds: number, cpuSeconds: number;
  const cpuSince = (c0: NodeJS.CpuUsage) => { const c = process.cpuUsage(c0); return (c.user + c.system) / 1e6; };
  if (impl === 'plain') {
    const x = plainImages(train.pixels, train.count, ISSUE_VAE.features);
    const vae = new PlainVae(), rng = new Rng(1);
    const run = (n: number) => {
      for (let i = 0; i < n; i++) {
        const idx = tf.tensor1d(Int32Array.from({ length: BATCH }, () => Math.floor(rng.next() * train.count)), 'int32');
        const batch = tf.gather(x, idx) as tf.Tensor2D;
        vae.step(batch);
        tf.dispose([idx, batch]);
      }
    };
    run(warmup);
    const t0 = performance.now(), c0 = process.cpuUsage();
    run(steps);
    seconds = (performance.now() - t0) / 1000;
    cpuSeconds = cpuSince(c0);
    vae.dispose(); x.dispose();
  } else if (impl === 'genlab') {
    const tr = new DeviceData(train), ho = new DeviceData(test);
    const vae = new Vae(issueVaeSpec(), SHAPE);
    const trainer = new Trainer(vae, tr, ho, { batchSize: BATCH, readEvery: 10, seed: 1 });
    await trainer.runSteps(warmup);
    await trainer.flush();
    const t0 = performance.now(), c0 = process.cpuUsage();
    await trainer.runSteps(steps);
    await trainer.flush();
    seconds = (performance.now() - t0) / 1000;
    cpuSeconds = cpuSince(c0);
    trainer.dispose(); vae.dispose(); tr.dispose(); ho.dispose();
  } else {
    throw new Error(`unknown implementation "${impl}" (plain or genlab)`);
  }
  // CPU time (all threads of the process) is far less disturbed by other load than wall time.
  return { ...info, impl, steps, seconds, cpuSeconds, samples_per_s: (steps * BATCH) / seconds, samples_per_cpu_s: (steps * BATCH) / cpuSeconds, numTensors: tf.memory().numTensors };
}

/** Held-out −ELBO of the GenLab VAE on the Fashion-MNIST test set after each of `epochs`. */
async function quality(backend: NodeBackend, epochs: number[], threads: number): Promise<Record<string, unknown>> {
  const info = await start(backend, true, threads);
  const { train, test } = loadFashionMnist();
  const tr = new DeviceData(train), ho = new DeviceData(test);
  const vae = new Vae(issueVaeSpec(), SHAPE);
  const rows: Array<Record<string, number>> = [];
  const t0 = performance.now();
  const trainer = new Trainer(vae, tr, ho, { batchSize: BATCH, readEvery: 10, seed: 1 }, {
    onEpoch: (r) => { if (epochs.includes(r.epoch)) rows.push({ epoch: r.epoch, ...r.heldout, seconds: (performance.now() - t0) / 1000 }); },
  });
  const perEpoch = Math.floor(tr.count / BATCH);
  await trainer.runSteps(perEpoch * Math.max(...epochs));
  trainer.dispose(); vae.dispose(); tr.dispose(); ho.dispose();
  return { ...info, epochs: rows, diverged: trainer.diverged ?? null };
}

/** Milliseconds (median of `reps`) of 128×784 by 784×400 with each transpose combination, on the backend's own kernels or the fast ones. */
async function matmul(backend: NodeBackend, kernels: string, reps: number): Promise<Record<string, unknown>> {
  await start(backend, false, 1);
  if (kernels === 'fast') registerFastMatMul(backend);
  const ms: Record<string, number> = {};
  for (const [name, tA, tB] of [['plain', false, false], ['transposeA', true, false], ['transposeB', false, true], ['both', true, true]] as const) {
    const a = tf.randomNormal(tA ? [784, 128] : [128, 784]), b = tf.randomNormal(tB ? [400, 784] : [784, 400]);
    const times: number[] = [];
    for (let r = 0; r < reps + 2; r++) {
      const t0 = performance.now();
      const c = tf.matMul(a, b, tA, tB);
      c.dataSync();
      if (r >= 2) times.push(performance.now() - t0); // two warm-up products
      c.dispose();
    }
    times.sort((p, q) => p - q);
    ms[name] = times[times.length >> 1];
    tf.dispose([a, b]);
  }
  return { backend, kernels, ms };
}

(async () => {
  const task = process.argv[2];
  const backend = arg('backend', 'wasm') as NodeBackend;
  const threads = Number(arg('threads', '1'));
  let out: Record<string, unknown>;
  if (task === 'throughput') out = await throughput(arg('impl', 'genlab'), backend, Number(arg('steps', '40')), Number(arg('warmup', '3')), threads);
  else if (task === 'quality') out = await quality(backend, arg('epochs', '1,5').split(',').map(Number), threads);
  else if (task === 'matmul') out = await matmul(backend, arg('kernels', 'fast'), Number(arg('reps', '15')));
  else throw new Error(`unknown task "${task}" (throughput, quality or matmul)`);
  console.log(JSON.stringify(out));
  process.exit(0); // the threaded build's workers would keep the process alive
})().catch((e) => {
  console.error(`bench/vaeTask.ts: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
