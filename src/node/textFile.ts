/**
 * Reads a user's text file strictly, so that a wrong encoding is an error that says what to do
 * rather than replacement characters in the training data. UTF-8 (RFC 3629) with or without a
 * BOM; UTF-16 when the file starts with a UTF-16 BOM (FF FE little-endian, FE FF big-endian).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';

/** How many leading bytes are searched for a NUL to tell a binary file (as git and grep do, 8 KB). */
const BINARY_SNIFF_BYTES = 8192;

/**
 * The text of the file at `path`. Errors are one line, naming the file as `name` (default: the
 * path): no such file, a folder, an empty file, a binary file, or invalid UTF-8 with the offset
 * and line of the first bad byte.
 */
export function readTextFile(path: string, name = path): string {
  if (!existsSync(path)) throw new Error(`${name}: no such file`);
  if (statSync(path).isDirectory()) throw new Error(`${name}: is a folder, not a text file`);
  return decodeText(new Uint8Array(readFileSync(path)), name);
}

/** Decodes a text file's bytes as readTextFile does; `name` names the file in errors. */
export function decodeText(bytes: Uint8Array, name: string): string {
  if (bytes.length === 0) throw new Error(`${name}: the file is empty`);
  const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : undefined;
  let text: string;
  if (utf16) {
    if (bytes.length % 2 !== 0) throw new Error(`${name}: not valid ${utf16.toUpperCase()} text (odd number of bytes); save it as UTF-8`);
    try {
      text = new TextDecoder(utf16, { fatal: true }).decode(bytes);
    } catch {
      throw new Error(`${name}: not valid ${utf16.toUpperCase()} text (an unpaired surrogate); save it as UTF-8`);
    }
  } else {
    if (bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0)) throw new Error(`${name}: looks like a binary file, not text (it has NUL bytes)`);
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes); // strips a UTF-8 BOM (ignoreBOM: false)
    } catch {
      const at = firstInvalidUtf8(bytes);
      if (at < 0) throw new Error(`${name}: not valid UTF-8 text; save it as UTF-8`);
      const line = countLines(bytes, at);
      const hex = bytes[at].toString(16).toUpperCase().padStart(2, '0');
      throw new Error(`${name}: not valid UTF-8 text (byte 0x${hex} at offset ${at}, line ${line}); save it as UTF-8`);
    }
  }
  if (text.length === 0) throw new Error(`${name}: the file is empty`);
  return text;
}

/**
 * The offset of the first byte that starts an ill-formed UTF-8 sequence (Unicode 15, table 3-7:
 * no overlong forms, no surrogates D800–DFFF, nothing above U+10FFFF), or -1 when all are valid.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i];
    if (b < 0x80) { i++; continue; }
    let length: number, lo = 0x80, hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) { length = 3; if (b === 0xe0) lo = 0xa0; if (b === 0xed) hi = 0x9f; }
    else if (b >= 0xf0 && b <= 0xf4) { length = 4; if (b === 0xf0) lo = 0x90; if (b === 0xf4) hi = 0x8f; }
    else return i;
    if (i + length > bytes.length) return i;
    if (bytes[i + 1] < lo || bytes[i + 1] > hi) return i;
    for (let k = 2; k < length; k++) if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return i;
    i += length;
  }
  return -1;
}

/** The 1-based line that byte `offset` is on (lines end with LF). */
function countLines(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}
