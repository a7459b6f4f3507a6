/** Reading data files that may be gzip-compressed (IDX files are often published as .gz). */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** Reads a file, gunzipping it when it starts with the gzip magic bytes; errors name the file. */
export function readMaybeGzip(path: string, shown = path): Uint8Array {
  if (!existsSync(path)) throw new Error(`${shown}: no such file`);
  const raw = readFileSync(path);
  if (raw[0] !== 0x1f || raw[1] !== 0x8b) return new Uint8Array(raw);
  try {
    return new Uint8Array(gunzipSync(raw));
  } catch (e) {
    throw new Error(`${shown}: not a valid .gz file (${e instanceof Error ? e.message : String(e)})`);
  }
}
