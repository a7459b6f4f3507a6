/** Resampling images held as float arrays (h×w×c, channels last): centre crops and resizes, as torchvision's CenterCrop and Resize do. */

/** The largest centred window with the target's aspect ratio (torchvision CenterCrop's placement, offsets rounded down). */
export function centreCrop(image: Float32Array, h: number, w: number, c: number, [th, tw]: [number, number]): { image: Float32Array; h: number; w: number } {
  const ch = h * tw > w * th ? Math.max(1, Math.round((w * th) / tw)) : h;
  const cw = h * tw > w * th ? w : Math.max(1, Math.round((h * tw) / th));
  const top = Math.floor((h - ch) / 2), left = Math.floor((w - cw) / 2);
  const out = new Float32Array(ch * cw * c);
  for (let y = 0; y < ch; y++) out.set(image.subarray(((top + y) * w + left) * c, ((top + y) * w + left + cw) * c), y * cw * c);
  return { image: out, h: ch, w: cw };
}

/** Resamples an h×w×c image to th×tw×c, each axis separately: area averaging when shrinking, bilinear (pixel centres, edges clamped) when enlarging. */
export function resize(image: Float32Array, h: number, w: number, c: number, th: number, tw: number): Float32Array {
  const across = axisTaps(w, tw), down = axisTaps(h, th);
  const rows = new Float32Array(h * tw * c);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < tw; x++) {
      for (const [sx, weight] of across[x]) for (let k = 0; k < c; k++) rows[(y * tw + x) * c + k] += weight * image[(y * w + sx) * c + k];
    }
  }
  const out = new Float32Array(th * tw * c);
  for (let y = 0; y < th; y++) {
    for (const [sy, weight] of down[y]) for (let i = 0; i < tw * c; i++) out[y * tw * c + i] += weight * rows[sy * tw * c + i];
  }
  return out;
}

/** For each of `m` output positions, the source indices (of `n`) and weights that make it. */
function axisTaps(n: number, m: number): [number, number][][] {
  const taps: [number, number][][] = [];
  for (let i = 0; i < m; i++) {
    if (m === n) taps.push([[i, 1]]);
    else if (m < n) {
      const scale = n / m, from = i * scale, to = (i + 1) * scale;
      const row: [number, number][] = [];
      for (let s = Math.floor(from); s < Math.min(n, Math.ceil(to)); s++) {
        const overlap = Math.min(to, s + 1) - Math.max(from, s);
        if (overlap > 1e-9) row.push([s, overlap / scale]);
      }
      taps.push(row);
    } else {
      const x = Math.min(n - 1, Math.max(0, (i + 0.5) * (n / m) - 0.5));
      const x0 = Math.floor(x), x1 = Math.min(n - 1, x0 + 1), f = x - x0;
      taps.push(f > 0 ? [[x0, 1 - f], [x1, f]] : [[x0, 1]]);
    }
  }
  return taps;
}
