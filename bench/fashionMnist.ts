/** Fashion-MNIST for the benchmarks, read from Debian's dataset-fashion-mnist (IDX files, gzip). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { imageSetFromIdx, type ImageSet } from '../src/core/data/dataset';

/** Where the IDX files are: $FASHION_MNIST_DIR, or where `apt-get install dataset-fashion-mnist` puts them. */
export const FASHION_MNIST_DIR = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';

function read(file: string): Uint8Array {
  const path = join(FASHION_MNIST_DIR, file);
  if (!existsSync(path)) throw new Error(`${path}: missing (apt-get install dataset-fashion-mnist, or set FASHION_MNIST_DIR)`);
  return gunzipSync(readFileSync(path));
}

/** The 60,000 training images and the 10,000 test images, as GenLab image sets. */
export function loadFashionMnist(): { train: ImageSet; test: ImageSet } {
  return {
    train: imageSetFromIdx('fashion-mnist train', read('train-images-idx3-ubyte.gz'), read('train-labels-idx1-ubyte.gz')),
    test: imageSetFromIdx('fashion-mnist test', read('t10k-images-idx3-ubyte.gz'), read('t10k-labels-idx1-ubyte.gz')),
  };
}
