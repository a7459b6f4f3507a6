/**
 * Writes examples/data/shapes: 20×20 RGB PNGs of red-to-orange discs and blue-to-teal squares at
 * random places on a light background, 40 per class, one subfolder per class, as a small folder
 * of "your own images" to try. Deterministic (seeded); run with `npx tsx scripts/make-example-shapes.ts`.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../src/core/rng';
import { encodePng } from '../src/node/png';

const out = join(__dirname, '..', 'examples', 'data', 'shapes');
const [w, h, perClass] = [20, 20, 40];
const rng = new Rng(2024);
rmSync(out, { recursive: true, force: true });
for (const cls of ['discs', 'squares']) {
  mkdirSync(join(out, cls), { recursive: true });
  for (let i = 0; i < perClass; i++) {
    const px = new Uint8Array(w * h * 3).fill(235);
    const cx = 6 + rng.next() * 8, cy = 6 + rng.next() * 8, r = 3 + rng.next() * 3, t = rng.next();
    const colour = cls === 'discs' ? [220, Math.round(40 + 120 * t), 30] : [30, Math.round(60 + 120 * t), 220];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const inside = cls === 'discs' ? (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r : Math.abs(x + 0.5 - cx) <= r && Math.abs(y + 0.5 - cy) <= r;
        if (inside) px.set(colour, (y * w + x) * 3);
      }
    }
    writeFileSync(join(out, cls, `${String(i).padStart(2, '0')}.png`), encodePng({ width: w, height: h, channels: 3, pixels: px }));
  }
}
console.log(`wrote ${2 * perClass} PNGs to ${out}`);
