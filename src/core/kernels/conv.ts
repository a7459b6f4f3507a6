/**
 * Fast convolution gradients for the Node backends. tfjs-backend-wasm 4.22 has no
 * Conv2DBackpropFilter (the filter gradient of conv2d and conv2dTranspose) and a slow scalar
 * Conv2DBackpropInput (the input gradient of conv2d, and the forward pass of conv2dTranspose);
 * the cpu backend's filter gradient reads every element through TensorBuffer.get and takes
 * about 20 s for one batch of 64 through a 3×3 conv of 32→64 channels. Here both are lowered
 * to one matrix product on the backend (SIMD on wasm) plus an im2col / col2im pass in JS.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Attributes of Conv2DBackpropFilter (Conv2DBackpropInput has inputShape instead of filterShape). */
export type ConvAttrs = { strides: number | [number, number]; pad: 'valid' | 'same' | number; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number] };

/** dW[kh, kw, ci, co] = Σ over batch and output positions of x[b, oy·s + kh − pad, ox·s + kw − pad, ci] · dy[b, oy, ox, co]. */
export function conv2dFilterGradient(x: Float32Array, xShape: number[], dy: Float32Array, attrs: ConvAttrs): Float32Array {
  const fmt = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat);
  const info = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, fmt);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO, filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  const last = info.dataFormat === 'channelsLast';
  // Element strides of x and dy in their layout: [batch, row, column, channel].
  const xs = last ? [H * W * CI, W * CI, CI, 1] : [CI * H * W, W, 1, H * W];
  const ds = last ? [OH * OW * CO, OW * CO, CO, 1] : [CO * OH * OW, OW, 1, OH * OW];
  const dW = new Float32Array(KH * KW * CI * CO);
  const dyRow = new Float32Array(CO);
  for (let b = 0; b < N; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const d0 = b * ds[0] + oy * ds[1] + ox * ds[2];
        for (let co = 0; co < CO; co++) dyRow[co] = dy[d0 + co * ds[3]];
        for (let kh = 0; kh < KH; kh++) {
          const iy = oy * sh + kh - info.padInfo.top;
          if (iy < 0 || iy >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const ix = ox * sw + kw - info.padInfo.left;
            if (ix < 0 || ix >= W) continue;
            const x0 = b * xs[0] + iy * xs[1] + ix * xs[2];
            for (let ci = 0; ci < CI; ci++) {
              const v = x[x0 + ci * xs[3]];
              if (v === 0) continue; // ReLU activations are often zero
              const w0 = ((kh * KW + kw) * CI + ci) * CO;
              for (let co = 0; co < CO; co++) dW[w0 + co] += v * dyRow[co];
            }
          }
        }
      }
    }
  }
  return dW;
}

/** Most im2col elements held at once (64 MB); larger batches are done in slices and summed. */
const IM2COL_ELEMENTS = 16 * 1024 * 1024;

/**
 * The same gradient as one matrix product on `backend`: im2col(x)ᵀ [KH·KW·CI, N·OH·OW] × dy [N·OH·OW, CO].
 * The transposed patches are laid out in JS (wasm's BatchMatMul is ten times slower with transposeA),
 * and the product runs with SIMD: about 8× faster than the loops above for a 32→64-channel 3×3 layer. NHWC only.
 */
function filterGradientByMatMul(backend: tf.KernelBackend, backendName: string, x: Float32Array, xShape: number[], dy: Float32Array, attrs: ConvAttrs): Float32Array {
  const matMul = tf.getKernel('BatchMatMul', backendName)!.kernelFunc;
  const info = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO, filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  const K = KH * KW * CI, rows = OH * OW;
  const perSlice = Math.max(1, Math.floor(IM2COL_ELEMENTS / (rows * K)));
  const dW = new Float32Array(K * CO);
  for (let b0 = 0; b0 < N; b0 += perSlice) {
    const nb = Math.min(perSlice, N - b0), M = nb * rows;
    const colT = new Float32Array(K * M); // row k = (kh, kw, ci), column m = (b, oy, ox)
    for (let b = 0; b < nb; b++) {
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++) {
          const m = (b * OH + oy) * OW + ox;
          for (let kh = 0; kh < KH; kh++) {
            const iy = oy * sh + kh - info.padInfo.top;
            if (iy < 0 || iy >= H) continue;
            for (let kw = 0; kw < KW; kw++) {
              const ix = ox * sw + kw - info.padInfo.left;
              if (ix < 0 || ix >= W) continue;
              const x0 = (((b0 + b) * H + iy) * W + ix) * CI, k0 = (kh * KW + kw) * CI;
              for (let ci = 0; ci < CI; ci++) colT[(k0 + ci) * M + m] = x[x0 + ci];
            }
          }
        }
      }
    }
    const a: tf.TensorInfo = { dataId: backend.write(colT, [1, K, M], 'float32'), shape: [1, K, M], dtype: 'float32' };
    const g: tf.TensorInfo = { dataId: backend.write(dy.subarray(b0 * rows * CO, (b0 + nb) * rows * CO), [1, M, CO], 'float32'), shape: [1, M, CO], dtype: 'float32' };
    const out = matMul({ inputs: { a, b: g }, backend, attrs: { transposeA: false, transposeB: false } }) as tf.TensorInfo;
    const part = backend.readSync(out.dataId) as Float32Array;
    for (let i = 0; i < dW.length; i++) dW[i] += part[i];
    [a, g, out].forEach((t) => backend.disposeData(t.dataId, true));
  }
  return dW;
}

