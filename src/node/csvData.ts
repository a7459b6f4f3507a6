/**
 * A CSV file of the user's own data as points (≤ 3 value columns) or pixels (a square number of
 * columns, or any with "size"), with an optional label column. The syntax is RFC 4180
 * (https://www.rfc-editor.org/rfc/rfc4180): comma-separated fields, optionally double-quoted with
 * "" for a quote, CRLF or LF line ends; a tab or semicolon is used instead when the first line has
 * one and no comma. Errors name the file and the row as an editor numbers lines (1-based).
 */
import type { ImageSet, PointSet } from '../core/data/dataset';
import { readTextFile } from './textFile';

/** Which column holds labels, the pixel layout, and the name used in messages. */
export interface CsvOptions {
  /** The label column: a header name, or a 0-based index. Without it every row has label 0. */
  labelColumn?: string | number;
  /** Read rows as height×width grayscale pixels (a number for a square); otherwise guessed from the column count. */
  size?: number | [number, number];
  /** The file as the user wrote it, for messages and the set's name (default: `path`). */
  name?: string;
}

/** One record of a CSV file: its fields and the 1-based line it starts on. */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/** A plain decimal number, as a spreadsheet writes it (no hex, no Infinity, no empty cell), spaces around allowed. */
const NUMBER = /^[ \t]*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[ \t]*$/;

/** Reads `path` as a PointSet or a uint8 grayscale ImageSet (see the file comment for how it decides). */
export function readCsv(path: string, options: CsvOptions = {}): ImageSet | PointSet {
  const shown = options.name ?? path;
  const text = readTextFile(path, shown);
  let first: CsvRecord | undefined, header: string[] | undefined;
  let columns = 0, labelIndex = -1, valueColumns = 0, layout: 'points' | [number, number] = 'points';
  let values: Float32Array = new Float32Array(0), labels: Uint8Array = new Uint8Array(0);
  let count = 0, maxValue = 0, maxLabel = 0;
  const column = (i: number) => `column ${i + 1}${header ? ` ("${header[i]}")` : ''}`;

  forEachCsvRecord(text, shown, (fields, line) => {
    if (!first) {
      first = { fields, line };
      columns = fields.length;
      if (fields.some((cell) => !NUMBER.test(cell))) header = fields.map((cell) => cell.trim());
      labelIndex = labelColumnIndex(options.labelColumn, header, columns, shown);
      valueColumns = columns - (labelIndex >= 0 ? 1 : 0);
      layout = decideLayout(valueColumns, options.size, shown);
      if (header) return;
    }
    if (fields.length !== columns) {
      const plural = fields.length === 1 ? '' : 's';
      throw new Error(`${shown}: row ${line} has ${fields.length} column${plural}, but ${header ? 'the header has' : `row ${first.line} has`} ${columns}`);
    }
    if (count === labels.length) ({ values, labels } = grow(values, labels, valueColumns));
    let v = count * valueColumns;
    for (let i = 0; i < columns; i++) {
      const cell = fields[i];
      if (!NUMBER.test(cell)) {
        const what = i === labelIndex ? 'labels must be whole numbers from 0 to 255' : 'not a number';
        throw new Error(`${shown}: row ${line}, ${column(i)} is "${cell}"${i === labelIndex ? ':' : ','} ${what}`);
      }
      const value = Number(cell);
      if (i === labelIndex) {
        if (!Number.isInteger(value) || value < 0 || value > 255) {
          throw new Error(`${shown}: row ${line}, ${column(i)} is "${cell}": labels must be whole numbers from 0 to 255`);
        }
        labels[count] = value;
        if (value > maxLabel) maxLabel = value;
        continue;
      }
      if (layout !== 'points' && (value < 0 || value > 255)) {
        throw new Error(`${shown}: row ${line}, ${column(i)} is ${cell.trim()}, but pixel values must be from 0 to 255 (or all from 0 to 1)`);
      }
      if (value > maxValue) maxValue = value;
      values[v++] = value;
    }
    count++;
  });

  if (!first) throw new Error(`${shown}: the file has no rows`);
  if (count === 0) throw new Error(`${shown}: no data rows, only a header`);
  labels = labels.slice(0, count);
  if (layout === 'points') {
    const points = values.slice(0, count * valueColumns);
    return { kind: 'points', name: shown, count, dims: valueColumns, points, labels, classes: labelIndex >= 0 ? maxLabel + 1 : 1 };
  }
  const scale = maxValue <= 1 ? 255 : 1; // all values in [0, 1]: intensities, scaled to bytes
  const pixels = new Uint8Array(count * valueColumns);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.round(values[i] * scale);
  return { kind: 'images', name: shown, count, height: layout[0], width: layout[1], channels: 1, pixels, labels };
}

