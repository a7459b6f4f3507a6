/** Replacing a backend's kernel with GenLab's while keeping the backend's own to call and to restore. */
import * as tf from '@tensorflow/tfjs-core';

/** A registered kernel config, with the backend's own config kept under GenLab's tag. */
type Tagged = tf.KernelConfig & Record<string, unknown>;

/**
 * Registers `wrap(own)` as `kernelName` on `backendName`, `own` being the backend's kernel, kept
 * under `tag` (setupFunc and disposeFunc stay, so that a backend initialized again sets the
 * kernel up). Nothing happens where the backend lacks the kernel, or on a second call with the
 * same tag. Returns a function that puts the backend's own kernel back.
 */
export function wrapKernel(kernelName: string, backendName: string, tag: string, wrap: (own: tf.KernelConfig) => tf.KernelFunc): () => void {
  const current = tf.getKernel(kernelName, backendName) as Tagged | undefined;
  if (!current) return () => undefined;
  const own = (current[tag] as tf.KernelConfig | undefined) ?? current;
  if (!current[tag]) {
    tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel({ ...own, kernelFunc: wrap(own), [tag]: own } as Tagged);
  }
  return () => {
    if (!isWrapped(kernelName, backendName, tag)) return;
    tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel(own);
  };
}

/** Whether `kernelName` on `backendName` is a wrapper that wrapKernel registered under `tag`. */
export function isWrapped(kernelName: string, backendName: string, tag: string): boolean {
  return (tf.getKernel(kernelName, backendName) as Tagged | undefined)?.[tag] !== undefined;
}
