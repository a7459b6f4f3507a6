/**
 * Benchmark (not a test): where a step of the issue-8 VAE (784-400-20, batch 128, Fashion-MNIST)
 * goes on Node's wasm backend, kernel by kernel (wasm kernels are synchronous, so wrapping each
 * one with a clock times it exactly). Prints ms per step by kernel name and the 30 costliest
 * kernel-and-shape pairs.  npx tsx bench/profileWasm.ts
 */
import { DeviceData } from '../src/core/data/deviceData';
import { Vae } from '../src/core/families/vae';
import { Trainer } from '../src/core/loop';
import { useNodeBackend } from '../src/node/backend';
import { loadFashionMnist } from './fashionMnist';
import { BATCH, FASHION_SHAPE, issueVaeSpec } from './issueVae';
import { profileKernels } from './browserPage/profile';
(async () => {
  await useNodeBackend('wasm');
  const { train } = loadFashionMnist();
  const data = new DeviceData(train);
  const t = new Trainer(new Vae(issueVaeSpec(), FASHION_SHAPE), data, data, { batchSize: BATCH, readEvery: 1, seed: 1 });
  await t.runSteps(10); await t.flush();
  let t0 = performance.now();
  await t.runSteps(40); await t.flush();
  console.log('unprofiled ms/step', ((performance.now() - t0) / 40).toFixed(2));
  const prof = profileKernels('wasm');
  t0 = performance.now();
  await t.runSteps(40); await t.flush();
  const total = performance.now() - t0;
  prof.restore();
  const rows = Object.entries(prof.profile).sort((a, b) => b[1].ms - a[1].ms);
  const k = rows.reduce((s, [, r]) => s + r.ms, 0);
  console.log(`profiled ms/step ${(total / 40).toFixed(2)}, in kernels ${(k / 40).toFixed(2)}, kernels/step ${(rows.reduce((s, [, r]) => s + r.calls, 0) / 40).toFixed(1)}`);
  const byName: Record<string, number> = {};
  for (const [key, r] of rows) byName[key.split(' ')[0]] = (byName[key.split(' ')[0]] ?? 0) + r.ms / 40;
  console.log(Object.entries(byName).sort((a, b) => b[1] - a[1]).slice(0, 20).map(([n, ms]) => `${n} ${ms.toFixed(2)}`).join('\n'));
  console.log('---');
  rows.slice(0, 30).forEach(([key, r]) => console.log(`${(r.ms / 40).toFixed(2)} ms ${(r.calls / 40).toFixed(1)}x ${key}`));
})();
