/**
 * Benchmark (not a test): the default-size character-level GPT (2 layers, 4 heads, 64 wide,
 * context 64, Adam 1e-3) on tiny shakespeare, 90% train / 10% held out. Every `--every` steps it
 * prints the held-out loss per character on a fixed sample of 256 windows; at the end, the loss on
 * all held-out text, next to the add-one bigram baseline fit on the training text (≈ 2.48) and
 * nanoGPT's small CPU configuration (≈ 1.88, 4 layers × 128 wide, 2,000 steps of 12), plus
 * seconds, samples (windows) per second and a sample.
 * Usage: npx tsx bench/transformer-shakespeare.ts [--steps 2000] [--batch 32] [--every 250] [--backend wasm] [--lr 1e-3]
 */
import * as tf from '@tensorflow/tfjs-core';
import { DeviceData } from '../src/core/data/deviceData';
import { splitData, type TextSet } from '../src/core/data/dataset';
import { bigramBaseline, CharTransformer } from '../src/core/families/transformer';
import { Trainer } from '../src/core/loop';
import { resolveModelFile } from '../src/core/modelfile/defaults';
import type { TextView } from '../src/core/views';
import { useNodeBackend, type NodeBackend } from '../src/node/backend';
import { loadBundledText } from '../src/node/bundledText';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const steps = Number(arg('steps', '2000'));
const batchSize = Number(arg('batch', '32'));
const every = Number(arg('every', '250'));
const learningRate = Number(arg('lr', '1e-3'));
const backend = arg('backend', 'wasm') as NodeBackend;
/** nanoGPT's shakespeare_char at its small CPU configuration (README), nats per character. */
const NANOGPT_CPU = 1.88;

/** Mean loss per character over windows spread evenly over the held-out text. */
async function sampledLoss(model: CharTransformer, heldout: DeviceData, windows = 256): Promise<number> {
  const n = Math.min(windows, heldout.count), gap = Math.floor(heldout.count / n);
  const batch = heldout.gather(Int32Array.from({ length: n }, (_, i) => i * gap));
  const loss = model.crossEntropy(batch.x);
  const value = (await loss.data())[0];
  tf.dispose([loss, batch.x, batch.y]);
  return value;
}

(async () => {
  console.log(`backend: ${await useNodeBackend(backend)}`);
  const set = loadBundledText('.');
  const { train, heldout } = splitData(set, 0.1);
  const shape = { height: 1, width: 1, channels: 1, classes: set.vocab.length, kind: 'text' as const };
  const spec = resolveModelFile({ family: 'autoregressive', training: { batchSize, seed: 1 }, optimizer: { learningRate } }, shape);
  const { context } = spec.transformer;
  const model = new CharTransformer(spec, shape);
  model.setTrainingSet(train as TextSet);
  const bigram = bigramBaseline(train.tokens, heldout.tokens, shape.classes);
  const trainData = new DeviceData(train, { window: context }), heldoutData = new DeviceData(heldout, { window: context, stride: context });
  console.log(`GPT ${JSON.stringify(spec.transformer)}, ${model.parameterCount.toLocaleString('en-US')} parameters, vocabulary ${shape.classes}; batch ${batchSize}, Adam ${learningRate}; ${train.count.toLocaleString('en-US')} training and ${heldout.count.toLocaleString('en-US')} held-out characters`);
  console.log(`bigram baseline (add-one, fit on the training text): ${bigram.toFixed(3)} nats per character; nanoGPT small CPU config: ${NANOGPT_CPU}`);
  let last: number | undefined;
  const trainer = new Trainer(model, trainData, heldoutData, { batchSize, readEvery: 25, seed: 2 }, { onSteps: (rows) => (last = rows.at(-1)?.values.loss) });
  let trainSeconds = 0;
  console.log(`step     0  held-out (256 windows) ${(await sampledLoss(model, heldoutData)).toFixed(3)}`);
  while (trainer.step < steps) {
    const t0 = performance.now();
    await trainer.runSteps(Math.min(every, steps - trainer.step));
    await trainer.flush();
    trainSeconds += (performance.now() - t0) / 1000;
    console.log(`step ${String(trainer.step).padStart(5)}  train ${last?.toFixed(3) ?? '—'}  held-out (256 windows) ${(await sampledLoss(model, heldoutData)).toFixed(3)}  ${trainSeconds.toFixed(0)} s`);
  }
  const t0 = performance.now();
  const full = (await trainer.evaluate(heldoutData)).loss;
  const evalSeconds = (performance.now() - t0) / 1000;
  console.log(`held-out loss (all ${heldoutData.count} windows, ${evalSeconds.toFixed(1)} s): ${full.toFixed(3)} nats per character = ${(full / Math.LN2).toFixed(3)} bits; bigram ${bigram.toFixed(3)}; nanoGPT CPU ${NANOGPT_CPU}`);
  console.log(`${steps} steps in ${trainSeconds.toFixed(1)} s: ${((steps * batchSize) / trainSeconds).toFixed(1)} samples/s (${((steps * batchSize * context) / trainSeconds).toFixed(0)} characters/s)`);
  const v0 = performance.now();
  const views = await model.views(heldoutData, { focusIndex: 0, inputs: { prompt: 'ROMEO:', temperature: 0.8, topK: 10 } });
  console.log(`views: ${((performance.now() - v0) / 1000).toFixed(1)} s`);
  for (const v of views) if (v.kind === 'text') console.log(`--- ${v.id}\n${(v as TextView).lines.join('\n---\n')}`);
  console.log(full < bigram ? `PASS: held-out ${full.toFixed(3)} < bigram ${bigram.toFixed(3)}` : `FAIL: held-out ${full.toFixed(3)} ≥ bigram ${bigram.toFixed(3)}`);
  if (full >= bigram) process.exitCode = 1;
  trainer.dispose(); model.dispose(); trainData.dispose(); heldoutData.dispose();
})();
