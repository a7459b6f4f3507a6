/**
 * The data sets GenLab downloads on request (DOWNLOADABLE_DATASETS): where each file is published,
 * its published SHA-256 and size, and where the data comes from and under which licence.
 *
 * Both sets use the same four IDX files (LeCun et al., "THE MNIST DATABASE of handwritten digits",
 * file formats section), gzip-compressed. `sha256` is the published digest of the .gz as served;
 * `contentSha256`, where given, is the digest of the decompressed IDX bytes, so that a mirror that
 * recompressed the same data (such as Debian's dataset-fashion-mnist package) is accepted too.
 */
import type { DownloadableDataset } from '../core/modelfile/types';

/** One file of a downloadable data set. */
export interface DatasetFile {
  /** File name, the same on every mirror, e.g. train-images-idx3-ubyte.gz. */
  name: string;
  /** Published SHA-256 of the .gz file, lowercase hex. */
  sha256: string;
  /** SHA-256 of the decompressed IDX content, lowercase hex, when known. */
  contentSha256?: string;
  /** Size of the published .gz in bytes. */
  bytes: number;
}

/** One downloadable data set: what it is, where it is published and its four files. */
export interface DatasetEntry {
  name: DownloadableDataset;
  /** Human-readable name, e.g. "Fashion-MNIST". */
  label: string;
  /** One line on what the images show. */
  description: string;
  /** Who made and published it. */
  source: string;
  homepage: string;
  licence: string;
  licenceUrl: string;
  /** Base URLs (ending in /) tried in order; a file is fetched at base + file name. */
  mirrors: string[];
  /** train images, train labels, test (t10k) images, test labels. */
  files: DatasetFile[];
  /** Class names by label. */
  classNames: string[];
}

/** Which half of a data set: the 60 000 training or the 10 000 test (t10k) examples. */
export type DatasetSplit = 'train' | 'test';

// MNIST: digests as published with torchvision's MNIST mirrors (yann.lecun.com often refuses downloads).
const MNIST: DatasetEntry = {
  name: 'mnist-full',
  label: 'MNIST',
  description: '70 000 handwritten digits 0–9, 28×28 grey (60 000 train, 10 000 test)',
  source: 'Yann LeCun & Corinna Cortes',
  homepage: 'http://yann.lecun.com/exdb/mnist/',
  licence: 'CC BY-SA 3.0',
  licenceUrl: 'https://creativecommons.org/licenses/by-sa/3.0/',
  mirrors: ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'https://storage.googleapis.com/cvdf-datasets/mnist/'],
  files: [
    { name: 'train-images-idx3-ubyte.gz', bytes: 9_912_422, sha256: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609' },
    { name: 'train-labels-idx1-ubyte.gz', bytes: 28_881, sha256: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c' },
    { name: 't10k-images-idx3-ubyte.gz', bytes: 1_648_877, sha256: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6' },
    { name: 't10k-labels-idx1-ubyte.gz', bytes: 4_542, sha256: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6' },
  ],
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
};

// Fashion-MNIST: mirror and .gz digests from https://github.com/zalandoresearch/fashion-mnist#get-the-data;
// content digests from `zcat FILE | sha256sum` of Debian's dataset-fashion-mnist (the same IDX bytes).
const FASHION_MNIST: DatasetEntry = {
  name: 'fashion-mnist',
  label: 'Fashion-MNIST',
  description: '70 000 Zalando article images in 10 classes, 28×28 grey (60 000 train, 10 000 test)',
  source: 'Zalando Research',
  homepage: 'https://github.com/zalandoresearch/fashion-mnist',
  licence: 'MIT',
  licenceUrl: 'https://github.com/zalandoresearch/fashion-mnist/blob/master/LICENSE',
  mirrors: ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'],
  files: [
    {
      name: 'train-images-idx3-ubyte.gz', bytes: 26_421_880,
      sha256: '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84',
      contentSha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
    },
    {
      name: 'train-labels-idx1-ubyte.gz', bytes: 29_515,
      sha256: 'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845',
      contentSha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
    },
    {
      name: 't10k-images-idx3-ubyte.gz', bytes: 4_422_102,
      sha256: '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073',
      contentSha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
    },
    {
      name: 't10k-labels-idx1-ubyte.gz', bytes: 5_148,
      sha256: '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5',
      contentSha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
    },
  ],
  classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
};

/** Every downloadable data set, by name. */
export const DATASET_CATALOG: Readonly<Record<DownloadableDataset, DatasetEntry>> = {
  'mnist-full': MNIST,
  'fashion-mnist': FASHION_MNIST,
};

/** The catalog entry of `name`, or undefined when GenLab does not download such a set. */
export function catalogEntry(name: string): DatasetEntry | undefined {
  return Object.prototype.hasOwnProperty.call(DATASET_CATALOG, name) ? DATASET_CATALOG[name as DownloadableDataset] : undefined;
}

/** The published size of all four files of `entry`, in bytes. */
export function totalBytes(entry: DatasetEntry): number {
  return entry.files.reduce((sum, f) => sum + f.bytes, 0);
}

/** The image and label file names of one split, e.g. train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz. */
export function splitFiles(split: DatasetSplit): { images: string; labels: string } {
  const prefix = split === 'train' ? 'train' : 't10k';
  return { images: `${prefix}-images-idx3-ubyte.gz`, labels: `${prefix}-labels-idx1-ubyte.gz` };
}
