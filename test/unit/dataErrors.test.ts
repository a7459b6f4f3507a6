/**
 * The bad-input corpus (test/fixtures/data/bad, made by make-fixtures.mjs): every case fails with a
 * one-line message naming the file and the problem, and reading never changes the fixtures. Also
 * resolveInside, which keeps data paths inside the workspace.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { imageSetFromIdx } from '../../src/core/data/dataset';
import { parseIdx } from '../../src/core/data/idx';
import { readCsv } from '../../src/node/csvData';
import { resolveInside } from '../../src/node/dataPaths';
import { probeImageFolder, readImageFolder } from '../../src/node/imageFolder';
import { readMaybeGzip } from '../../src/node/gzipFile';
import { readTextFile } from '../../src/node/textFile';

const FIXTURES = join(__dirname, '..', 'fixtures', 'data');
const at = (name: string) => join(FIXTURES, name);

/** Every file below `dir` (relative path → SHA-256, size and mtime), to show nothing was changed. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) { out.set(relative(dir, p) + '/', 'dir'); walk(p); continue; }
      const s = statSync(p);
      out.set(relative(dir, p), `${createHash('sha256').update(readFileSync(p)).digest('hex')} ${s.size} ${s.mtimeMs}`);
    }
  };
  walk(dir);
  return out;
}

/** [file, reader, how it is read, what the message must contain besides the file name]. */
const CASES: [string, string, () => unknown, string][] = [
  ['bad/bad-magic.idx', 'parseIdx', () => parseIdx(readMaybeGzip(at('bad/bad-magic.idx'), 'bad/bad-magic.idx'), 'bad/bad-magic.idx'), 'not an IDX file (bad magic number)'],
  ['bad/truncated.idx.gz', 'readMaybeGzip', () => readMaybeGzip(at('bad/truncated.idx.gz'), 'bad/truncated.idx.gz'), 'not a valid .gz file'],
  ['bad/truncated-data.idx', 'imageSetFromIdx', () => imageSetFromIdx('bad/truncated-data.idx', readMaybeGzip(at('bad/truncated-data.idx'), 'bad/truncated-data.idx'), Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0)), 'truncated data (header says 48 bytes, file has 20)'],
  ['bad/mixed-size/a.png', 'readImageFolder', () => readImageFolder(at('bad/mixed-size'), { name: 'bad/mixed-size' }), 'give "data": { "size": 6 }'],
  ['bad/mixed-size/b.png', 'probeImageFolder', () => probeImageFolder(at('bad/mixed-size'), { name: 'bad/mixed-size' }), 'is 6×6'],
  ['bad/non-image/cats/notes.txt', 'readImageFolder', () => readImageFolder(at('bad/non-image'), { name: 'bad/non-image' }), 'not a PNG or JPEG image'],
  ['bad/non-image/cats/notes.txt', 'probeImageFolder', () => probeImageFolder(at('bad/non-image'), { name: 'bad/non-image' }), 'not a PNG or JPEG image'],
  ['bad/loose-image/stray.png', 'readImageFolder', () => readImageFolder(at('bad/loose-image'), { name: 'bad/loose-image' }), 'an image beside the class folders (cats)'],
  ['bad/truncated-png/broken.png', 'readImageFolder', () => readImageFolder(at('bad/truncated-png'), { name: 'bad/truncated-png' }), 'not a valid PNG image (the file is truncated)'],
  ['bad/truncated-jpeg/broken.jpg', 'readImageFolder', () => readImageFolder(at('bad/truncated-jpeg'), { name: 'bad/truncated-jpeg' }), 'not a valid JPEG image (the file is truncated'],
  ['bad/ragged.csv', 'readCsv', () => readCsv(at('bad/ragged.csv'), { name: 'bad/ragged.csv' }), 'row 4 has 3 columns, but the header has 4'],
  ['bad/non-numeric.csv', 'readCsv', () => readCsv(at('bad/non-numeric.csv'), { name: 'bad/non-numeric.csv' }), 'row 3, column 2 ("y") is "abc", not a number'],
  ['bad/label-range.csv', 'readCsv', () => readCsv(at('bad/label-range.csv'), { name: 'bad/label-range.csv', labelColumn: 'label' }), 'labels must be whole numbers from 0 to 255'],
  ['bad/latin1.txt', 'readTextFile', () => readTextFile(at('bad/latin1.txt'), 'bad/latin1.txt'), 'not valid UTF-8 text (byte 0xE9 at offset 3'],
  ['bad/binary.txt', 'readTextFile', () => readTextFile(at('bad/binary.txt'), 'bad/binary.txt'), 'looks like a binary file, not text'],
  ['bad/empty.txt', 'readTextFile', () => readTextFile(at('bad/empty.txt'), 'bad/empty.txt'), 'the file is empty'],
  ['bad/empty.txt', 'readCsv', () => readCsv(at('bad/empty.txt'), { name: 'bad/empty.txt' }), 'the file is empty'],
];

