/**
 * Starts the best TensorFlow.js backend this webview has: WebGL (the GPU), then wasm, then cpu.
 * Each candidate must also run a small op correctly, since some installs expose a WebGL context
 * that fails on first use.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { BACKENDS, type BackendName } from '../shared/protocol';
import { completeKernels } from '../core/kernels/complete';

/** The backend that started and why the better ones did not. */
export interface BackendChoice {
  backend: BackendName;
  /** One line per backend tried and skipped, e.g. "webgl: WebGL is not supported". */
  skipped: string[];
}

async function trySmokeTest(): Promise<void> {
  const t = tf.tidy(() => tf.sum(tf.mul(tf.tensor1d([1, 2, 3]), tf.tensor1d([4, 5, 6]))));
  const v = (await t.data())[0];
  t.dispose();
  if (v !== 32) throw new Error(`a test computation gave ${v} instead of 32`);
}

/** Starts the first backend in webgl → wasm → cpu order that works and is not disabled. */
export async function startBackend(disabled: readonly BackendName[], wasmBase: string): Promise<BackendChoice> {
  const skipped: string[] = [];
  setWasmPaths(wasmBase);
  for (const name of BACKENDS) {
    if (disabled.includes(name)) {
      skipped.push(`${name}: disabled in settings`);
      continue;
    }
    try {
      // Shapes as uniforms: one compiled WebGL program serves every batch size, so evaluation
      // and views do not trigger fresh shader compiles on the main thread.
      if (name === 'webgl') tf.env().set('WEBGL_USE_SHAPES_UNIFORMS', true);
      const ok = await tf.setBackend(name);
      if (!ok || tf.getBackend() !== name) throw new Error(name === 'webgl' ? 'no WebGL context could be created' : 'it failed to initialize');
      await tf.ready();
      await trySmokeTest();
      // tfjs-backend-wasm 4.22 has no conv filter gradient; cpu's is slow (see core/kernels).
      if (name !== 'webgl') completeKernels(name);
      return { backend: name, skipped };
    } catch (e) {
      skipped.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw new Error(skipped.join('; '));
}
