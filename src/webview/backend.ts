/**
 * Starts the best TensorFlow.js backend this webview has: WebGL (the GPU), then wasm, then cpu;
 * wasm first where WebGL is drawn in software (renderer.ts). Each candidate must also run a small
 * op correctly, since some installs expose a WebGL context that fails on first use.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendName } from '../shared/protocol';
import { completeKernels } from '../core/kernels/complete';
import { registerWebglMatMul } from '../core/kernels/webglMatMul';
import { registerWebglAdam } from '../core/kernels/webglAdam';
import { probeFloat32Render } from './precision';
import { backendOrder } from './renderer';

/** The backend that started and why the better ones did not. */
export interface BackendChoice {
  backend: BackendName;
  /** One line per backend tried and skipped, e.g. "webgl: WebGL is not supported". */
  skipped: string[];
  /** On webgl: the float precision it trains at, and why. */
  precision?: WebglPrecision;
  /** The software rasterizer that drew WebGL (e.g. "SwiftShader"), when wasm went first because of it. */
  software?: string;
}

/** The bits of WebGL's float textures and the probe's one-line reason, e.g. "EXT_color_buffer_float is missing". */
export interface WebglPrecision {
  bits: 16 | 32;
  reason: string;
}

let chosen: WebglPrecision | undefined;

/** 16 or 32: the bits of the float textures the WebGL backend trains in; undefined on wasm and cpu. */
export function webglPrecision(): 16 | 32 | undefined {
  return chosen?.bits;
}

/**
 * Makes tfjs store tensors at the precision GenLab's probe found. The flags are the ones
 * tfjs-backend-webgl 4.22 reads (flags_webgl.ts), set explicitly so that a value cached from an
 * earlier context cannot linger after a restart.
 */
function setPrecisionFlags(float32: boolean): void {
  const env = tf.env();
  env.set('WEBGL_FORCE_F16_TEXTURES', !float32);
  env.set('WEBGL_RENDER_FLOAT32_ENABLED', float32);
  // tfjs's own rule: tensors of ≤ 4 values go up as uniforms only with float32 textures, since
  // float16 texels compare badly with float32 uniforms.
  env.set('WEBGL_SIZE_UPLOAD_UNIFORM', float32 ? 4 : 0);
}

/**
 * Replaces the active WebGL backend's floatPrecision(), which tfjs 4.22 gets backwards (#6980):
 * 16 whenever float32 rendering is on, and 32 when it is off, since its underflow check
 * abs(1e-8) runs on the CPU (WEBGL_CPU_FORWARD takes small tensors there). epsilon(), the ε of
 * Adam, RMSProp, Adagrad, Adadelta and Adamax, follows it: 1e-7 at 32 bits, 1e-4 at 16. With
 * 1e-7 on 16-bit textures Adam's m̂/(√v̂ + ε) blows up once v̂ underflows to 0: the default VAE's
 * loss was NaN at step 2 with stock tfjs and float16 forced (test/browser/precision.test.ts).
 */
function pinFloatPrecision(bits: 16 | 32): void {
  (tf.backend() as unknown as { floatPrecision(): 16 | 32 }).floatPrecision = () => bits;
}

async function trySmokeTest(): Promise<void> {
  const t = tf.tidy(() => tf.sum(tf.mul(tf.tensor1d([1, 2, 3]), tf.tensor1d([4, 5, 6]))));
  const v = (await t.data())[0];
  t.dispose();
  if (v !== 32) throw new Error(`a test computation gave ${v} instead of 32`);
}

/** Starts the first backend in backendOrder that works and is not disabled. */
export async function startBackend(disabled: readonly BackendName[], wasmBase: string): Promise<BackendChoice> {
  const skipped: string[] = [];
  chosen = undefined;
  setWasmPaths(wasmBase);
  // One probe context tells both the renderer (software or GPU: the order) and float32 support.
  const probe = disabled.includes('webgl') ? undefined : probeFloat32Render();
  const { order, software } = backendOrder(disabled, probe?.renderer);
  for (const name of order) {
    if (disabled.includes(name)) {
      skipped.push(`${name}: disabled in settings`);
      continue;
    }
    try {
      let precision: WebglPrecision | undefined;
      if (name === 'webgl' && probe) {
        precision = { bits: probe.float32 ? 32 : 16, reason: probe.reason };
        setPrecisionFlags(probe.float32);
      }
      // Shapes as uniforms: one compiled WebGL program serves every batch size, so evaluation
      // and views do not trigger fresh shader compiles on the main thread.
      if (name === 'webgl') tf.env().set('WEBGL_USE_SHAPES_UNIFORMS', true);
      const ok = await tf.setBackend(name);
      if (!ok || tf.getBackend() !== name) throw new Error(name === 'webgl' ? 'no WebGL context could be created' : 'it failed to initialize');
      await tf.ready();
      if (precision) pinFloatPrecision(precision.bits);
      await trySmokeTest();
      // tfjs-backend-wasm 4.22 has no conv filter gradient; cpu's is slow (see core/kernels).
      if (name !== 'webgl') completeKernels(name);
      // On WebGL: a matrix product with cheaper texel reads and Adam in 3 passes per weight
      // instead of 14 (bench/browserCompare.ts: with tfjs's own two, the VAE step is 0.55× as fast).
      else {
        registerWebglMatMul();
        registerWebglAdam();
      }
      if (precision) {
        chosen = precision;
        const b = tf.backend();
        console.info(`GenLab: WebGL trains with ${precision.bits}-bit float textures (${precision.reason}); tf floatPrecision() ${b.floatPrecision()}, epsilon() ${b.epsilon()}`);
      }
      return { backend: name, skipped, ...(precision ? { precision } : {}), ...(software && name === 'wasm' ? { software } : {}) };
    } catch (e) {
      skipped.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw new Error(skipped.join('; '));
}
