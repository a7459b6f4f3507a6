/** TensorFlow.js backends for Node (the CLI and tests): wasm by default, cpu on request. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { completeKernels } from '../core/kernels/complete';

/** Backends available in Node. */
export type NodeBackend = 'wasm' | 'cpu';

/** Activates `name`, adds the gradient kernels it lacks, and returns the backend in use. */
export async function useNodeBackend(name: NodeBackend = 'wasm'): Promise<string> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`the ${name} backend could not start`);
  await tf.ready();
  completeKernels(name);
  return tf.getBackend();
}
