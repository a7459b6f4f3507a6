// Colour images end to end (issue 6): a synthetic RGB set through the data helpers, every image
// family (built as a model file would build it), their views and the CLI's PNG output.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { channelsOf, shapeOfData, sliceData, splitData, type ImageSet } from '../../src/core/data/dataset';
import { DeviceData } from '../../src/core/data/deviceData';
import { createModel } from '../../src/core/families';
import type { GenerativeModel } from '../../src/core/family';
import { Trainer, type StepRow } from '../../src/core/loop';
import { resolveModelFile } from '../../src/core/modelfile/defaults';
import type { Family } from '../../src/core/modelfile/types';
import { Rng } from '../../src/core/rng';
import type { ImagesView, View } from '../../src/core/views';
import { writeViews } from '../../src/cli/output';
import { decodePng } from '../../src/node/png';
import { testBackend } from './setup';

const SIDE = 8;
const COUNT = 64;
/** Mean colour of each class: red (label 0) and blue (label 1). */
const CLASS_RGB = [[220, 40, 30], [30, 50, 220]];

/**
 * COUNT images of SIDE×SIDE×3, labels alternating red, blue: the class colour plus noise of ±30,
 * and a brighter square at a random place, so that images of a class are not all alike.
 */
function rgbSet(): ImageSet {
  const rng = new Rng(11);
  const px = SIDE * SIDE * 3;
  const pixels = new Uint8Array(COUNT * px);
  const labels = new Uint8Array(COUNT);
  for (let i = 0; i < COUNT; i++) {
    labels[i] = i % 2;
    const [sy, sx] = [Math.floor(rng.next() * (SIDE - 2)), Math.floor(rng.next() * (SIDE - 2))];
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        const bright = y >= sy && y < sy + 3 && x >= sx && x < sx + 3 ? 30 : 0;
        for (let c = 0; c < 3; c++) {
          const v = CLASS_RGB[labels[i]][c] + bright + Math.round((rng.next() - 0.5) * 60);
          pixels[i * px + (y * SIDE + x) * 3 + c] = Math.max(0, Math.min(255, v));
        }
      }
    }
  }
  return { name: 'colours', count: COUNT, height: SIDE, width: SIDE, channels: 3, pixels, labels, classNames: ['red', 'blue'] };
}

/** Mean of channel `c` over images `from` (inclusive) to `to` of an RGB view, only those `keep` says. */
function channelMean(view: ImagesView, c: number, from: number, to: number, keep: (i: number) => boolean): number {
  const per = view.height * view.width * 3;
  let sum = 0, n = 0;
  for (let i = from; i < to; i++) {
    if (!keep(i)) continue;
    for (let p = 0; p < view.height * view.width; p++, n++) sum += view.pixels[i * per + p * 3 + c];
  }
  return sum / n;
}

/** Asserts that every images view is an RGB grid of SIDE×SIDE images with count·h·w·3 finite values in [0, 1] (allowing a flow's slight overshoot). */
function assertRgbViews(family: string, views: View[]): ImagesView[] {
  const images = views.filter((v): v is ImagesView => v.kind === 'images');
  assert.ok(images.length > 0, `${family}: no images view among ${views.map((v) => v.id).join(', ')}`);
  for (const v of images) {
    assert.equal(v.channels, 3, `${family} ${v.id}: channels`);
    assert.deepEqual([v.height, v.width], [SIDE, SIDE], `${family} ${v.id}: size`);
    assert.equal(v.pixels.length, v.count * SIDE * SIDE * 3, `${family} ${v.id}: ${v.pixels.length} values for ${v.count} images`);
    assert.ok(v.pixels.every(Number.isFinite), `${family} ${v.id}: a non-finite value`);
  }
  return images;
}

