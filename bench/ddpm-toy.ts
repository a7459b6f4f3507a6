/**
 * Quality of a DDPM on a 2-D toy set: grid JS divergence (50×50 bins over TOY_EXTENT) between 1,000
 * held-out points and 1,000 ancestral samples, at checkpoints, with steps and seconds. Also prints
 * the floor of the estimate: 1,000 held-out points against 1,000 fresh points of the same set.
 * The default denoiser (3×128 ReLU MLP), Adam, batch 128 unless told otherwise; arguments are key=value.
 * The bar (BAR): with the defaults below (moons, cosine schedule, T = 200, lr 3e-3), some checkpoint
 * within BAR.steps steps has JS below BAR.js nats; exit status 1 otherwise.
 *   npx tsx bench/ddpm-toy.ts [steps=3000] [dataset=moons] [schedule=cosine] [T=200] [betaStart=…] [betaEnd=…] [lr=0.003] [batch=128] [seed=1] [backend=wasm]
 * (betaStart and betaEnd default to DIFFUSION_DEFAULTS; the cosine schedule ignores them.)
 */
import { splitData } from '../src/core/data/dataset';
import { DeviceData } from '../src/core/data/deviceData';
import { TOY_EXTENT, toyDataset, type ToyDataset } from '../src/core/data/toy';
import { Ddpm } from '../src/core/families/ddpm';
import { Trainer } from '../src/core/loop';
import { gridJsDivergence } from '../src/core/metrics';
import { BUNDLED_SHAPES, DIFFUSION_DEFAULTS, resolveModelFile } from '../src/core/modelfile/defaults';
import { useNodeBackend, type NodeBackend } from '../src/node/backend';

/** The bar: JS below this many nats within this many steps (moons, cosine, T = 200, lr 3e-3; the estimate's floor there is 0.085). */
const BAR = { steps: 3000, js: 0.2 };
/** Steps between checkpoints. */
const EVERY = 500;

async function main(): Promise<void> {
  const arg = (key: string, fallback: string) => process.argv.slice(2).find((a) => a.startsWith(`${key}=`))?.slice(key.length + 1) ?? fallback;
  const steps = Number(arg('steps', String(BAR.steps)));
  const dataset = arg('dataset', 'moons') as ToyDataset;
  const schedule = arg('schedule', 'cosine') as 'linear' | 'cosine';
  const T = Number(arg('T', '200')), seed = Number(arg('seed', '1'));
  const betaStart = Number(arg('betaStart', String(DIFFUSION_DEFAULTS.betaStart))), betaEnd = Number(arg('betaEnd', String(DIFFUSION_DEFAULTS.betaEnd)));
  const lr = arg('lr', '0.003'), batch = arg('batch', '');
  const backendArg = arg('backend', 'wasm');
  console.log(`backend: ${await useNodeBackend(backendArg as NodeBackend)}`);
  const shape = BUNDLED_SHAPES[dataset];
  const spec = resolveModelFile({ family: 'diffusion', data: dataset, diffusion: { steps: T, schedule, betaStart, betaEnd }, training: { seed, ...(batch ? { batchSize: Number(batch) } : {}) }, optimizer: { learningRate: Number(lr) } }, shape);
  const { train, heldout } = splitData(toyDataset(dataset, 10000, seed), spec.data.heldout);
  const real = heldout.points.slice(0, 2000);
  const floor = gridJsDivergence(real, toyDataset(dataset, 1000, seed + 100).points, TOY_EXTENT);
  const trainData = new DeviceData(train), heldoutData = new DeviceData(heldout);
  const model = new Ddpm(spec, shape);
  const aT = model.schedule.alphaBars[T];
  console.log(`${dataset}, ${schedule} schedule, T ${T}${schedule === 'linear' ? `, β ${betaStart} → ${betaEnd}` : ''} (ᾱ_T ${aT.toExponential(2)}), ${model.parameterCount} parameters, ${spec.optimizer.type} lr ${spec.optimizer.learningRate}, batch ${spec.training.batchSize}, seed ${seed}`);
  console.log(`JS floor (1,000 held-out vs 1,000 fresh points): ${floor.toFixed(4)} nats`);
  let lastLoss = Number.NaN;
  const trainer = new Trainer(model, trainData, heldoutData, { batchSize: spec.training.batchSize, readEvery: 50, seed }, { onSteps: (rows) => (lastLoss = rows[rows.length - 1].values.loss) });
  let trainSeconds = 0, passedAt: number | undefined;
  const report = async () => {
    const started = performance.now();
    const samples = model.sample(1000);
    const points = (await samples.data()) as Float32Array;
    samples.dispose();
    const sampleSeconds = (performance.now() - started) / 1000;
    const js = gridJsDivergence(real, points, TOY_EXTENT);
    console.log(`step ${String(trainer.step).padStart(5)}  JS ${js.toFixed(4)}  loss ${lastLoss.toFixed(4)}  training ${trainSeconds.toFixed(1)} s  (sampling 1,000: ${sampleSeconds.toFixed(1)} s)`);
    if (passedAt === undefined && trainer.step <= BAR.steps && js < BAR.js) passedAt = trainer.step;
  };
  await report();
  while (trainer.step < steps) {
    const started = performance.now();
    await trainer.runSteps(Math.min(EVERY, steps - trainer.step));
    await trainer.flush();
    trainSeconds += (performance.now() - started) / 1000;
    await report();
  }
  trainer.dispose(); model.dispose(); trainData.dispose(); heldoutData.dispose();
  const bar = `JS < ${BAR.js} nats within ${BAR.steps} steps`;
  console.log(passedAt !== undefined ? `PASS: ${bar} (first at step ${passedAt})` : `FAIL: ${bar}`);
  if (passedAt === undefined) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
