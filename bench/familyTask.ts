/**
 * One measurement of bench/families.ts, run in a fresh Node process so that runs cannot share
 * kernels, caches or memory: training throughput of one model file, prepared and trained exactly
 * as `genlab train` does it (src/cli/train.ts: startBackend, prepareModel, splitData, createModel,
 * setTrainingSet, uploadSplit, Trainer with one read per chunk of steps). Prints one JSON line.
 *   npx tsx bench/familyTask.ts <file.genlab.json> --backend wasm|cpu [--warmup 2] [--seconds 4]
 *     [--min-steps 3] [--max-steps 2000]
 * Steps are timed in chunks of about a quarter of a second (read back once per chunk, like the
 * CLI's progress loop) until --seconds have passed and at least --min-steps were taken.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { shapeOfData, splitData } from '../src/core/data/dataset';
import { uploadSplit } from '../src/core/data/deviceData';
import { createModel } from '../src/core/families';
import { Trainer } from '../src/core/loop';
import { cliDataEnvironment } from '../src/cli/check';
import { packageRoot } from '../src/cli/root';
import { startBackend } from '../src/cli/train';
import type { NodeBackend } from '../src/node/backend';
import { prepareModel } from '../src/node/modelFile';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
};

/** Seconds of CPU time (all threads of this process) since `c0`. */
const cpuSince = (c0: NodeJS.CpuUsage): number => {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
};

/** Samples per second of the model in `file` on `backend`, timed after `warmup` steps. */
async function measure(file: string, backend: NodeBackend, warmup: number, seconds: number, minSteps: number, maxSteps: number): Promise<Record<string, unknown>> {
  const root = packageRoot(__dirname);
  const used = await startBackend(backend, root);
  const text = readFileSync(file, 'utf8');
  const tLoad = performance.now();
  const { spec, data } = prepareModel(text, dirname(resolve(file)), root, basename(file).replace(/\.genlab\.json$/, ''), {}, cliDataEnvironment(file));
  const { train, heldout } = splitData(data, spec.data.heldout);
  const model = createModel(spec, shapeOfData(data));
  model.setTrainingSet?.(train);
  const trainData = uploadSplit(train, 'train', spec.transformer.context), heldoutData = uploadSplit(heldout, 'heldout', spec.transformer.context);
  const prepareSeconds = (performance.now() - tLoad) / 1000;
  const batch = spec.training.batchSize;
  const perEpoch = Math.floor(train.count / batch);
  // readEvery as large as the CLI's: the loop reads only when flushed (or at an epoch's end).
  const trainer = new Trainer(model, trainData, heldoutData, { batchSize: batch, readEvery: 1e9, seed: spec.training.seed });
  const chunkSeconds = (n: number) => async () => {
    const t0 = performance.now();
    await trainer.runSteps(n);
    await trainer.flush();
    return (performance.now() - t0) / 1000;
  };
  const tWarm = performance.now();
  await chunkSeconds(warmup)();
  const warmupSeconds = (performance.now() - tWarm) / 1000;
  // A second, timed warm-up step sizes the chunks (about 0.25 s each).
  const oneStep = await chunkSeconds(1)();
  const chunk = Math.max(1, Math.min(50, Math.round(0.25 / Math.max(oneStep, 1e-4))));
  let steps = 0, elapsed = 0, epochEnds = 0;
  const c0 = process.cpuUsage();
  while ((elapsed < seconds || steps < minSteps) && steps < maxSteps) {
    const n = Math.min(chunk, maxSteps - steps);
    const epochBefore = trainer.epoch;
    elapsed += await chunkSeconds(n)();
    steps += n;
    epochEnds += trainer.epoch - epochBefore;
  }
  const cpuSeconds = cpuSince(c0);
  const result = {
    file: basename(file), family: spec.family, backend: used, batch, parameters: model.parameterCount,
    trainCount: train.count, perEpoch, warmup, warmupSeconds, oneStepSeconds: oneStep, chunk, steps, seconds: elapsed, cpuSeconds,
    // An epoch's end inside the timed steps adds one held-out evaluation, as it does in `genlab train`.
    epochEndsTimed: epochEnds, prepareSeconds,
    samples_per_s: (steps * batch) / elapsed, samples_per_cpu_s: (steps * batch) / cpuSeconds,
    ms_per_step: (1000 * elapsed) / steps, diverged: trainer.diverged ?? null,
  };
  trainer.dispose();
  model.dispose();
  trainData.dispose();
  heldoutData.dispose();
  return { ...result, numTensorsAfter: tf.memory().numTensors };
}

(async () => {
  const file = process.argv[2];
  if (!file || file.startsWith('--')) throw new Error('give a model file, e.g. examples/vae-mnist.genlab.json');
  const out = await measure(file, arg('backend', 'wasm') as NodeBackend, Number(arg('warmup', '2')), Number(arg('seconds', '4')), Number(arg('min-steps', '3')), Number(arg('max-steps', '2000')));
  console.log(JSON.stringify(out));
  process.exit(0);
})().catch((e) => {
  console.error(`bench/familyTask.ts: ${process.argv[2]}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  process.exit(1);
});