describe('RGB images', () => {
  before(testBackend);
  const set = rgbSet();

  it('the data helpers keep 3 channels: slices, shape, classes from the class names, device features', async () => {
    assert.equal(channelsOf(set), 3);
    assert.equal(channelsOf({ ...set, channels: undefined }), 1);
    assert.deepEqual(shapeOfData(set), { height: SIDE, width: SIDE, channels: 3, classes: 2 });
    // Without class names the MNIST rule holds: at least 10 classes, and grey when channels is absent.
    const grey: ImageSet = { name: 'g', count: 2, height: 2, width: 2, pixels: new Uint8Array(8), labels: Uint8Array.of(0, 12) };
    assert.deepEqual(shapeOfData(grey), { height: 2, width: 2, channels: 1, classes: 13 });
    assert.equal(shapeOfData({ ...grey, labels: Uint8Array.of(0, 1) }).classes, 10);
    assert.equal(shapeOfData({ ...grey, classNames: [] }).classes, 1, 'at least one class');

    const part = sliceData(set, 5, 9);
    assert.equal(part.count, 4);
    assert.equal(part.pixels.length, 4 * SIDE * SIDE * 3);
    assert.deepEqual([...part.pixels.subarray(0, 6)], [...set.pixels.subarray(5 * SIDE * SIDE * 3, 5 * SIDE * SIDE * 3 + 6)]);
    assert.deepEqual(part.classNames, ['red', 'blue']);
    const { train, heldout } = splitData(set, 0.25);
    assert.deepEqual([train.count, heldout.count, heldout.pixels.length], [48, 16, 16 * SIDE * SIDE * 3]);

    const data = new DeviceData(part);
    assert.equal(data.features, SIDE * SIDE * 3);
    assert.deepEqual(data.x.shape, [4, SIDE * SIDE * 3]);
    const rowT = tf.slice(data.x, [1, 0], [1, -1]);
    const row = (await rowT.data()) as Float32Array;
    rowT.dispose();
    const bytes = part.pixels.subarray(SIDE * SIDE * 3, 2 * SIDE * SIDE * 3);
    assert.ok(row.every((v, k) => Math.abs(v - bytes[k] / 255) < 1e-6), 'example 1 on the device is its own pixels / 255');
    data.dispose();
    assert.throws(() => new DeviceData({ ...part, channels: 1 }), /colours: 768 pixel values do not make 4 images of 8×8×1/);
  });

  /** Trains `family` for `steps` steps of 16 through the model-file path; returns the model, its data and every loss row. */
  async function train(family: Family, steps: number, hidden = 64): Promise<{ model: GenerativeModel; heldout: DeviceData; rows: StepRow[]; dispose: () => void }> {
    const shape = shapeOfData(set);
    const spec = resolveModelFile({ family, data: { path: 'colours' }, training: { batchSize: 16 } }, shape, hidden);
    const model = createModel(spec, shape);
    const split = splitData(set, 0.25);
    const trainData = new DeviceData(split.train), heldout = new DeviceData(split.heldout);
    const rows: StepRow[] = [];
    const trainer = new Trainer(model, trainData, heldout, { batchSize: 16, readEvery: 10, seed: 3 }, { onSteps: (r) => rows.push(...r) });
    await trainer.runSteps(steps);
    await trainer.flush();
    const dispose = () => { trainer.dispose(); model.dispose(); trainData.dispose(); heldout.dispose(); };
    return { model, heldout, rows, dispose };
  }

  const families: Array<[Family, number]> = [['vae', 30], ['gan', 20], ['dcgan', 10], ['cgan', 20], ['acgan', 20], ['flow', 10], ['diffusion', 10]];
  for (const [family, steps] of families) {
    it(`${family}: trains on RGB images with finite losses, and every images view is RGB`, async function () {
      this.timeout(300000);
      const before = tf.memory().numTensors;
      const { model, heldout, rows, dispose } = await train(family, steps);
      assert.equal(rows.length, steps);
      for (const r of rows) for (const [term, v] of Object.entries(r.values)) assert.ok(Number.isFinite(v), `${family} step ${r.step}: ${term} = ${v}`);
      const sample = model.sample(4);
      assert.deepEqual(sample.shape, [4, SIDE * SIDE * 3], `${family}: samples are flattened RGB images`);
      sample.dispose();
      const views = await model.views(heldout, { focusIndex: 0, secondIndex: 1 });
      const images = assertRgbViews(family, views);
      if (family === 'cgan' || family === 'acgan') {
        const classes = images.find((v) => v.id === 'classes');
        assert.deepEqual(classes?.rowLabels, ['red', 'blue'], 'one row per class, named');
        assert.deepEqual(images.find((v) => v.id === 'classInterpolation')?.rowLabels, ['red→blue']);
      }
      if (family === 'vae' || family === 'flow') {
        // The top row of the reconstructions is the held-out inputs themselves, channel for channel.
        const recon = images.find((v) => v.id === 'reconstructions') as ImagesView;
        const first = heldout.set as ImageSet;
        assert.ok(recon.pixels.subarray(0, SIDE * SIDE * 3).every((v, k) => Math.abs(v - first.pixels[k] / 255) < 1e-5), `${family}: reconstructions start with x`);
      }
      dispose();
      assert.equal(tf.memory().numTensors, before, `${family}: tensors left behind`);
    });
  }

  it('autoencoder: after 150 steps, reconstructions of red inputs are red and of blue inputs blue; the CLI writes them as RGB PNGs', async function () {
    this.timeout(300000);
    const { model, heldout, rows, dispose } = await train('autoencoder', 150);
    for (const r of rows) assert.ok(Number.isFinite(r.values.loss), `step ${r.step}: loss ${r.values.loss}`);
    const views = await model.views(heldout, { focusIndex: 0 });
    const images = assertRgbViews('autoencoder', views);
    const recon = images.find((v) => v.id === 'reconstructions') as ImagesView;
    const n = recon.count / 2; // top row inputs, bottom row reconstructions
    const labels = heldout.set.labels;
    const red = (i: number) => labels[i - n] === 0, blue = (i: number) => labels[i - n] === 1;
    const redness = (keep: (i: number) => boolean) => channelMean(recon, 0, n, 2 * n, keep) - channelMean(recon, 2, n, 2 * n, keep);
    const [onRed, onBlue] = [redness(red), redness(blue)];
    console.log(`      reconstructions: mean R − B ${onRed.toFixed(3)} on red inputs, ${onBlue.toFixed(3)} on blue`);
    assert.ok(onRed > 0.3, `red inputs: mean R − B of the reconstructions is ${onRed}`);
    assert.ok(onBlue < -0.3, `blue inputs: mean R − B of the reconstructions is ${onBlue}`);

    const dir = mkdtempSync(join(tmpdir(), 'genlab-rgb-'));
    try {
      const names = writeViews(dir, views, '', ['reconstructions']);
      assert.deepEqual(names, ['reconstructions.png']);
      const png = decodePng(readFileSync(join(dir, 'reconstructions.png')));
      assert.equal(png.channels, 3);
      const scale = 2, gap = 1; // writeViews draws images at twice their size with 1-pixel gaps
      assert.deepEqual([png.width, png.height], [n * SIDE * scale + (n - 1) * gap, 2 * SIDE * scale + gap]);
      // The first pixel of the first reconstruction (second grid row) in the PNG is that of the view.
      const at = ((SIDE * scale + gap) * png.width) * 3;
      const want = [0, 1, 2].map((c) => Math.round(recon.pixels[n * SIDE * SIDE * 3 + c] * 255));
      assert.deepEqual([...png.pixels.subarray(at, at + 3)], want);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    dispose();
  });
});
