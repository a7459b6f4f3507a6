// Text data: code points (not UTF-16 units) as characters, and the windows DeviceData cuts.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { splitData, textOf, textSetFromString } from '../../src/core/data/dataset';
import { DeviceData, EpochSampler } from '../../src/core/data/deviceData';
import { Rng } from '../../src/core/rng';
import { loadBundledText } from '../../src/node/bundledText';
import { testBackend } from './setup';

describe('text data', () => {
  before(testBackend);

  it('reads Unicode code points: Japanese characters and an emoji are one character each', () => {
    const set = textSetFromString('ja', '高校生活で大事なことは😀高');
    assert.equal(set.count, 13);
    assert.equal(set.vocab.length, 12);
    assert.ok(set.vocab.includes('😀'));
    assert.equal(textOf(set), '高校生活で大事なことは😀高');
    assert.equal(set.tokens[0], set.tokens[12], 'the same character gets the same token');
  });

  it('cuts training windows every token and held-out windows every context, each of context + 1 tokens', async () => {
    const set = textSetFromString('abc', 'abcdefghij'); // 10 characters
    const train = new DeviceData(set, { window: 3 });
    const heldout = new DeviceData(set, { window: 3, stride: 3 });
    assert.equal(train.count, 7); // windows start at 0..6 and end at 3..9
    assert.equal(heldout.count, 3); // windows start at 0, 3, 6
    assert.equal(train.bytes, 2 * 10 * 4, 'windows are gathered on demand: only the 10 tokens and 10 labels are stored');
    const b = train.gather(new Int32Array([0, 6]));
    assert.deepEqual(await b.x.array(), [[0, 1, 2, 3], [6, 7, 8, 9]]);
    const h = heldout.range(0, 3);
    assert.deepEqual(await h.x.array(), [[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9]]);
    tf.dispose([b.x, b.y, h.x, h.y]);
    train.dispose(); heldout.dispose();
    assert.throws(() => new DeviceData(set, { window: 10 }), /fewer than the context/);
    assert.throws(() => new DeviceData(set), /window length/);
  });

  it('the bundled corpus loads (1.1 MB of Shakespeare, 65 characters) and splits 90/10', () => {
    const set = loadBundledText('.');
    assert.equal(set.count, 1115394);
    assert.equal(set.vocab.length, 65);
    const { train, heldout } = splitData(set, 0.1);
    assert.equal(train.count + heldout.count, set.count);
    assert.ok(textOf(heldout, 0, 40).length === 40);
    const windows = new DeviceData(train, { window: 64 });
    const sampler = new EpochSampler(windows.count, 32, new Rng(1));
    assert.ok(sampler.batchesPerEpoch > 30000);
    windows.dispose();
  });
});
