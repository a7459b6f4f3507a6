import * as tf from '@tensorflow/tfjs-core';
import { useNodeBackend } from './src/node/backend';
import { patchMatMul } from './.tmp_cg_patch';
import { DeviceData } from './src/core/data/deviceData';
import { splitData } from './src/core/data/dataset';
import { ConditionalGan } from './src/core/families/conditionalGan';
import { Trainer } from './src/core/loop';
import { resolveModelFile } from './src/core/modelfile/defaults';
import { loadBundledMnist } from './src/node/bundledData';
import { gridPng } from './src/node/png';
import { writeFileSync } from 'node:fs';
import { conditionalAccuracy, stabilizedNetworks, trainMnistClassifier } from './test/support/mnistClassifier';
const shape = { height: 28, width: 28, channels: 1, classes: 10 };
const [family, steps, batch, lr, every, hidden] = [process.argv[2] as 'cgan', +process.argv[3], +process.argv[4], +process.argv[5], +process.argv[6], 0];
(async () => {
  await useNodeBackend('wasm'); patchMatMul();
  const mnist = loadBundledMnist('.');
  const clf = await trainMnistClassifier({ hiddenUnits: +(process.env.CH ?? 256), epochs: +(process.env.CE ?? 3) }, mnist);
  console.log('clf', clf.heldoutAccuracy);
  const { train, heldout } = splitData(mnist, 0.1);
  const tr = new DeviceData(train), ho = new DeviceData(heldout);
  const file: any = { family, optimizer: { learningRate: lr }, training: { batchSize: batch, seed: 1 } };
  const variant = process.argv[7] ?? 'default';
  const out = { type: 'dense', units: family === 'acgan' ? 11 : 1 };
  if (variant === 'bn') file.networks = {
    generator: [{ type: 'dense', units: 256 }, { type: 'batchNormalization' }, { type: 'reLU' }, { type: 'dense', units: 256 }, { type: 'batchNormalization' }, { type: 'reLU' }, { type: 'dense', units: 784, activation: 'sigmoid' }],
    discriminator: [{ type: 'dense', units: 256 }, { type: 'leakyReLU', alpha: 0.2 }, { type: 'dropout', rate: 0.3 }, { type: 'dense', units: 256 }, { type: 'leakyReLU', alpha: 0.2 }, { type: 'dropout', rate: 0.3 }, out],
  };
  if (variant.startsWith('s')) file.networks = stabilizedNetworks(family, +variant.slice(1));
  if (variant === 'bnonly') file.networks = {
    generator: [{ type: 'dense', units: 256 }, { type: 'batchNormalization' }, { type: 'reLU' }, { type: 'dense', units: 256 }, { type: 'batchNormalization' }, { type: 'reLU' }, { type: 'dense', units: 784, activation: 'sigmoid' }],
  };
  if (variant === 'leaky') file.networks = {
    generator: [{ type: 'dense', units: 256 }, { type: 'leakyReLU', alpha: 0.2 }, { type: 'dense', units: 256 }, { type: 'leakyReLU', alpha: 0.2 }, { type: 'dense', units: 784, activation: 'sigmoid' }],
  };
  const spec = resolveModelFile(file, shape);
  const m = new ConditionalGan(spec, shape);
  const last: Record<string, number> = {};
  const trainer = new Trainer(m, tr, ho, { batchSize: batch, readEvery: 50, seed: 1 }, { onSteps: (r) => Object.assign(last, r[r.length - 1].values) });
  const t0 = performance.now();
  for (let d = 0; d < steps; d += every) {
    await trainer.runSteps(every); await trainer.flush();
    const acc = await conditionalAccuracy(m, clf);
    for (const v of await m.views(ho, { focusIndex: 0 })) if (v.kind === 'images') writeFileSync(`/tmp/cg/${family}-${variant}-${v.id}.png`, gridPng(v));
    console.log(d + every, (acc * 100).toFixed(1), JSON.stringify(Object.fromEntries(Object.entries(last).map(([k, v]) => [k, +v.toFixed(3)]))), ((performance.now() - t0) / 1000).toFixed(0) + 's');
  }
})();