/** The records of small CSV `text` (RFC 4180 §2), each with the 1-based line it starts on; errors as forEachCsvRecord. */
export function parseCsv(text: string, shown: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  forEachCsvRecord(text, shown, (fields, line) => records.push({ fields, line }));
  return records;
}

/**
 * Calls `onRecord` for each record of CSV `text` (RFC 4180 §2) with the line it starts on. Blank
 * lines at the end are skipped; a blank line before more data, and a quote never closed, are errors.
 */
export function forEachCsvRecord(text: string, shown: string, onRecord: (fields: string[], line: number) => void): void {
  const delimiter = guessDelimiter(text);
  let line = 1, blankLine = 0, nextQuote = -1, nextCr = -1;
  for (let i = 0; i < text.length;) {
    const lf = text.indexOf('\n', i);
    const end = lf < 0 ? text.length : lf;
    if (nextQuote < i) nextQuote = indexOrInfinity(text, '"', i);
    if (nextCr < i) nextCr = indexOrInfinity(text, '\r', i);
    let fields: string[], quoted = false, next: number, breaks = 1;
    if (nextQuote >= end && (nextCr >= end || (nextCr === end - 1 && lf >= 0))) {
      // Fast path: a line with no quotes and no bare CR is its fields split at the delimiter.
      fields = text.slice(i, nextCr === end - 1 ? end - 1 : end).split(delimiter);
      next = end + 1;
    } else {
      ({ fields, quoted, next, breaks } = parseRecordAt(text, i, delimiter.charCodeAt(0), () => `${shown}: row ${line} has a quote (") that is never closed`));
    }
    const blank = fields.length === 1 && fields[0].trim() === '' && !quoted;
    if (blank) blankLine ||= line;
    else if (blankLine) throw new Error(`${shown}: row ${blankLine} is empty`);
    else onRecord(fields, line);
    line += breaks;
    i = next;
  }
}

/** Where `search` next occurs in `text` from `from`, or Infinity (so that a search is not repeated). */
function indexOrInfinity(text: string, search: string, from: number): number {
  const at = text.indexOf(search, from);
  return at < 0 ? Infinity : at;
}

