/**
 * Benchmark (not a test): the default VAE (784-512-2, batch 128, Adam 1e-3) in Node.
 * Prints training samples/s on each Node backend and held-out −ELBO after 1 and 5 epochs.
 * Usage: npx tsx bench/node-vae.ts [--epochs 5] [--backends wasm,cpu]
 */
import * as tf from '@tensorflow/tfjs-core';
import { DeviceData } from '../src/core/data/deviceData';
import { splitData } from '../src/core/data/dataset';
import { Vae, vaeSpec } from '../src/core/families/vae';
import { Trainer } from '../src/core/loop';
import { loadBundledMnist } from '../src/node/bundledData';
import { useNodeBackend, type NodeBackend } from '../src/node/backend';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const epochs = Number(arg('epochs', '5'));
const backends = arg('backends', 'wasm,cpu').split(',') as NodeBackend[];
const shape = { height: 28, width: 28, channels: 1, classes: 10 };

async function throughput(backend: NodeBackend, steps: number): Promise<number> {
  await useNodeBackend(backend);
  const { train, heldout } = splitData(loadBundledMnist('.'), 0.1);
  const tr = new DeviceData(train), ho = new DeviceData(heldout);
  const vae = new Vae(vaeSpec({}, shape), shape);
  const trainer = new Trainer(vae, tr, ho, { batchSize: 128, readEvery: 10, seed: 1 });
  await trainer.runSteps(3);
  await trainer.flush();
  const t0 = performance.now();
  await trainer.runSteps(steps);
  await trainer.flush();
  const sps = (steps * 128 * 1000) / (performance.now() - t0);
  trainer.dispose(); vae.dispose(); tr.dispose(); ho.dispose();
  return sps;
}

async function quality(backend: NodeBackend): Promise<Array<{ epoch: number; negElbo: number; recon: number; kl: number }>> {
  await useNodeBackend(backend);
  const { train, heldout } = splitData(loadBundledMnist('.'), 0.1);
  const tr = new DeviceData(train), ho = new DeviceData(heldout);
  const vae = new Vae(vaeSpec({}, shape), shape);
  const rows: Array<{ epoch: number; negElbo: number; recon: number; kl: number }> = [];
  const trainer = new Trainer(vae, tr, ho, { batchSize: 128, readEvery: 10, seed: 1 }, {
    onEpoch: (r) => {
      rows.push({ epoch: r.epoch, negElbo: r.heldout.negElbo, recon: r.heldout.recon, kl: r.heldout.kl });
      console.log(`  epoch ${r.epoch}: held-out −ELBO ${r.heldout.negElbo.toFixed(2)} (recon ${r.heldout.recon.toFixed(2)} + KL ${r.heldout.kl.toFixed(2)})`);
    },
  });
  const perEpoch = Math.floor(tr.count / 128);
  await trainer.runSteps(perEpoch * epochs);
  trainer.dispose(); vae.dispose(); tr.dispose(); ho.dispose();
  return rows;
}

(async () => {
  console.log(`Node ${process.version}, tfjs-core ${tf.version_core}; default VAE 784-512-2, batch 128, bundled MNIST (9,000 train / 1,000 held-out)`);
  const results: Record<string, unknown> = {};
  for (const b of backends) {
    const sps = await throughput(b, b === 'cpu' ? 10 : 40);
    results[`${b}_samples_per_s`] = Math.round(sps);
    console.log(`${b.padEnd(5)} ${Math.round(sps)} samples/s`);
  }
  console.log(`held-out −ELBO on ${backends[0]}, ${epochs} epochs:`);
  results.heldout = await quality(backends[0]);
  console.log(JSON.stringify(results));
})();
