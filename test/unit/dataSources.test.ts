/**
 * The user's own data through the one path every front end takes (checkModelFileText for the
 * Problems panel, prepareModel for the panel, `genlab train`): a folder of images, CSV files,
 * text files, IDX files, paths outside the workspace, and the bad-input corpus under
 * test/fixtures/data/bad, each of which must give an error that names the file.
 */
import { strict as assert } from 'node:assert';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shapeOfData, splitData, type ImageSet, type PointSet } from '../../src/core/data/dataset';
import { describeFailure, main } from '../../src/cli/main';
import { encodePng } from '../../src/node/png';
import { checkModelFileText, inspectData, ModelFileError, prepareModel } from '../../src/node/modelFile';

const root = join(__dirname, '..', '..');
const fixtures = join(root, 'test', 'fixtures', 'data');

/** Writes `count` w×h RGB PNGs per class under `dir`: red for the first class, blue for the second. */
function writeFolder(dir: string, classes: string[], count: number, w: number, h: number): void {
  classes.forEach((cls, c) => {
    mkdirSync(join(dir, cls), { recursive: true });
    for (let i = 0; i < count; i++) {
      const px = new Uint8Array(w * h * 3);
      for (let p = 0; p < w * h; p++) px.set(c === 0 ? [200 + (i % 50), 20, 20] : [20, 20, 200 + (i % 50)], p * 3);
      writeFileSync(join(dir, cls, `${i}.png`), encodePng({ width: w, height: h, channels: 3, pixels: px }));
    }
  });
}

