/**
 * Benchmark (not a test): how long the host takes to read the user's own data, the work that
 * blocks it when ▶ Train is pressed. Writes, in a temp folder, N RGB PNGs (2 classes) and a CSV of
 * N MNIST-sized pixel rows, then times: probing the folder by its image headers (what the
 * Problems panel does for a large folder), reading and resizing it in full, and reading the CSV.
 * Usage: npx tsx bench/data-read.ts [--images 2000] [--side 32] [--size 16] [--rows 10000]
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsv } from '../src/node/csvData';
import { probeImageFolder, readImageFolder } from '../src/node/imageFolder';
import { encodePng } from '../src/node/png';
import { Rng } from '../src/core/rng';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return Number(i >= 0 ? process.argv[i + 1] : dflt);
};
const images = arg('images', '2000'), side = arg('side', '32'), size = arg('size', '16'), rows = arg('rows', '10000');
const dir = mkdtempSync(join(tmpdir(), 'genlab-bench-data-'));
const rng = new Rng(1);

/** The median of `runs` timings of `f`, in ms. */
function time(f: () => unknown, runs = 3): number {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

try {
  let bytes = 0;
  for (const cls of ['a', 'b']) {
    mkdirSync(join(dir, 'photos', cls), { recursive: true });
    for (let i = 0; i < images / 2; i++) {
      const px = Uint8Array.from({ length: side * side * 3 }, () => Math.floor(rng.next() * 256));
      const file = join(dir, 'photos', cls, `${i}.png`);
      writeFileSync(file, encodePng({ width: side, height: side, channels: 3, pixels: px }));
      bytes += statSync(file).size;
    }
  }
  const lines = ['label,' + Array.from({ length: 784 }, (_, i) => `p${i}`).join(',')];
  for (let r = 0; r < rows; r++) lines.push(`${r % 10},` + Array.from({ length: 784 }, () => Math.floor(rng.next() * 256)).join(','));
  writeFileSync(join(dir, 'pixels.csv'), lines.join('\n'));
  const csvBytes = statSync(join(dir, 'pixels.csv')).size;

  const folder = join(dir, 'photos');
  const probe = time(() => probeImageFolder(folder, { size, color: 'rgb' }));
  const read = time(() => readImageFolder(folder, { size, color: 'rgb' }));
  const csv = time(() => readCsv(join(dir, 'pixels.csv'), { labelColumn: 'label' }));
  console.log(`folder of ${images} ${side}×${side} RGB PNGs (${(bytes / 2 ** 20).toFixed(1)} MB): probe ${probe.toFixed(0)} ms, read + resize to ${size}×${size} ${read.toFixed(0)} ms (${(read / images).toFixed(2)} ms per image)`);
  console.log(`CSV of ${rows} rows × 785 columns (${(csvBytes / 2 ** 20).toFixed(1)} MB): read ${csv.toFixed(0)} ms (${((csvBytes / 2 ** 20) / (csv / 1000)).toFixed(1)} MB/s)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
