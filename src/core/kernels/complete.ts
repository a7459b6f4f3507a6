/**
 * The wasm backend of TensorFlow.js 4.22 lacks a few kernels that training needs: the filter
 * gradient of conv2d and conv2dTranspose (Conv2DBackpropFilter), the depthwise-convolution
 * gradients and the gradient of gather (UnsortedSegmentSum). Without them a model with any
 * convolution cannot take a step on wasm. This registers each missing kernel on the target
 * backend as a delegate to the cpu backend's kernel: inputs are copied to the cpu backend, the
 * cpu kernel runs, and its outputs are copied back. The convolution gradients get fast kernels
 * of their own instead (convKernels.ts). Only backend-agnostic tfjs-core API is used, so the
 * same kernels would serve the webview's wasm fallback.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerConvKernels } from './conv';
import { registerFastMatMul } from './matmul';
import { registerRowGather } from './wasmGather';
import { registerSharedIdentity } from './wasmIdentity';

/** Kernels that training needs and tfjs-backend-wasm 4.22 does not have (Conv2DBackpropFilter has its own, below). */
export const KERNELS_TO_BORROW: readonly string[] = [
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'UnsortedSegmentSum',
];

function quietCpu(cpu: tf.KernelBackend): tf.KernelBackend {
  // The cpu backend greets Node users on its first tensor, suggesting tfjs-node; not for a delegate.
  const b = cpu as unknown as { firstUse?: boolean };
  if (typeof b.firstUse === 'boolean') b.firstUse = false;
  return cpu;
}

/**
 * Registers on `target` every kernel of `names` it lacks and the cpu backend has, as a
 * delegate to the cpu kernel; returns the names registered (none on a second call).
 */
export function borrowCpuKernels(target = 'wasm', names: readonly string[] = KERNELS_TO_BORROW): string[] {
  const registered: string[] = [];
  for (const kernelName of names) {
    const cpuKernel = tf.getKernel(kernelName, 'cpu');
    if (!cpuKernel || tf.getKernel(kernelName, target)) continue;
    tf.registerKernel({
      kernelName,
      backendName: target,
      kernelFunc: ({ inputs, backend: target, attrs }) => {
        const backend = target as tf.KernelBackend;
        const cpu = quietCpu(tf.findBackend('cpu') as tf.KernelBackend);
        const moved: Record<string, tf.TensorInfo> = {};
        for (const [key, t] of Object.entries(inputs)) {
          if (t) moved[key] = { dataId: cpu.write(backend.readSync(t.dataId), t.shape, t.dtype), shape: t.shape, dtype: t.dtype };
        }
        try {
          const out = cpuKernel.kernelFunc({ inputs: moved, backend: cpu, attrs });
          const outs = Array.isArray(out) ? out : [out];
          const back = outs.map((o) => ({ dataId: backend.write(cpu.readSync(o.dataId), o.shape, o.dtype), shape: o.shape, dtype: o.dtype }));
          outs.forEach((o) => cpu.disposeData(o.dataId, true));
          return Array.isArray(out) ? back : back[0];
        } finally {
          Object.values(moved).forEach((t) => cpu.disposeData(t.dataId, true));
        }
      },
    });
    registered.push(kernelName);
  }
  return registered;
}

/**
 * Makes `backendName` able to train every layer GenLab offers, fast: conv gradients of its own,
 * borrowed cpu kernels, and on wasm transposed matrix products through explicit transposes
 * (about 10× faster there; no gain on cpu, whose transposed products are not slower), batches
 * gathered row by row (wasmGather.ts) and clones that share memory (wasmIdentity.ts).
 */
export function completeKernels(backendName: string): void {
  if (backendName === 'wasm') {
    registerFastMatMul(backendName);
    registerRowGather(backendName);
    registerSharedIdentity(backendName);
  }
  registerConvKernels(backendName);
  if (backendName !== 'cpu') borrowCpuKernels(backendName);
}
