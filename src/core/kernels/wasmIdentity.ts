/**
 * Identity without a copy on the wasm backend. tfjs-core's engine clones tensors it saves for
 * backpropagation (engine.ts: saveFunc, and a kernel's outputs that are its inputs), and
 * tfjs-backend-wasm 4.22's Identity copies the whole buffer for each clone: 45 copies a step of
 * the VAE 784-400-20, 0.8 ms of a 30 ms step in Node. This one shares the input's memory and
 * counts one more reference to it, as the cpu backend's Identity and wasm's own Reshape do;
 * tfjs kernels never write into their inputs, so a shared buffer cannot change under a clone.
 */
import * as tf from '@tensorflow/tfjs-core';
import { wrapKernel } from './wrap';

/** The parts of tfjs-backend-wasm's BackendWasm this kernel uses. */
interface WasmBackend {
  incRef(dataId: tf.DataId): void;
}

/**
 * Makes `backendName`'s Identity share memory (strings still go to the backend's own kernel);
 * a second call changes nothing. Returns a function that restores the backend's own kernel.
 */
export function registerSharedIdentity(backendName = 'wasm'): () => void {
  return wrapKernel('Identity', backendName, 'genlabSharedOriginal', (own) => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return own.kernelFunc(args);
    (args.backend as unknown as WasmBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });
}
