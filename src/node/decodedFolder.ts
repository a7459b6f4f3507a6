/**
 * One decode of a small image folder for both its check and its training: the Problems panel's
 * probe (dataProbe.ts) decodes a folder in full to find a truncated image, and ▶ Train would then
 * decode it again (loadData.ts). The last folder decoded is kept, keyed by its options and by a
 * stamp of its files, and handed out while the stamp holds.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageSet } from '../core/data/dataset';
import { readImageFolder, type ImageFolderOptions } from './imageFolder';

/** A folder's stamp: its files' sizes and modification times two levels down (the folder's own mtime misses edits inside class folders). */
export function folderStamp(dir: string, depth = 0): { stamp: number; bytes: number } {
  let stamp = statSync(dir).mtimeMs, bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const at = join(dir, entry.name);
    if (entry.isDirectory() && depth < 1) {
      const inner = folderStamp(at, depth + 1);
      stamp += inner.stamp;
      bytes += inner.bytes;
    } else if (entry.isFile()) {
      const st = statSync(at);
      stamp += st.mtimeMs + st.size;
      bytes += st.size;
    }
  }
  return { stamp, bytes };
}

/** A decoded set is kept only up to this many bytes of pixels, so a large folder does not stay in the host's memory. */
const KEEP_BYTES = 64 * 2 ** 20;

let last: { key: string; stamp: number; set: ImageSet } | undefined;

/**
 * readImageFolder(dir, options), decoded once while the folder's files stay as they are (same
 * stamp) and its pixels take at most KEEP_BYTES. The set is shared: callers must not change its arrays (shuffleImageSet copies).
 * `stamp` saves a second walk where the caller has just taken it.
 */
export function readImageFolderOnce(dir: string, options: ImageFolderOptions = {}, stamp = folderStamp(dir).stamp): ImageSet {
  const key = JSON.stringify([dir, options.size, options.fit, options.color, options.name]);
  if (last && last.key === key && last.stamp === stamp) return last.set;
  last = undefined; // a failed read leaves nothing behind
  const set = readImageFolder(dir, options);
  if (set.pixels.byteLength <= KEEP_BYTES) last = { key, stamp, set };
  return set;
}