/** One record starting at `start`, parsed character by character (quotes, "" escapes, CR, LF or CRLF ends). */
function parseRecordAt(text: string, start: number, delimiter: number, unclosed: () => string): { fields: string[]; quoted: boolean; next: number; breaks: number } {
  const QUOTE = 34, LF = 10, CR = 13;
  const fields: string[] = [];
  let i = start, breaks = 0, anyQuoted = false;
  for (;;) {
    const fieldStart = i;
    let field = '', quoted = false, at = i;
    while (at < text.length && text.charCodeAt(at) !== delimiter && (text.charCodeAt(at) === 32 || text.charCodeAt(at) === 9)) at++;
    if (text.charCodeAt(at) === QUOTE) {
      quoted = anyQuoted = true;
      for (at++; ;) {
        const close = text.indexOf('"', at);
        if (close < 0) throw new Error(unclosed());
        field += text.slice(at, close);
        for (let k = text.indexOf('\n', at); k >= 0 && k < close; k = text.indexOf('\n', k + 1)) breaks++;
        if (text.charCodeAt(close + 1) === QUOTE) { field += '"'; at = close + 2; } else { i = close + 1; break; }
      }
    }
    // Up to the delimiter or line end; text after a closing quote is kept ("a"b reads as ab).
    const rest = i;
    while (i < text.length && text.charCodeAt(i) !== delimiter && text.charCodeAt(i) !== LF && text.charCodeAt(i) !== CR) i++;
    fields.push(quoted ? field + text.slice(rest, i) : text.slice(fieldStart, i));
    if (i < text.length && text.charCodeAt(i) === delimiter) { i++; continue; }
    if (i >= text.length) return { fields, quoted: anyQuoted, next: i, breaks: breaks + 1 };
    const next = i + (text.charCodeAt(i) === CR && text.charCodeAt(i + 1) === LF ? 2 : 1);
    return { fields, quoted: anyQuoted, next, breaks: breaks + 1 };
  }
}

/** `values` and `labels` with room for twice as many rows (at least 1024). */
function grow(values: Float32Array, labels: Uint8Array, valueColumns: number): { values: Float32Array; labels: Uint8Array } {
  const rows = Math.max(1024, labels.length * 2);
  const moreValues = new Float32Array(rows * valueColumns);
  moreValues.set(values);
  const moreLabels = new Uint8Array(rows);
  moreLabels.set(labels);
  return { values: moreValues, labels: moreLabels };
}

/** ',' unless the first line has no comma but a tab or a semicolon. */
function guessDelimiter(text: string): string {
  const end = text.search(/[\r\n]/);
  const first = end < 0 ? text : text.slice(0, end);
  if (first.includes(',')) return ',';
  return first.includes('\t') ? '\t' : first.includes(';') ? ';' : ',';
}

function labelColumnIndex(labelColumn: string | number | undefined, header: string[] | undefined, columns: number, shown: string): number {
  if (labelColumn === undefined) return -1;
  if (typeof labelColumn === 'number') {
    if (!Number.isInteger(labelColumn) || labelColumn < 0 || labelColumn >= columns) {
      throw new Error(`${shown}: "labelColumn": ${labelColumn} is not a column (the rows have ${columns}, numbered 0 to ${columns - 1})`);
    }
    return labelColumn;
  }
  if (!header) throw new Error(`${shown}: "labelColumn": "${labelColumn}" names a column, but the file has no header row; give its 0-based number instead`);
  const index = header.indexOf(labelColumn.trim());
  if (index < 0) {
    const names = header.slice(0, 10).map((h) => `"${h}"`).join(', ') + (header.length > 10 ? ', …' : '');
    throw new Error(`${shown}: "labelColumn": no column is named "${labelColumn}" (the header has ${names})`);
  }
  return index;
}

/** 'points', or the [height, width] of a pixel row. */
function decideLayout(valueColumns: number, size: CsvOptions['size'], shown: string): 'points' | [number, number] {
  if (valueColumns === 0) throw new Error(`${shown}: no value columns, only the label column`);
  if (size !== undefined) {
    const [h, w] = typeof size === 'number' ? [size, size] : size;
    if (!(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0)) {
      throw new Error(`${shown}: "size" must be a positive whole number or [height, width], not ${JSON.stringify(size)}`);
    }
    if (h * w !== valueColumns) throw new Error(`${shown}: ${valueColumns} value columns do not make ${h}×${w} = ${h * w} pixels`);
    return [h, w];
  }
  if (valueColumns <= 3) return 'points';
  const side = Math.round(Math.sqrt(valueColumns));
  if (side * side === valueColumns) return [side, side];
  throw new Error(`${shown}: ${valueColumns} value columns are neither a point (at most 3) nor a square image; give "data": { "size": [height, width] } to read each row as pixels`);
}
