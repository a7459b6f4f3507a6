/**
 * The binary masks of RealNVP's affine couplings (Dinh, Sohl-Dickstein & Bengio, ICLR 2017, §3.4):
 * coupling k passes the coordinates where m_k = 1 through unchanged and transforms the rest, and
 * the masks alternate from one coupling to the next so that every coordinate gets transformed:
 * for points m_j = (j + k) mod 2, for images a checkerboard m_{r,c} = (r + c + k) mod 2 (every
 * channel of a pixel alike) on the flattened image.
 */
import type { DataShape } from '../family';

/** The masks m_k of `couplings` layers for data of `shape`: alternating coordinates, or a checkerboard on images. */
export function couplingMasks(shape: DataShape, couplings: number): Float32Array[] {
  const features = shape.height * shape.width * shape.channels;
  const image = shape.kind !== 'points';
  return Array.from({ length: couplings }, (_, k) => {
    const m = new Float32Array(features);
    for (let j = 0; j < features; j++) {
      const pixel = Math.floor(j / shape.channels);
      const parity = image ? Math.floor(pixel / shape.width) + (pixel % shape.width) : j;
      m[j] = (parity + k) % 2;
    }
    return m;
  });
}
