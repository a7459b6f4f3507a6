/**
 * A fast path for transposed matrix products. tfjs-backend-wasm 4.22 hands a product without
 * transposes to XNNPACK's SIMD kernel, but one with transposeA or transposeB to a scalar loop:
 * 128×784 by 784×400 takes about 3 ms plain and about 36 ms transposed on a 2-core x86-64
 * machine (`npx tsx bench/vaeTask.ts matmul`). Backpropagation through a dense layer is made of
 * exactly those products (dW = xᵀ·dy, dx = dy·Wᵀ; tfjs-core's BatchMatMul gradient). The kernels
 * registered here lay each transposed operand out explicitly with the backend's own Transpose
 * kernel, call the backend's plain product, and free the copies (or, for a small a·bᵀ, compute
 * (b·aᵀ)ᵀ, transposing less). This also mends wasm's _FusedMatMul, which adds
 * the bias to the wrong elements when an operand is transposed (tfjs-backend-wasm 4.22: 2×3 by
 * 3×2 with bias [0.5, −0.5] gives 15.5 for 16.5). Only backend-agnostic tfjs-core API is used.
 */
import * as tf from '@tensorflow/tfjs-core';
import { isWrapped, wrapKernel } from './wrap';

/** The matrix-product kernels this file wraps (both carry transposeA and transposeB attributes). */
export const MATMUL_KERNELS: readonly string[] = ['BatchMatMul', '_FusedMatMul'];

/** Where a wrapped kernel keeps the backend's own config (wrap.ts). */
const TAG = 'genlabOriginal';

/**
 * `x` with its last two axes swapped, as a new buffer laid out by the backend's Transpose kernel.
 * Always a new tensor id, even for a vector, where a reshape would do: tfjs-backend-wasm caches
 * its XNNPACK product per B tensor id whatever B's shape (batch_mat_mul_impl.cc, operator_cache),
 * so a reshaped view of a B already used would reuse an operator built for the other layout.
 */
function swapLastAxes(x: tf.TensorInfo, backend: tf.KernelBackend, backendName: string): tf.TensorInfo {
  const rank = x.shape.length;
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [rank - 1, rank - 2];
  const transpose = tf.getKernel('Transpose', backendName)!.kernelFunc;
  return transpose({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
}

const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/**
 * a·bᵀ as (b·aᵀ)ᵀ, for a plain product (no bias or activation) with equal batch axes where a
 * and the result together are smaller than b: two small transposes instead of one large one. The
 * gradient dx = dy·Wᵀ of a wide layer is such a product: dy 128×784 and W 400×784 in the VAE's
 * decoder, 151k values transposed instead of 314k (tfjs-backend-wasm transposes at about 4 ns a value).
 */
function transposedProductOfSwapped(own: tf.KernelFunc, args: Parameters<tf.KernelFunc>[0], backendName: string): tf.TensorInfo | undefined {
  const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean; activation?: string };
  if (!a || !b || bias || preluActivationWeights || (attrs.activation && attrs.activation !== 'linear')) return undefined;
  if (attrs.transposeA || !attrs.transposeB || a.shape.length !== b.shape.length || a.shape.length < 2) return undefined;
  // Mismatched shapes go to the backend's kernel, whose error names them as given.
  if (a.shape.slice(0, -2).some((d, i) => d !== b.shape[i]) || a.shape[a.shape.length - 1] !== b.shape[b.shape.length - 1]) return undefined;
  const m = a.shape[a.shape.length - 2], n = b.shape[b.shape.length - 2];
  if (size(a.shape) + size(a.shape.slice(0, -2)) * m * n >= size(b.shape)) return undefined;
  const backend = args.backend as tf.KernelBackend;
  const aT = swapLastAxes(a, backend, backendName);
  let product: tf.TensorInfo | undefined;
  try {
    product = own({ ...args, inputs: { a: b, b: aT }, attrs: { ...args.attrs, transposeA: false, transposeB: false } }) as tf.TensorInfo;
    return swapLastAxes(product, backend, backendName);
  } finally {
    backend.disposeData(aT.dataId);
    if (product) backend.disposeData(product.dataId);
  }
}

/** A kernel function that transposes the operands it is asked to and then runs `own` without transposes. */
function withExplicitTransposes(own: tf.KernelFunc, backendName: string): tf.KernelFunc {
  return (args) => {
    const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (!attrs.transposeA && !attrs.transposeB) return own(args);
    const swapped = transposedProductOfSwapped(own, args, backendName);
    if (swapped) return swapped;
    const backend = args.backend as tf.KernelBackend;
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const copies: tf.TensorInfo[] = [];
    try {
      const operand = (x: tf.TensorInfo, transposed: boolean): tf.TensorInfo => {
        if (!transposed) return x;
        const t = swapLastAxes(x, backend, backendName);
        copies.push(t);
        return t;
      };
      const inputs = { ...args.inputs, a: operand(a, attrs.transposeA), b: operand(b, attrs.transposeB) };
      return own({ ...args, inputs, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
    } finally {
      // Not forced: a Transpose that returned a shared buffer (cpu's identity) only drops its reference.
      copies.forEach((t) => backend.disposeData(t.dataId));
    }
  };
}

/**
 * Replaces the BatchMatMul and _FusedMatMul kernels of `backendName` by ones that transpose
 * operands explicitly (see above). Kernels the backend lacks, or a backend without Transpose,
 * are left alone; a second call changes nothing. Returns a function that restores the
 * backend's own kernels (for baselines and tests).
 */
export function registerFastMatMul(backendName: string): () => void {
  if (!tf.getKernel('Transpose', backendName)) return () => undefined;
  const restores = MATMUL_KERNELS.map((kernelName) => wrapKernel(kernelName, backendName, TAG, (own) => withExplicitTransposes(own.kernelFunc, backendName)));
  return () => restores.forEach((r) => r());
}

/** Whether `backendName`'s BatchMatMul is the wrapper of registerFastMatMul. */
export function hasFastMatMul(backendName: string): boolean {
  return isWrapped('BatchMatMul', backendName, TAG);
}
