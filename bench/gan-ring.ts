/**
 * Quality of the default GAN on the ring of 8 Gaussians (Metz et al. 2017): grid JS divergence
 * between 1,000 held-out and 1,000 generated points, modes covered (≥ 1% of generated points
 * within 3σ) and the fraction of generated points within 3σ of a mode, at checkpoints.
 * Also prints the floor of the JS estimate: two independent samples of the ring itself.
 * Checkpoints every 250 steps. The bar: within BAR.steps steps, some checkpoint has at least
 * BAR.modes modes covered and JS below BAR.js nats (exit status 1 otherwise).
 *   npx tsx bench/gan-ring.ts [steps=2000] [backend=wasm] [generator=non-saturating] [seed=1]
 */
import { splitData } from '../src/core/data/dataset';
import { DeviceData } from '../src/core/data/deviceData';
import { TOY_EXTENT, toyDataset } from '../src/core/data/toy';
import { Gan } from '../src/core/families/gan';
import { Trainer } from '../src/core/loop';
import { gridJsDivergence } from '../src/core/metrics';
import { BUNDLED_SHAPES, resolveModelFile } from '../src/core/modelfile/defaults';
import type { GeneratorLoss } from '../src/core/modelfile/types';
import type { MetricsView } from '../src/core/views';
import { useNodeBackend, type NodeBackend } from '../src/node/backend';

/** The quality bar: by this step, this many of 8 modes and a grid JS divergence below this. */
const BAR = { steps: 2000, modes: 6, js: 0.3 };
/** Steps between checkpoints. */
const EVERY = 250;

async function main(): Promise<void> {
  const steps = Number(process.argv[2] ?? BAR.steps);
  const backend = (process.argv[3] ?? 'wasm') as NodeBackend;
  const generator = (process.argv[4] ?? 'non-saturating') as GeneratorLoss;
  const seed = Number(process.argv[5] ?? 1);
  console.log(`backend: ${await useNodeBackend(backend)}`);
  const shape = BUNDLED_SHAPES.ring;
  const spec = resolveModelFile({ family: 'gan', data: 'ring', loss: { generator }, training: { seed } }, shape);
  console.log(`spec: latent ${spec.latentDim}, ${spec.optimizer.type} lr ${spec.optimizer.learningRate} β1 ${spec.optimizer.beta1}, batch ${spec.training.batchSize}, k ${spec.training.discriminatorSteps}, ${generator}`);

  const { train, heldout } = splitData(toyDataset('ring', 10000, seed), 0.1);
  const floor = gridJsDivergence(heldout.points, toyDataset('ring', 1000, seed + 100).points, TOY_EXTENT);
  console.log(`JS floor (1,000 held-out vs 1,000 fresh ring points): ${floor.toFixed(4)} nats`);
  const trainData = new DeviceData(train), heldoutData = new DeviceData(heldout);
  const gan = new Gan(spec, shape);
  const trainer = new Trainer(gan, trainData, heldoutData, { batchSize: spec.training.batchSize, readEvery: 50, seed });
  const started = performance.now();
  let passedAt: number | undefined;
  const report = async () => {
    const views = await gan.views(heldoutData, { focusIndex: 0 });
    const m = views.find((v): v is MetricsView => v.kind === 'metrics')!.values;
    const secs = (performance.now() - started) / 1000;
    console.log(`step ${String(trainer.step).padStart(5)}  JS ${m.jsDivergence.toFixed(4)}  modes ${m.modes}/8  within 3σ ${(100 * m.highQuality).toFixed(1)}%  ${secs.toFixed(1)} s`);
    if (passedAt === undefined && trainer.step <= BAR.steps && m.modes >= BAR.modes && m.jsDivergence < BAR.js) passedAt = trainer.step;
  };
  await report();
  while (trainer.step < steps) {
    await trainer.runSteps(Math.min(EVERY, steps - trainer.step));
    await trainer.flush();
    await report();
  }
  trainer.dispose(); gan.dispose(); trainData.dispose(); heldoutData.dispose();
  const bar = `≥ ${BAR.modes}/8 modes and JS < ${BAR.js} within ${BAR.steps} steps`;
  console.log(passedAt !== undefined ? `PASS: ${bar} (first at step ${passedAt})` : `FAIL: ${bar}`);
  if (passedAt === undefined) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
