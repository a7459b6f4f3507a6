/** TensorFlow.js backends for Node (the CLI and tests): wasm by default, cpu on request. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

/** Backends available in Node. */
export type NodeBackend = 'wasm' | 'cpu';

/** Activates `name` and returns the backend actually in use. */
export async function useNodeBackend(name: NodeBackend = 'wasm'): Promise<string> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`the ${name} backend could not start`);
  await tf.ready();
  return tf.getBackend();
}