describe('bad data inputs', () => {
  let original: Map<string, string>;
  before(() => { original = snapshot(FIXTURES); });
  after(() => assert.deepEqual(snapshot(FIXTURES), original, 'reading the corpus changed test/fixtures/data'));

  for (const [file, reader, read, phrase] of CASES) {
    it(`${file} (${reader}): ${phrase}`, () => {
      assert.throws(read, (e: unknown) => {
        const message = (e as Error).message;
        assert.ok(message.includes(file), `names ${file}: ${message}`);
        assert.ok(message.includes(phrase), `says "${phrase}": ${message}`);
        assert.ok(!/[\r\n]/.test(message), `one line: ${message}`);
        return true;
      });
    });
  }

  it('an empty folder (made here: git keeps no empty folders)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'genlab-empty-'));
    try {
      for (const read of [readImageFolder, probeImageFolder]) assert.throws(() => read(dir, { name: 'photos' }), /^Error: photos: no images/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the good fixtures read without errors', () => {
    assert.equal(readImageFolder(at('good/shapes')).count, 6);
    assert.equal(readCsv(at('good/points.csv'), { labelColumn: 'label' }).count, 4);
    assert.equal(readCsv(at('good/pixels.csv')).count, 3);
  });

  it('the committed fixtures are what make-fixtures.mjs writes', function () {
    this.timeout(60000);
    const out = mkdtempSync(join(tmpdir(), 'genlab-fixtures-'));
    try {
      execFileSync(process.execPath, ['--import', 'tsx', join(FIXTURES, 'make-fixtures.mjs'), out], { stdio: 'pipe' });
      const hashes = (m: Map<string, string>) => new Map([...m].map(([k, v]) => [k, v.split(' ')[0]]));
      const committed = hashes(snapshot(FIXTURES));
      committed.delete('make-fixtures.mjs');
      assert.deepEqual(hashes(snapshot(out)), committed);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('data paths inside the workspace', () => {
  let tmp: string, root: string;
  beforeEach(() => {
    tmp = realpathSync(mkdtempSync(join(tmpdir(), 'genlab-paths-')));
    root = join(tmp, 'root');
    mkdirSync(join(root, 'models'), { recursive: true });
    mkdirSync(join(root, 'data'));
    mkdirSync(join(tmp, 'rootfoo'));
    mkdirSync(join(tmp, 'secret'));
    writeFileSync(join(root, 'data', 'a.png'), '');
    writeFileSync(join(tmp, 'secret', 'x.png'), '');
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('resolves relative paths against the model folder, and accepts the root itself', () => {
    const models = join(root, 'models');
    assert.equal(resolveInside(root, models, '../data/a.png'), join(root, 'data', 'a.png'));
    assert.equal(resolveInside(root + '/', models, 'new/not-yet.png'), join(root, 'models', 'new', 'not-yet.png'));
    assert.equal(resolveInside(root, models, '..'), root);
    assert.equal(resolveInside(root, models, join(root, 'data')), join(root, 'data'));
  });

  it('refuses paths outside, by .., absolute path or a sibling with the same prefix', () => {
    const models = join(root, 'models');
    const message = `"../../secret/x.png" is outside the workspace (${root}): GenLab reads data only from inside it`;
    assert.throws(() => resolveInside(root, models, '../../secret/x.png'), { message });
    assert.throws(() => resolveInside(root + '/', models, '../../secret/x.png'), { message }, 'a trailing slash on root');
    assert.throws(() => resolveInside(root, models, join(tmp, 'secret', 'x.png')), /is outside the workspace/);
    assert.throws(() => resolveInside(root, models, '../../rootfoo/a.png'), /"\.\.\/\.\.\/rootfoo\/a\.png" is outside/);
    assert.throws(() => resolveInside(root, models, '/etc/passwd'), /"\/etc\/passwd" is outside the workspace/);
  });

  it('follows symbolic links, also dangling ones, before deciding', () => {
    symlinkSync(join(tmp, 'secret'), join(root, 'data', 'link'));
    assert.throws(() => resolveInside(root, root, 'data/link/x.png'), /"data\/link\/x\.png" is outside the workspace/);
    assert.throws(() => resolveInside(root, root, 'data/link/later.png'), /is outside the workspace/, 'target file missing, folder link resolved');
    symlinkSync(join(tmp, 'secret', 'later.png'), join(root, 'data', 'dangling.png'));
    assert.throws(() => resolveInside(root, root, 'data/dangling.png'), /is outside the workspace/);
    symlinkSync(join(root, 'data'), join(tmp, 'secret', 'back'));
    assert.equal(resolveInside(root, root, join(tmp, 'secret', 'back', 'a.png')), join(root, 'data', 'a.png'), 'a link from outside into the root is fine');
    const linkedRoot = join(tmp, 'root-link');
    symlinkSync(root, linkedRoot);
    assert.equal(resolveInside(linkedRoot, join(linkedRoot, 'models'), '../data/a.png'), join(root, 'data', 'a.png'), 'a root reached by a link');
  });
});
