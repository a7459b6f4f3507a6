// Quality bar: the default GAN on the ring of 8 Gaussians covers at least 6 of the 8 modes and
// brings the grid JS divergence between held-out and generated points below 0.3 nats within
// 2,000 steps (checked every 250; bench/gan-ring.ts prints the whole curve for other seeds).
import { strict as assert } from 'node:assert';
import { splitData } from '../../src/core/data/dataset';
import { DeviceData } from '../../src/core/data/deviceData';
import { toyDataset } from '../../src/core/data/toy';
import { Gan } from '../../src/core/families/gan';
import { Trainer } from '../../src/core/loop';
import { BUNDLED_SHAPES, resolveModelFile } from '../../src/core/modelfile/defaults';
import type { MetricsView } from '../../src/core/views';
import { testBackend } from './setup';

const BAR = { steps: 2000, every: 250, modes: 6, js: 0.3 };

describe('GAN quality on the 8-Gaussian ring', () => {
  before(testBackend);

  it(`covers ≥ ${BAR.modes}/8 modes with grid JS < ${BAR.js} nats within ${BAR.steps} steps (default spec, seed 1)`, async () => {
    const shape = BUNDLED_SHAPES.ring;
    const spec = resolveModelFile({ family: 'gan', data: 'ring' }, shape);
    const { train, heldout } = splitData(toyDataset('ring'), spec.data.heldout);
    const trainData = new DeviceData(train), heldoutData = new DeviceData(heldout);
    const gan = new Gan(spec, shape);
    const trainer = new Trainer(gan, trainData, heldoutData, { batchSize: spec.training.batchSize, readEvery: 50, seed: 1 });
    const curve: string[] = [];
    let passed = false;
    try {
      while (trainer.step < BAR.steps && !passed) {
        await trainer.runSteps(BAR.every);
        await trainer.flush();
        const m = (await gan.views(heldoutData, { focusIndex: 0 })).find((v): v is MetricsView => v.kind === 'metrics')!.values;
        curve.push(`step ${trainer.step}: JS ${m.jsDivergence.toFixed(3)}, ${m.modes}/8 modes`);
        passed = m.modes >= BAR.modes && m.jsDivergence < BAR.js;
      }
    } finally {
      trainer.dispose(); gan.dispose(); trainData.dispose(); heldoutData.dispose();
    }
    console.log(`      ${curve.join('; ')}`);
    assert.ok(passed, curve.join('\n'));
  });
});
