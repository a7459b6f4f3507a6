/**
 * Benchmark (not a test): tied against untied weights on the bundled MNIST. Both autoencoders
 * have the same encoder (784-H-relu-L) and seed; the untied decoder mirrors it (L-H-relu-784).
 * Prints held-out reconstruction loss (nats per image) after each budget and the ratio tied/untied.
 * Usage: npx tsx bench/autoencoder-tied.ts [--hidden 64] [--latent 2] [--steps 300,1000] [--batch 64] [--backend wasm]
 */
import { DeviceData } from '../src/core/data/deviceData';
import { splitData } from '../src/core/data/dataset';
import { Autoencoder } from '../src/core/families/autoencoder';
import { Trainer } from '../src/core/loop';
import { resolveModelFile } from '../src/core/modelfile/defaults';
import { loadBundledMnist } from '../src/node/bundledData';
import { useNodeBackend, type NodeBackend } from '../src/node/backend';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const hidden = Number(arg('hidden', '64'));
const latentDim = Number(arg('latent', '2'));
const budgets = arg('steps', '300,1000').split(',').map(Number);
const batchSize = Number(arg('batch', '64'));
const backend = arg('backend', 'wasm') as NodeBackend;
const shape = { height: 28, width: 28, channels: 1, classes: 10 };

/** Held-out reconstruction loss after each budget in `budgets` (cumulative steps). */
async function run(tiedWeights: boolean, train: DeviceData, heldout: DeviceData): Promise<{ losses: number[]; params: number; seconds: number }> {
  const spec = resolveModelFile({ family: 'autoencoder', latentDim, tiedWeights, training: { batchSize, seed: 1 } }, shape, hidden);
  const ae = new Autoencoder(spec, shape);
  const trainer = new Trainer(ae, train, heldout, { batchSize, readEvery: 20, seed: 2 });
  const losses: number[] = [];
  const t0 = performance.now();
  let done = 0;
  for (const b of budgets) {
    await trainer.runSteps(b - done);
    done = b;
    losses.push((await trainer.evaluate(heldout)).loss);
  }
  const seconds = (performance.now() - t0) / 1000;
  const params = ae.parameterCount;
  trainer.dispose(); ae.dispose();
  return { losses, params, seconds };
}

(async () => {
  await useNodeBackend(backend);
  const { train, heldout } = splitData(loadBundledMnist('.'), 0.1);
  const tr = new DeviceData(train), ho = new DeviceData(heldout);
  console.log(`autoencoder 784-${hidden}-${latentDim}, batch ${batchSize}, Adam 1e-3, ${backend}; held-out reconstruction loss (nats per image) on 1,000 digits`);
  const untied = await run(false, tr, ho);
  const tied = await run(true, tr, ho);
  console.log(`untied: ${untied.params} parameters, ${untied.seconds.toFixed(1)} s; tied: ${tied.params} parameters, ${tied.seconds.toFixed(1)} s`);
  budgets.forEach((b, i) => {
    console.log(`  ${b} steps: untied ${untied.losses[i].toFixed(2)}, tied ${tied.losses[i].toFixed(2)}, ratio tied/untied ${(tied.losses[i] / untied.losses[i]).toFixed(3)}`);
  });
  tr.dispose(); ho.dispose();
})();
