/**
 * A rough per-kernel profile for WebGL without timer queries (SwiftShader has none): every kernel
 * of the backend is wrapped to wait, before and after it runs, for the GPU work queued so far, by
 * reading one pixel of a framebuffer of its own (Chromium's WebGL finish() only flushes; a
 * readPixels waits for all earlier commands), so that a kernel's time includes its GPU work. Slows training down; for finding where a step's time goes, not for speed.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Milliseconds and calls per "Kernel in-shapes" key, gathered while `wrapped` is on. */
export type KernelProfile = Record<string, { ms: number; calls: number }>;

const waiters = new WeakMap<WebGLRenderingContext, () => void>();

/** A function that returns once every command queued on `gl` so far has run. */
function waiter(gl: WebGLRenderingContext): () => void {
  let wait = waiters.get(gl);
  if (wait) return wait;
  const texture = gl.createTexture(), framebuffer = gl.createFramebuffer(), pixel = new Uint8Array(4);
  const previousTexture = gl.getParameter(gl.TEXTURE_BINDING_2D);
  gl.bindTexture(gl.TEXTURE_2D, texture);
  gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, 1, 1, 0, gl.RGBA, gl.UNSIGNED_BYTE, null);
  gl.bindTexture(gl.TEXTURE_2D, previousTexture);
  wait = () => {
    const previous = gl.getParameter(gl.FRAMEBUFFER_BINDING);
    gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0);
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);
    gl.bindFramebuffer(gl.FRAMEBUFFER, previous);
  };
  waiters.set(gl, wait);
  return wait;
}

/** Wraps every kernel of `backendName` to time it to completion; returns the profile (filled in place) and a restore function. */
export function profileKernels(backendName: string): { profile: KernelProfile; restore: () => void } {
  const profile: KernelProfile = {};
  const configs = tf.getKernelsForBackend(backendName);
  let depth = 0;
  for (const own of configs) {
    tf.unregisterKernel(own.kernelName, backendName);
    tf.registerKernel({
      ...own,
      kernelFunc: (args) => {
        if (depth > 0) return own.kernelFunc(args);
        const gl = (args.backend as unknown as { gpgpu?: { gl: WebGLRenderingContext } }).gpgpu?.gl;
        const finish = gl ? waiter(gl) : () => undefined;
        finish();
        const t0 = performance.now();
        depth++;
        try {
          return own.kernelFunc(args);
        } finally {
          depth--;
          finish();
          const key = `${own.kernelName} ${Object.values(args.inputs).map((t) => (t ? `[${t.shape.join(',')}]` : '-')).join(' ')}`;
          const entry = (profile[key] ??= { ms: 0, calls: 0 });
          entry.ms += performance.now() - t0;
          entry.calls++;
        }
      },
    });
  }
  const restore = () => configs.forEach((own) => { tf.unregisterKernel(own.kernelName, backendName); tf.registerKernel(own); });
  return { profile, restore };
}
