/**
 * IDX files, the format of MNIST and Fashion-MNIST (LeCun et al.,
 * http://yann.lecun.com/exdb/mnist/): a big-endian magic number 0x0000TTDD, where TT is the
 * element type (0x08 = uint8) and DD the number of dimensions, then DD uint32 sizes, then data.
 */

/** A parsed IDX array of unsigned bytes. */
export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

/** Parses an (already decompressed) uint8 IDX file; throws an Error that says what is wrong. */
export function parseIdx(bytes: Uint8Array, name = 'IDX file'): IdxArray {
  if (bytes.length < 4) throw new Error(`${name}: too short for an IDX header (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] !== 0 || bytes[1] !== 0) throw new Error(`${name}: not an IDX file (bad magic number)`);
  const type = bytes[2];
  const dims = bytes[3];
  if (type !== 0x08) throw new Error(`${name}: element type 0x${type.toString(16)} is not supported (only uint8, 0x08)`);
  if (dims < 1 || dims > 4) throw new Error(`${name}: ${dims} dimensions is not supported (1 to 4)`);
  const headerEnd = 4 + 4 * dims;
  if (bytes.length < headerEnd) throw new Error(`${name}: truncated header`);
  const shape: number[] = [];
  for (let i = 0; i < dims; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const size = shape.reduce((a, b) => a * b, 1);
  if (bytes.length - headerEnd < size) {
    throw new Error(`${name}: truncated data (header says ${size} bytes, file has ${bytes.length - headerEnd})`);
  }
  return { shape, data: bytes.subarray(headerEnd, headerEnd + size) };
}
