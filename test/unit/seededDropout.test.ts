/**
 * Seeded dropout (src/core/families/seededDropout.ts): masks follow from the layer's seed and
 * change at every training call; rate 0.5 keeps about half and scales them by 2 (inverted
 * dropout, Srivastava et al. 2014); inference is the identity; the mask stream is an Rng whose
 * state a checkpoint saves; networks built from layer lists get it for every "dropout".
 */
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildSeededSequential, dropoutRngs, GenLabDropout } from '../../src/core/families/seededDropout';
import { SeededDropout } from '../../src/core/families/attention';
import { ConditionalGan } from '../../src/core/families/conditionalGan';
import { resolveModelFile } from '../../src/core/modelfile/defaults';
import type { LayerSpec } from '../../src/core/modelfile/types';
import { testBackend } from './setup';

const N = 4000;
const ones = () => tf.ones([4, N / 4]);

/** The layer's output on ones, in training mode, as plain numbers. */
function mask(layer: tfl.layers.Layer, training = true): number[] {
  return tf.tidy(() => Array.from((layer.apply(ones(), { training }) as tf.Tensor).dataSync()));
}

describe('seeded dropout', () => {
  before(testBackend);

  it('the same seed gives the same masks, call after call; each call draws a new mask', () => {
    const a = new GenLabDropout({ rate: 0.5, seed: 11 }), b = new GenLabDropout({ rate: 0.5, seed: 11 });
    const ma = [mask(a), mask(a), mask(a)], mb = [mask(b), mask(b), mask(b)];
    assert.deepEqual(ma, mb);
    assert.notDeepEqual(ma[0], ma[1], 'a fresh mask at every call (tf.layers\' seeded dropout repeats one)');
    assert.notDeepEqual(ma[1], ma[2]);
  });

  it('different seeds give different masks', () => {
    const a = mask(new GenLabDropout({ rate: 0.5, seed: 1 })), b = mask(new GenLabDropout({ rate: 0.5, seed: 2 }));
    const differ = a.filter((v, i) => v !== b[i]).length;
    assert.ok(differ > N * 0.4 && differ < N * 0.6, `${differ} of ${N} values differ, about half expected for two independent masks`);
  });

  it('rate 0.5 keeps about half the values and scales the kept ones by 2; rate 0.3 scales by 1/0.7', () => {
    const m = mask(new GenLabDropout({ rate: 0.5, seed: 3 }));
    const kept = m.filter((v) => v !== 0);
    assert.ok(kept.every((v) => v === 2), `kept values ${[...new Set(kept)]}`);
    assert.ok(m.every((v) => v === 0 || v === 2));
    // Binomial(4000, 0.5): standard deviation ≈ 32, so ±150 is over 4.5σ.
    assert.ok(Math.abs(kept.length - N / 2) < 150, `kept ${kept.length} of ${N}`);
    const m3 = mask(new GenLabDropout({ rate: 0.3, seed: 3 }));
    const kept3 = m3.filter((v) => v !== 0);
    assert.ok(kept3.every((v) => Math.abs(v - 1 / 0.7) < 1e-6), `kept values ${[...new Set(kept3)]}`);
    assert.ok(Math.abs(kept3.length - 0.7 * N) < 150, `kept ${kept3.length} of ${N}`);
  });

  it('is the identity at inference, and draws nothing from its Rng there', () => {
    const layer = new GenLabDropout({ rate: 0.5, seed: 4 });
    const state = layer.rng.state;
    const x = tf.randomNormal([3, 7], 0, 1, 'float32', 1);
    const got = [layer.apply(x) as tf.Tensor, layer.apply(x, { training: false }) as tf.Tensor];
    for (const y of got) assert.deepEqual(Array.from(y.dataSync()), Array.from(x.dataSync()));
    assert.equal(layer.rng.state, state);
    assert.ok(mask(layer).some((v) => v === 0), 'training does drop values');
    assert.notEqual(layer.rng.state, state, 'training draws from the Rng');
    tf.dispose([x, ...got]);
  });

  it('restoring its Rng\'s state repeats the masks that followed it (what a checkpoint relies on)', () => {
    const layer = new GenLabDropout({ rate: 0.5, seed: 5 });
    mask(layer);
    const state = layer.rng.state;
    const next = [mask(layer), mask(layer)];
    layer.rng.state = state;
    assert.deepEqual([mask(layer), mask(layer)], next);
  });

  it('gradients pass through the kept values only, scaled as the values are', () => {
    const layer = new GenLabDropout({ rate: 0.5, seed: 6 });
    const state = layer.rng.state;
    const x = tf.ones([2, 50]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(layer.apply(v, { training: true }) as tf.Tensor))(x);
    layer.rng.state = state;
    assert.deepEqual(Array.from(g.dataSync()), mask(layer).slice(0, 100), 'the gradient is the mask itself (the same draw)');
    tf.dispose([x, g]);
  });

  it('leaks no tensor in training, at inference or through a gradient', () => {
    const layer = new GenLabDropout({ rate: 0.5, seed: 7 });
    const x = tf.ones([8, 16]);
    mask(layer);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      tf.dispose(layer.apply(x, { training: true }) as tf.Tensor);
      tf.dispose(layer.apply(x, { training: false }) as tf.Tensor);
      tf.dispose(tf.grad((v: tf.Tensor) => tf.sum(layer.apply(v, { training: true }) as tf.Tensor))(x));
    }
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
  });

  describe('in networks built from layer lists', () => {
    const specs: LayerSpec[] = [{ type: 'dense', units: 32 }, { type: 'dropout', rate: 0.5 }, { type: 'dense', units: 32 }, { type: 'dropout', rate: 0.25 }];
    const run = (net: tfl.Sequential, x: tf.Tensor) => tf.tidy(() => Array.from((net.apply(x, { training: true }) as tf.Tensor).dataSync()));

    it('every "dropout" is a GenLabDropout whose stream the network\'s seed fixes, listed by dropoutRngs in order', () => {
      const a = buildSeededSequential('d', specs, [8], 100), b = buildSeededSequential('d', specs, [8], 100), c = buildSeededSequential('d', specs, [8], 101);
      const x = tf.randomNormal([16, 8], 0, 1, 'float32', 9);
      assert.deepEqual(a.layers.map((l) => l.getClassName()), ['Dense', 'GenLabDropout', 'Dense', 'GenLabDropout']);
      assert.deepEqual(dropoutRngs(a), [a.layers[1], a.layers[3]].map((l) => (l as GenLabDropout).rng));
      assert.deepEqual([run(a, x), run(a, x)], [run(b, x), run(b, x)], 'same seed, same masks');
      const c1 = run(c, x);
      // The seed also sets the kernels, so compare which values were dropped, not the values.
      assert.notDeepEqual(c1.map((v) => v === 0), run(a, x).map((v) => v === 0), 'another seed, other masks');
      assert.deepEqual(dropoutRngs(buildSeededSequential('e', [{ type: 'dense', units: 2 }, { type: 'dropout', rate: 0 }], [3], 1)), [], 'rate 0 draws nothing, so has no Rng to save');
      tf.dispose(x);
      [a, b, c].forEach((n) => n.dispose());
    });

    it('a "seed" written in the spec starts the stream; "noiseShape" and spatialDropout1d share a mask value along an axis', () => {
      const own = buildSeededSequential('s', [{ type: 'dropout', rate: 0.5, seed: 42 }], [30], 1);
      assert.equal((own.layers[0] as GenLabDropout).seed, 42);
      const shared = buildSeededSequential('n', [{ type: 'dropout', rate: 0.5, noiseShape: [null, 1, null] }], [6, 40], 2);
      const spatial = buildSeededSequential('p', [{ type: 'spatialDropout1d', rate: 0.5 }], [6, 40], 3);
      for (const net of [shared, spatial]) {
        const y = tf.tidy(() => (net.apply(tf.ones([2, 6, 40]), { training: true }) as tf.Tensor).arraySync() as number[][][]);
        for (const row of y) for (const step of row) assert.deepEqual(step, row[0], 'the same mask at every step');
        assert.ok(y[0][0].some((v) => v === 0) && y[0][0].some((v) => v === 2));
      }
      [own, shared, spatial].forEach((n) => n.dispose());
    });

    it('saves and loads with tf.layers\' format (GenLabDropout and the older SeededDropout), giving the same outputs', async () => {
      const net = buildSeededSequential('io', specs, [8], 5);
      const x = tf.randomNormal([4, 8], 0, 1, 'float32', 3);
      let artifacts: tf.io.ModelArtifacts | undefined;
      await net.save(tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }));
      assert.match(JSON.stringify(artifacts?.modelTopology), /"class_name":"GenLabDropout"/);
      const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
      const want = net.predict(x) as tf.Tensor, got = loaded.predict(x) as tf.Tensor;
      assert.deepEqual(Array.from(got.dataSync()), Array.from(want.dataSync()));
      assert.equal((loaded.layers[1] as GenLabDropout).rate, 0.5);
      const old = JSON.parse(JSON.stringify(artifacts?.modelTopology).replace(/"GenLabDropout"/g, '"SeededDropout"'));
      const legacy = await tfl.loadLayersModel(tf.io.fromMemory({ ...artifacts, modelTopology: old }));
      assert.ok(legacy.layers[1] instanceof SeededDropout && legacy.layers[1] instanceof GenLabDropout);
      tf.dispose([x, want, got]);
      [net, loaded, legacy].forEach((n) => n.dispose());
    });
  });

  it('a CGAN with its default networks lists the two dropout streams of D among its rngs, and repeats its run from the seed', () => {
    const shape = { height: 2, width: 2, channels: 1, classes: 3 };
    const build = () => new ConditionalGan(resolveModelFile({ family: 'cgan', latentDim: 4 }, shape), shape);
    const a = build(), b = build();
    assert.equal(a.rngs.length, 4, 'training noise, evaluation noise and two dropout layers');
    assert.ok(a.discriminator.layers.filter((l) => l instanceof GenLabDropout).length === 2);
    const x = tf.randomUniform([8, 4], 0, 1, 'float32', 1) as tf.Tensor2D, y = tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32');
    const losses = (m: ConditionalGan) => Array.from({ length: 3 }, () => {
      const terms = m.step({ x, y });
      const v = terms.dLoss.dataSync()[0];
      tf.dispose(Object.values(terms));
      return v;
    });
    assert.deepEqual(losses(a), losses(b));
    tf.dispose([x, y]);
    a.dispose();
    b.dispose();
  });
});
