/** The bundled text corpus (tiny shakespeare, public domain), read from media/corpus. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { textSetFromString, type TextSet } from '../core/data/dataset';

/** Path of the bundled corpus under the extension's (or package's) root. */
export const BUNDLED_TEXT_PATH = join('media', 'corpus', 'tinyshakespeare.txt');

/** Loads the bundled corpus as a TextSet. */
export function loadBundledText(root: string): TextSet {
  return textSetFromString('shakespeare', readFileSync(join(root, BUNDLED_TEXT_PATH), 'utf8'));
}