/** Registers the fast Conv2DBackpropFilter on `backendName`, replacing any kernel it has (cpu's is slow). */
export function registerConv2dFilterGradient(backendName: string): void {
  if (tf.getKernel('Conv2DBackpropFilter', backendName)) tf.unregisterKernel('Conv2DBackpropFilter', backendName);
  const byMatMul = backendName !== 'cpu' && tf.getKernel('BatchMatMul', backendName) !== undefined;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName,
    kernelFunc: ({ inputs, backend: target, attrs }) => {
      const backend = target as tf.KernelBackend;
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const a = attrs as unknown as ConvAttrs;
      const [xv, dyv] = [backend.readSync(x.dataId) as Float32Array, backend.readSync(dy.dataId) as Float32Array];
      // A product with few output channels is a thin matrix-vector product: the loops win there.
      const dW = byMatMul && a.dataFormat !== 'NCHW' && a.filterShape[3] >= 8 ? filterGradientByMatMul(backend, backendName, xv, x.shape, dyv, a) : conv2dFilterGradient(xv, x.shape, dyv, a);
      return { dataId: backend.write(dW, a.filterShape, 'float32'), shape: a.filterShape, dtype: 'float32' };
    },
  });
}


/** Attributes of Conv2DBackpropInput. */
type InputAttrs = Omit<ConvAttrs, 'filterShape'> & { inputShape: [number, number, number, number] };

/**
 * dX[b, iy, ix, ci] = Σ dy[b, oy, ox, co] · W[kh, kw, ci, co] over the output positions and taps that read
 * (iy, ix): cols = dy [N·OH·OW, CO] × Wᵀ [CO, KH·KW·CI] on `backend`, then col2im sums the patches back. NHWC only.
 */
export function inputGradientByMatMul(backend: tf.KernelBackend, backendName: string, dy: Float32Array, w: Float32Array, attrs: InputAttrs, filterShape: [number, number, number, number]): Float32Array {
  const matMul = tf.getKernel('BatchMatMul', backendName)!.kernelFunc;
  const info = tf.backend_util.computeConv2DInfo(attrs.inputShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO, filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  const K = KH * KW * CI, rows = OH * OW;
  const wT = new Float32Array(CO * K);
  for (let k = 0; k < K; k++) for (let co = 0; co < CO; co++) wT[co * K + k] = w[k * CO + co];
  const b: tf.TensorInfo = { dataId: backend.write(wT, [1, CO, K], 'float32'), shape: [1, CO, K], dtype: 'float32' };
  const dX = new Float32Array(N * H * W * CI);
  const perSlice = Math.max(1, Math.floor(IM2COL_ELEMENTS / (rows * K)));
  for (let b0 = 0; b0 < N; b0 += perSlice) {
    const nb = Math.min(perSlice, N - b0), M = nb * rows;
    const a: tf.TensorInfo = { dataId: backend.write(dy.subarray(b0 * rows * CO, (b0 + nb) * rows * CO), [1, M, CO], 'float32'), shape: [1, M, CO], dtype: 'float32' };
    const out = matMul({ inputs: { a, b }, backend, attrs: { transposeA: false, transposeB: false } }) as tf.TensorInfo;
    const cols = backend.readSync(out.dataId) as Float32Array; // [M, K]
    [a, out].forEach((t) => backend.disposeData(t.dataId, true));
    for (let m = 0; m < M; m++) {
      const bb = b0 + Math.floor(m / rows), oy = Math.floor((m % rows) / OW), ox = m % OW;
      for (let kh = 0; kh < KH; kh++) {
        const iy = oy * sh + kh - info.padInfo.top;
        if (iy < 0 || iy >= H) continue;
        for (let kw = 0; kw < KW; kw++) {
          const ix = ox * sw + kw - info.padInfo.left;
          if (ix < 0 || ix >= W) continue;
          const x0 = ((bb * H + iy) * W + ix) * CI, c0 = m * K + (kh * KW + kw) * CI;
          for (let ci = 0; ci < CI; ci++) dX[x0 + ci] += cols[c0 + ci];
        }
      }
    }
  }
  backend.disposeData(b.dataId, true);
  return dX;
}

/**
 * Registers the fast convolution gradients on `backendName`: Conv2DBackpropFilter everywhere (replacing
 * the slow one of cpu), and on backends with their own matrix product (wasm) Conv2DBackpropInput too,
 * falling back to the backend's own kernel for NCHW data.
 */
export function registerConvKernels(backendName: string): void {
  registerConv2dFilterGradient(backendName);
  const own = tf.getKernel('Conv2DBackpropInput', backendName);
  if (backendName === 'cpu' || !own || !tf.getKernel('BatchMatMul', backendName) || (own as { genlab?: boolean }).genlab) return;
  tf.unregisterKernel('Conv2DBackpropInput', backendName);
  tf.registerKernel({
    kernelName: 'Conv2DBackpropInput',
    backendName,
    kernelFunc: (args) => {
      const backend = args.backend as tf.KernelBackend;
      const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
      const a = args.attrs as unknown as InputAttrs;
      if (a.dataFormat === 'NCHW') return own.kernelFunc(args);
      const dX = inputGradientByMatMul(backend, backendName, backend.readSync(dy.dataId) as Float32Array, backend.readSync(filter.dataId) as Float32Array, a, filter.shape as [number, number, number, number]);
      return { dataId: backend.write(dX, a.inputShape, 'float32'), shape: a.inputShape, dtype: 'float32' };
    },
    genlab: true,
  } as tf.KernelConfig);
}
