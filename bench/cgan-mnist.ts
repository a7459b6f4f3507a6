/**
 * Benchmark (not a test): CGAN and AC-GAN on the bundled MNIST, Adam 2e-4 with β1 = 0.5, with
 * the default networks of defaults.ts (--networks default: G 64+10 → 256 → 256 → 784 sigmoid,
 * D MLP 256-256 with leaky ReLU) or the same widths with batch norm in G and dropout 0.3 in D
 * (--networks stable, test/support/mnistClassifier.ts's stabilizedNetworks; --hidden sets their width).
 * After a stated budget (steps × batch) it prints how often a separately trained classifier
 * (test/support/mnistClassifier.ts, its held-out accuracy printed too) recognizes 1,000 generated
 * digits as their requested class, and the time taken.
 *
 * Measured (wasm, 2 shared cores; classifier MLP 784-256-10 at 93.3% held-out; % of 1,000 generated
 * digits recognized as their requested class, at steps 500 / 1000 / 1500 / 2000 / 2500 / 3000):
 *   --networks default, batch 64, lr 2e-4: cgan 9.4 / 10.0 / 9.9, acgan 10.8 / 10.0 / 10.0 (to 1500; collapse,
 *     D wins: D(x) > 0.97, D(G(z)) < 0.05; every z and class gives one speckled blob)
 *   --networks stable, batch 64, lr 2e-4: cgan 10.6 / 11.7 / 14.5 / 16.5 / 20.0 / 25.4 (418 ms/step under load),
 *     acgan 34.6 / 96.9 / 98.2 / 92.9 / 79.4 / 77.0 (475 ms/step under load)
 *   --networks stable --hidden 128, batch 32, lr 1e-3: cgan 12.1 / 15.6 / 22.6 / 32.5 / 45.5 / 59.9 (68 ms/step),
 *     acgan 92.2 / 97.5 / 89.8 / 86.9 / 93.2 / 96.2 (53 ms/step)
 *
 * Usage: npx tsx bench/cgan-mnist.ts [--families cgan,acgan] [--networks default,stable] [--hidden 256] [--steps 2000] [--batch 64] [--every 500] [--lr 2e-4] [--backend wasm]
 */
import * as tf from '@tensorflow/tfjs-core';
import { DeviceData } from '../src/core/data/deviceData';
import { splitData } from '../src/core/data/dataset';
import { ConditionalGan } from '../src/core/families/conditionalGan';
import { Trainer } from '../src/core/loop';
import { resolveModelFile } from '../src/core/modelfile/defaults';
import { loadBundledMnist } from '../src/node/bundledData';
import { useNodeBackend, type NodeBackend } from '../src/node/backend';
import { CLASSIFIER_DEFAULTS, conditionalAccuracy, stabilizedNetworks, trainMnistClassifier } from '../test/support/mnistClassifier';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const families = arg('families', 'cgan,acgan').split(',') as ('cgan' | 'acgan')[];
const variants = arg('networks', 'default,stable').split(',') as ('default' | 'stable')[];
const hidden = Number(arg('hidden', '256'));
const steps = Number(arg('steps', '2000'));
const batch = Number(arg('batch', '64'));
const every = Number(arg('every', '500'));
const learningRate = Number(arg('lr', '2e-4'));
const backend = arg('backend', 'wasm') as NodeBackend;
const shape = { height: 28, width: 28, channels: 1, classes: 10 };

(async () => {
  await useNodeBackend(backend);
  const mnist = loadBundledMnist('.');
  let t0 = performance.now();
  const classifier = await trainMnistClassifier({}, mnist);
  console.log(`Node ${process.version}, tfjs-core ${tf.version_core}, ${tf.getBackend()} backend; bundled MNIST (9,000 train / 1,000 held-out)`);
  console.log(`classifier (MLP 784-${CLASSIFIER_DEFAULTS.hiddenUnits}-10, ${CLASSIFIER_DEFAULTS.epochs} epochs of ${CLASSIFIER_DEFAULTS.batchSize}): held-out accuracy ${(100 * classifier.heldoutAccuracy).toFixed(1)}% in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const { train, heldout } = splitData(mnist, 0.1);
  const trainData = new DeviceData(train), heldoutData = new DeviceData(heldout);
  for (const family of families) for (const variant of variants) {
    const networks = variant === 'stable' ? stabilizedNetworks(family, hidden) : undefined;
    const spec = resolveModelFile({ family, ...(networks ? { networks } : {}), optimizer: { learningRate }, training: { batchSize: batch, seed: 1 } }, shape);
    const model = new ConditionalGan(spec, shape);
    const last: Record<string, number> = {};
    const trainer = new Trainer(model, trainData, heldoutData, { batchSize: batch, readEvery: 50, seed: 1 }, {
      onSteps: (rows) => Object.assign(last, rows[rows.length - 1].values),
    });
    console.log(`${family} (${variant} networks${variant === 'stable' ? `, hidden ${hidden}` : ''}): ${model.parameterCount.toLocaleString('en')} parameters, batch ${batch}, Adam ${learningRate} β1 0.5`);
    t0 = performance.now();
    let trainMs = 0;
    for (let done = 0; done < steps;) {
      const n = Math.min(every, steps - done);
      const s0 = performance.now();
      await trainer.runSteps(n);
      await trainer.flush();
      trainMs += performance.now() - s0;
      done += n;
      const acc = await conditionalAccuracy(model, classifier);
      const terms = Object.entries(last).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ');
      console.log(`  step ${done}: classifier recognizes ${(100 * acc).toFixed(1)}% of 1,000 generated digits as the requested class; ${terms}; ${(trainMs / 1000).toFixed(1)} s training`);
    }
    console.log(`  ${family} (${variant} networks): ${steps} steps of ${batch} in ${((performance.now() - t0) / 1000).toFixed(1)} s (${(trainMs / steps).toFixed(1)} ms/step)`);
    trainer.dispose();
    model.dispose();
  }
  trainData.dispose();
  heldoutData.dispose();
  classifier.dispose();
})();
