import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageSet, PointSet } from '../../src/core/data/dataset';
import { parseCsv, readCsv, type CsvOptions } from '../../src/node/csvData';

const FIXTURES = join(__dirname, '..', 'fixtures', 'data');

let tmp: string;
/** Reads CSV `text` written to data.csv, named "data.csv" in messages. */
function csv(text: string, options: CsvOptions = {}): ImageSet | PointSet {
  const path = join(tmp, 'data.csv');
  writeFileSync(path, text);
  return readCsv(path, { name: 'data.csv', ...options });
}
function points(set: ImageSet | PointSet): PointSet {
  assert.equal(set.kind, 'points');
  return set as PointSet;
}
function images(set: ImageSet | PointSet): ImageSet {
  assert.equal(set.kind, 'images');
  return set as ImageSet;
}

describe('CSV data', () => {
  beforeEach(() => { tmp = mkdtempSync(join(tmpdir(), 'genlab-csv-')); });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('reads points with a header, a label column by name, CRLF, quotes and a trailing blank line', () => {
    const set = points(readCsv(join(FIXTURES, 'good', 'points.csv'), { labelColumn: 'label', name: 'good/points.csv' }));
    assert.equal(set.name, 'good/points.csv');
    assert.deepEqual([set.count, set.dims, set.classes], [4, 2, 3]);
    assert.deepEqual([...set.points], [0.5, 1.5, -1, 2, 3.25, -0.75, 0, 0]);
    assert.deepEqual([...set.labels], [0, 1, 2, 1]);
  });

  it('reads pixels without a header as a square image per row', () => {
    const set = images(readCsv(join(FIXTURES, 'good', 'pixels.csv')));
    assert.deepEqual([set.count, set.height, set.width, set.channels], [3, 4, 4, 1]);
    assert.deepEqual([...set.pixels], Array.from({ length: 48 }, (_, i) => i * 5));
    assert.deepEqual([...set.labels], [0, 0, 0]);
  });

  it('takes the label column by 0-based index, from anywhere in the row', () => {
    const set = images(csv('7,0,0,0,255\n3,10,20,30,40\n', { labelColumn: 0 }));
    assert.deepEqual([set.height, set.width], [2, 2]);
    assert.deepEqual([...set.labels], [7, 3]);
    assert.deepEqual([...set.pixels], [0, 0, 0, 255, 10, 20, 30, 40]);
    const mid = points(csv('a,l,b\n1,4,2\n', { labelColumn: 1 }));
    assert.deepEqual([...mid.points], [1, 2]);
    assert.deepEqual([mid.classes, mid.labels[0]], [5, 4]);
  });

  it('gives points one class and label 0 without a label column; 1 to 3 value columns are points', () => {
    for (const [text, dims] of [['1\n2\n', 1], ['1,2\n', 2], ['1,2,3\n', 3]] as const) {
      const set = points(csv(text));
      assert.deepEqual([set.dims, set.classes, set.labels[0]], [dims, 1, 0]);
    }
  });

  it('treats the first row as data when every cell is a number', () => {
    assert.equal(points(csv('1,2\n3,4\n')).count, 2);
    assert.equal(points(csv('x,2\n3,4\n')).count, 1);
    assert.equal(points(csv('1e3,-.5\n+2.5,3.\n')).points[1], -0.5);
  });

  it('scales pixels ×255 when every value is in [0, 1], and rounds', () => {
    assert.deepEqual([...images(csv('0,0.5,1,0.25\n')).pixels], [0, 128, 255, 64]);
    assert.deepEqual([...images(csv('0,0.5,2,12.4\n')).pixels], [0, 1, 2, 12]);
  });

  it('reads any column count as pixels with "size"', () => {
    const set = images(csv('1,2,3,4,5,6\n', { size: [2, 3] }));
    assert.deepEqual([set.height, set.width, [...set.pixels]], [2, 3, [1, 2, 3, 4, 5, 6]]);
    assert.deepEqual([images(csv('1,2,3,4\n', { size: 2 })).height], [2]);
    assert.equal(images(csv('9,8\n', { size: [1, 2] })).width, 2, 'size wins over the points guess');
  });

  it('accepts tab- or semicolon-separated files when the first line has no comma', () => {
    assert.deepEqual([...points(csv('x\ty\n1\t2\n')).points], [1, 2]);
    assert.deepEqual([...points(csv('x;y\n1;2\n')).points], [1, 2]);
  });

  it('parses quoted fields with commas, doubled quotes and line breaks (RFC 4180)', () => {
    const records = parseCsv('a,"b,c","say ""hi"""\r\n"multi\nline",2, 3 \n\n', 'f.csv');
    assert.deepEqual(records, [
      { fields: ['a', 'b,c', 'say "hi"'], line: 1 },
      { fields: ['multi\nline', '2', ' 3 '], line: 2 },
    ]);
    assert.deepEqual(parseCsv('x,,\n', 'f.csv'), [{ fields: ['x', '', ''], line: 1 }]);
    assert.throws(() => csv('x,y\n"1,2\n'), { message: 'data.csv: row 2 has a quote (") that is never closed' });
  });

  it('numbers rows by the line they start on, counting line breaks inside quotes', () => {
    assert.throws(() => csv('"a\nb",c\n1,2\n1,2,3\n'), { message: 'data.csv: row 4 has 3 columns, but the header has 2' });
  });

  it('throws one-line errors naming the file, row and column', () => {
    assert.throws(() => csv(''), { message: 'data.csv: the file is empty' });
    assert.throws(() => csv('\n\n'), { message: 'data.csv: the file has no rows' });
    assert.throws(() => csv('x,y\n'), { message: 'data.csv: no data rows, only a header' });
    assert.throws(() => csv('1,2\n3\n'), { message: 'data.csv: row 2 has 1 column, but row 1 has 2' });
    assert.throws(() => csv('1,2\n\n3,4\n'), { message: 'data.csv: row 2 is empty' });
    assert.throws(() => csv('x,y\n1,\n'), { message: 'data.csv: row 2, column 2 ("y") is "", not a number' });
    assert.throws(() => csv('1,2\n3,0x10\n'), { message: 'data.csv: row 2, column 2 is "0x10", not a number' });
    assert.throws(() => csv('x,l\n1,2.5\n', { labelColumn: 'l' }), { message: 'data.csv: row 2, column 2 ("l") is "2.5": labels must be whole numbers from 0 to 255' });
    assert.throws(() => csv('x,l\n1,-1\n', { labelColumn: 1 }), /row 2, column 2 \("l"\) is "-1": labels must be whole numbers from 0 to 255/);
    assert.throws(() => csv('0,0,0,300\n'), { message: 'data.csv: row 1, column 4 is 300, but pixel values must be from 0 to 255 (or all from 0 to 1)' });
    assert.throws(() => csv('0,0,0,-1\n'), /row 1, column 4 is -1, but pixel values/);
    assert.throws(() => csv('1,2,3,4,5\n'), /^Error: data\.csv: 5 value columns are neither a point \(at most 3\) nor a square image; give "data": \{ "size": \[height, width\] \}/);
    assert.throws(() => csv('1,2,3,4,5\n', { size: 2 }), { message: 'data.csv: 5 value columns do not make 2×2 = 4 pixels' });
    assert.throws(() => csv('x,y\n1,2\n', { labelColumn: 'label' }), { message: 'data.csv: "labelColumn": no column is named "label" (the header has "x", "y")' });
    assert.throws(() => csv('1,2\n', { labelColumn: 'label' }), /"labelColumn": "label" names a column, but the file has no header row/);
    assert.throws(() => csv('1,2\n', { labelColumn: 2 }), { message: 'data.csv: "labelColumn": 2 is not a column (the rows have 2, numbered 0 to 1)' });
    assert.throws(() => csv('l\n1\n', { labelColumn: 0 }), { message: 'data.csv: no value columns, only the label column' });
    assert.throws(() => readCsv(join(tmp, 'missing.csv')), /missing\.csv: no such file$/);
  });
});
