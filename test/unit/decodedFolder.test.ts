/**
 * A small image folder is decoded once for both its check (the Problems panel's probe) and its
 * training (prepareModel), and again only when its files change.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageSet } from '../../src/core/data/dataset';
import { readImageFolderOnce } from '../../src/node/decodedFolder';
import { checkModelFileText, prepareModel } from '../../src/node/modelFile';
import { encodePng } from '../../src/node/png';

const root = join(__dirname, '..', '..');
/** A fixed modification time, so that a rewritten file can keep its stamp. */
const FIXED = new Date('2026-01-02T03:04:05Z');

/** Writes a uniform w×h grey PNG of value `v` at `path` with the fixed modification time; returns its size. */
function writeGrey(path: string, v: number, w = 6, h = 6): number {
  writeFileSync(path, encodePng({ width: w, height: h, channels: 1, pixels: new Uint8Array(w * h).fill(v) }));
  utimesSync(path, FIXED, FIXED);
  return statSync(path).size;
}

describe('decoded image folders', () => {
  let ws: string;
  const env = () => ({ workspaceRoot: ws, dataDir: join(ws, '.cache') });
  beforeEach(() => {
    ws = mkdtempSync(join(tmpdir(), 'genlab-decoded-'));
    for (const cls of ['a', 'b']) {
      mkdirSync(join(ws, 'imgs', cls), { recursive: true });
      for (let i = 0; i < 4; i++) writeGrey(join(ws, 'imgs', cls, `${i}.png`), 10);
    }
  });
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  it('trains on the decode the check made: content swapped under an unchanged stamp is not read again', () => {
    const text = JSON.stringify({ family: 'vae', data: { path: 'imgs', heldout: 0.25 } });
    assert.deepEqual(checkModelFileText(text, ws, env()), []);
    // Same size, same modification time, other pixels: only a second decode would see them.
    const file = join(ws, 'imgs', 'a', '0.png');
    const before = statSync(file).size;
    assert.equal(writeGrey(file, 20), before, 'precondition: the rewritten PNG has the same size');
    const { data } = prepareModel(text, ws, root, 'imgs', {}, env());
    assert.deepEqual(new Set((data as ImageSet).pixels), new Set([10]), 'the pixels decoded by the check');
  });

  it('decodes again when a file changes, and for other options', () => {
    const dir = join(ws, 'imgs');
    const first = readImageFolderOnce(dir, { name: 'imgs' });
    assert.equal(readImageFolderOnce(dir, { name: 'imgs' }), first, 'unchanged: the same set');
    const resized = readImageFolderOnce(dir, { name: 'imgs', size: 4 });
    assert.notEqual(resized, first);
    assert.equal(resized.height, 4);
    writeGrey(join(dir, 'b', '3.png'), 30, 6, 6);
    utimesSync(join(dir, 'b', '3.png'), new Date(FIXED.getTime() + 1000), new Date(FIXED.getTime() + 1000));
    const changed = readImageFolderOnce(dir, { name: 'imgs' });
    assert.notEqual(changed, first);
    assert.ok(changed.pixels.includes(30), 'the changed image is read');
  });
});
