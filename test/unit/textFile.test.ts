import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/core/rng';
import { decodeText, firstInvalidUtf8, readTextFile } from '../../src/node/textFile';

const FIXTURES = join(__dirname, '..', 'fixtures', 'data');

let tmp: string;
/** Reads `bytes` written to notes.txt, named "notes.txt" in messages. */
function read(bytes: number[] | Buffer): string {
  const path = join(tmp, 'notes.txt');
  writeFileSync(path, Buffer.from(bytes));
  return readTextFile(path, 'notes.txt');
}

describe('text files', () => {
  beforeEach(() => { tmp = mkdtempSync(join(tmpdir(), 'genlab-text-')); });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('reads UTF-8 with or without a BOM, and UTF-16 LE or BE by its BOM', () => {
    for (const file of ['utf8-bom.txt', 'utf16le.txt', 'utf16be.txt']) {
      assert.equal(readTextFile(join(FIXTURES, 'good', file)), 'héllo 高校\n', file);
    }
    assert.equal(read(Buffer.from('plain 😀 text', 'utf8')), 'plain 😀 text');
  });

  it('says where invalid UTF-8 starts: byte, offset and line', () => {
    assert.throws(() => readTextFile(join(FIXTURES, 'bad', 'latin1.txt'), 'latin1.txt'), {
      message: 'latin1.txt: not valid UTF-8 text (byte 0xE9 at offset 3, line 1); save it as UTF-8',
    });
    assert.throws(() => read(Buffer.concat([Buffer.from('ok\nok\n'), Buffer.from([0xff])])), {
      message: 'notes.txt: not valid UTF-8 text (byte 0xFF at offset 6, line 3); save it as UTF-8',
    });
    assert.throws(() => read([0x41, 0xc0, 0x80]), /byte 0xC0 at offset 1, line 1/, 'overlong NUL');
    assert.throws(() => read([0x41, 0x42, 0xed, 0xa0, 0x80]), /byte 0xED at offset 2/, 'a UTF-16 surrogate');
    assert.throws(() => read([0xf4, 0x90, 0x80, 0x80]), /byte 0xF4 at offset 0/, 'above U+10FFFF');
    assert.throws(() => read([0x61, 0xe9, 0xab]), /byte 0xE9 at offset 1/, 'cut off at the end');
  });

  it('finds the same invalid bytes as a strict TextDecoder (random bytes)', () => {
    const rng = new Rng(3);
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let invalid = 0;
    for (let t = 0; t < 3000; t++) {
      const bytes = Uint8Array.from({ length: 1 + Math.floor(rng.next() * 6) }, () => {
        const r = rng.next();
        return r < 0.4 ? Math.floor(rng.next() * 128) : r < 0.7 ? 0x80 + Math.floor(rng.next() * 64) : 0xc0 + Math.floor(rng.next() * 64);
      });
      let valid = true;
      try { decoder.decode(bytes); } catch { valid = false; }
      const at = firstInvalidUtf8(bytes);
      assert.equal(at === -1, valid, `bytes ${[...bytes].map((b) => b.toString(16))}`);
      if (!valid) {
        invalid++;
        assert.doesNotThrow(() => decoder.decode(bytes.subarray(0, at)), 'everything before the reported offset decodes');
      }
    }
    assert.ok(invalid > 500 && invalid < 2900, `${invalid} invalid of 3000`);
  });

  it('calls a file with NUL bytes in its first 8 KB binary, unless it has a UTF-16 BOM', () => {
    assert.throws(() => readTextFile(join(FIXTURES, 'bad', 'binary.txt'), 'binary.txt'), {
      message: 'binary.txt: looks like a binary file, not text (it has NUL bytes)',
    });
    const late = Buffer.alloc(9000, 0x61);
    late[8500] = 0;
    assert.equal(read(late).length, 9000, 'a NUL after 8 KB is still valid UTF-8');
    assert.equal(read([0xff, 0xfe, 0x41, 0x00]), 'A');
  });

  it('rejects empty files, odd-length or broken UTF-16, missing files and folders', () => {
    assert.throws(() => readTextFile(join(FIXTURES, 'bad', 'empty.txt'), 'empty.txt'), { message: 'empty.txt: the file is empty' });
    assert.throws(() => read([0xef, 0xbb, 0xbf]), { message: 'notes.txt: the file is empty' });
    assert.throws(() => read([0xff, 0xfe]), { message: 'notes.txt: the file is empty' });
    assert.throws(() => read([0xff, 0xfe, 0x41]), { message: 'notes.txt: not valid UTF-16LE text (odd number of bytes); save it as UTF-8' });
    assert.throws(() => read([0xfe, 0xff, 0xd8, 0x00, 0x00, 0x41]), { message: 'notes.txt: not valid UTF-16BE text (an unpaired surrogate); save it as UTF-8' });
    assert.throws(() => readTextFile(join(tmp, 'gone.txt'), 'gone.txt'), { message: 'gone.txt: no such file' });
    assert.throws(() => readTextFile(tmp, 'data'), { message: 'data: is a folder, not a text file' });
    assert.throws(() => decodeText(new Uint8Array(0), 'x.md'), { message: 'x.md: the file is empty' });
  });
});