/** Runs `genlab` in this process as bin/genlab.js would; returns the exit status and what it printed. */
async function genlab(args: string[]): Promise<{ code: number; stderr: string[] }> {
  const stderr: string[] = [];
  const write = process.stderr.write.bind(process.stderr), log = console.error;
  process.stderr.write = ((chunk: string | Uint8Array) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write;
  console.error = (...a: unknown[]) => stderr.push(a.join(' '));
  try {
    return { code: await main(args), stderr: stderr.join('').split('\n').filter((l) => l.trim()) };
  } catch (e) {
    return { code: describeFailure(e).code, stderr: [...stderr.join('').split('\n').filter((l) => l.trim()), describeFailure(e).line] };
  } finally {
    process.stderr.write = write;
    console.error = log;
  }
}

describe('data sources: the user\'s own data', () => {
  let ws: string;
  const env = () => ({ workspaceRoot: ws, dataDir: join(ws, '.cache') });
  const model = (data: unknown, family = 'vae', extra: Record<string, unknown> = {}) => JSON.stringify({ family, data, ...extra }, null, 2);

  before(() => {
    ws = mkdtempSync(join(tmpdir(), 'genlab-data-'));
    cpSync(fixtures, join(ws, 'fixtures'), { recursive: true });
    writeFolder(join(ws, 'photos'), ['red', 'blue'], 20, 12, 10);
  });
  after(() => rmSync(ws, { recursive: true, force: true }));

  it('reads a folder of PNGs as RGB images with one class per subfolder, resized, shuffled so that the held-out part has every class', () => {
    const text = model({ path: 'photos', size: 8, fit: 'crop', color: 'rgb', heldout: 0.2 });
    assert.deepEqual(checkModelFileText(text, ws, env()), []);
    const { spec, data } = prepareModel(text, ws, root, 'photos', {}, env());
    const set = data as ImageSet;
    assert.deepEqual([set.count, set.height, set.width, set.channels, set.classNames], [40, 8, 8, 3, ['blue', 'red']]);
    assert.deepEqual(shapeOfData(set), { height: 8, width: 8, channels: 3, classes: 2 });
    assert.equal(spec.networks.encoder[0].type !== undefined, true);
    const { heldout } = splitData(set, spec.data.heldout);
    assert.deepEqual(new Set(heldout.labels), new Set([0, 1]), 'both classes held out');
    // Class 0 ("blue", sorted) is blue: its first pixel's blue channel is the largest.
    const i = set.labels.indexOf(0);
    const px = set.pixels.subarray(i * 192, i * 192 + 3);
    assert.ok(px[2] > px[0] && px[2] > px[1], `blue pixel ${[...px]}`);
  });

  it('reads grayscale by default, and CSV files of points and of pixels', () => {
    const grey = prepareModel(model({ path: 'photos' }), ws, root, 'g', {}, env()).data as ImageSet;
    assert.deepEqual([grey.height, grey.width, grey.channels ?? 1], [10, 12, 1]);
    const points = prepareModel(model({ path: 'fixtures/good/points.csv', labelColumn: 'label' }, 'gan'), ws, root, 'p', {}, env()).data as PointSet;
    assert.equal(points.kind, 'points');
    assert.equal(points.dims, 2);
    const pixels = prepareModel(model({ path: 'fixtures/good/pixels.csv' }), ws, root, 'px', {}, env()).data as ImageSet;
    assert.deepEqual([pixels.height, pixels.width], [4, 4]);
  });

  it('reports how much the data takes on the backend before loading it: count × (h·w·c + 1 label) × 4 bytes', () => {
    assert.equal(inspectData(model({ path: 'photos', size: 8, color: 'rgb' }), ws, env()).bytes, 40 * (8 * 8 * 3 + 1) * 4);
    assert.equal(inspectData(model('mnist'), ws, env()).bytes, undefined, 'the bundled set is small and known');
    assert.match(inspectData(model('fashion-mnist'), ws, env()).error ?? '', /"fashion-mnist" is not downloaded yet: run "GenLab: Download Dataset"/);
  });

  it('genlab train refuses data over --max-data-mb in one line, before loading it', async () => {
    writeFolder(join(ws, 'big'), ['a', 'b'], 20, 64, 64); // 40 × (64·64·3 + 1) × 4 B ≈ 1.9 MB
    const file = join(ws, 'big.genlab.json');
    writeFileSync(file, model({ path: 'big', color: 'rgb' }));
    const r = await genlab(['train', file, '--steps', '1', '--max-data-mb', '1', '--out', join(ws, 'never')]);
    assert.equal(r.code, 1);
    assert.deepEqual(r.stderr.length, 1, r.stderr.join('\n'));
    assert.match(r.stderr[0], /^genlab: the data takes about 2 MB on the backend, more than --max-data-mb 1/);
  });

  /** Every bad input: the model file's data, and a pattern its message must match (naming the file). */
  const BAD: Array<[string, unknown, RegExp, string?]> = [
    ['an IDX file with a corrupt header', { path: 'fixtures/bad/bad-magic.idx' }, /fixtures\/bad\/bad-magic\.idx: not an IDX file \(bad magic number\)/],
    ['a truncated .gz', { path: 'fixtures/bad/truncated.idx.gz' }, /fixtures\/bad\/truncated\.idx\.gz: not a valid \.gz file/],
    ['IDX data shorter than its header says', { path: 'fixtures/bad/truncated-data.idx' }, /fixtures\/bad\/truncated-data\.idx: truncated data/],
    ['images of mixed sizes without "size"', { path: 'fixtures/bad/mixed-size' }, /mixed-size\/\w+\.png is \d+×\d+ but .*mixed-size\/\w+\.png is \d+×\d+.*"size"/],
    ['a file that is not an image', { path: 'fixtures/bad/non-image' }, /non-image\/cats\/notes\.txt: not a PNG or JPEG image/],
    ['a truncated PNG', { path: 'fixtures/bad/truncated-png' }, /truncated-png\/broken\.png: .*truncated/],
    ['an empty folder', { path: 'empty-folder' }, /empty-folder.*no (PNG or JPEG )?images/],
    ['a CSV file with ragged rows', { path: 'fixtures/bad/ragged.csv' }, /fixtures\/bad\/ragged\.csv: row \d+ has \d+ columns/],
    ['a CSV file with a word among numbers', { path: 'fixtures/bad/non-numeric.csv' }, /fixtures\/bad\/non-numeric\.csv: row \d+/],
    ['a label out of range', { path: 'fixtures/bad/label-range.csv', labelColumn: 'label' }, /fixtures\/bad\/label-range\.csv: .*labels must be whole numbers from 0 to 255/],
    ['text that is not UTF-8', { path: 'fixtures/bad/latin1.txt' }, /fixtures\/bad\/latin1\.txt: not valid UTF-8 text/, 'autoregressive'],
    ['a binary file named .txt', { path: 'fixtures/bad/binary.txt' }, /fixtures\/bad\/binary\.txt: .*binary/, 'autoregressive'],
    ['an empty text file', { path: 'fixtures/bad/empty.txt' }, /fixtures\/bad\/empty\.txt: the file is empty/, 'autoregressive'],
    ['a path outside the workspace', { path: '../outside/x.idx' }, /"\.\.\/outside\/x\.idx" is outside the workspace/],
  ];

  describe('the bad-input corpus: the Problems panel and genlab train name the file and the problem', () => {
    before(() => mkdirSync(join(ws, 'empty-folder'), { recursive: true }));

    for (const [what, data, pattern, family] of BAD) {
      it(what, async () => {
        const text = model(data, family ?? 'vae');
        const errors = checkModelFileText(text, ws, env()).filter((p) => p.severity === 'error');
        assert.equal(errors.length, 1, JSON.stringify(errors));
        assert.match(errors[0].message, pattern);
        assert.equal(text.slice(errors[0].offset, errors[0].offset + errors[0].length), JSON.stringify((data as { path: string }).path), 'on the path');
        assert.throws(() => prepareModel(text, ws, root, 'bad', {}, env()), (e: unknown) => e instanceof ModelFileError && pattern.test(e.message));

        const file = join(ws, 'bad.genlab.json');
        writeFileSync(file, text);
        const r = await genlab(['train', file, '--steps', '1', '--out', join(ws, 'never')]);
        assert.notEqual(r.code, 0);
        assert.equal(r.stderr.length, 1, r.stderr.join('\n'));
        assert.match(r.stderr[0], /^genlab: cannot read the data: /);
        assert.match(r.stderr[0], pattern);
      });
    }
  });
});
