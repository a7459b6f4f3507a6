/**
 * Whether this device can really render float32: GenLab's own probe, since tfjs 4.22 reports
 * the WebGL float precision inverted (tfjs issue #6980: MathBackendWebGL.floatPrecision() says 16
 * on float32 GPUs and 32 on float16 ones; see backend.ts).
 *
 * The probe does what tfjs's storage needs, end to end, on a context of its own: WebGL2 with
 * EXT_color_buffer_float (WebGL 2.0 §5.14 / the extension's spec: RGBA32F is color-renderable
 * only with it), or WebGL1 with OES_texture_float + WEBGL_color_buffer_float; an RGBA32F
 * framebuffer that is complete; a highp fragment shader that writes values a 16-bit float
 * cannot hold; and a readPixels(RGBA, FLOAT) that gives them back exactly.
 */

/**
 * The probe's verdict: `float32` when float32 textures render exactly; `reason` says why in one
 * line; `renderer` is the context's renderer string (the unmasked one where the browser gives it).
 */
export interface FloatRenderProbe {
  float32: boolean;
  reason: string;
  renderer?: string;
}

/**
 * Values a 16-bit float cannot hold (IEEE 754 binary16: 11-bit significand, max 65504,
 * smallest subnormal 2^−24 ≈ 6e−8): 1 + 2^−20 rounds to 1, 70000 overflows, 1e−8 flushes to 0.
 */
const PROBE_VALUES = [1 + 2 ** -20, 70000, 1e-8, -1 / 3] as const;

/** Context attributes as tfjs-backend-webgl's canvas_util asks for them. */
const ATTRIBUTES: WebGLContextAttributes = {
  alpha: false, antialias: false, premultipliedAlpha: false, preserveDrawingBuffer: false,
  depth: false, stencil: false, failIfMajorPerformanceCaveat: true,
};

const VERTEX = 'attribute vec2 p; void main() { gl_Position = vec4(p, 0.0, 1.0); }';
// GLSL ES 1.00 runs on both WebGL versions and may write to a float color buffer in WebGL2.
const FRAGMENT = 'precision highp float; uniform vec4 v; void main() { gl_FragColor = v; }';

type GL = WebGLRenderingContext | WebGL2RenderingContext;

/** A 1×1 canvas for a probe context (offscreen where the browser has it), or undefined outside a browser. */
export function makeCanvas(): HTMLCanvasElement | OffscreenCanvas | undefined {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(1, 1);
  if (typeof document !== 'undefined') return Object.assign(document.createElement('canvas'), { width: 1, height: 1 });
  return undefined;
}

function compile(gl: GL, type: number, source: string): WebGLShader | string {
  const shader = gl.createShader(type);
  if (!shader) return 'a shader could not be created';
  gl.shaderSource(shader, source);
  gl.compileShader(shader);
  if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) return `a highp shader did not compile (${gl.getShaderInfoLog(shader)?.trim() ?? ''})`;
  return shader;
}

/** Renders PROBE_VALUES into a 1×1 RGBA float texture of `gl` and reads them back; a string says what failed. */
function renderFloats(gl: GL, webgl2: boolean): Float32Array | string {
  const texture = gl.createTexture();
  gl.bindTexture(gl.TEXTURE_2D, texture);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
  const internal = webgl2 ? (gl as WebGL2RenderingContext).RGBA32F : gl.RGBA;
  gl.texImage2D(gl.TEXTURE_2D, 0, internal, 1, 1, 0, gl.RGBA, gl.FLOAT, null);
  const framebuffer = gl.createFramebuffer();
  gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer);
  gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0);
  const status = gl.checkFramebufferStatus(gl.FRAMEBUFFER);
  if (status !== gl.FRAMEBUFFER_COMPLETE) return `an RGBA32F framebuffer is incomplete (status 0x${status.toString(16)})`;
  const vs = compile(gl, gl.VERTEX_SHADER, VERTEX);
  const fs = compile(gl, gl.FRAGMENT_SHADER, FRAGMENT);
  if (typeof vs === 'string') return vs;
  if (typeof fs === 'string') return fs;
  const program = gl.createProgram() as WebGLProgram;
  gl.attachShader(program, vs);
  gl.attachShader(program, fs);
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) return `the probe program did not link (${gl.getProgramInfoLog(program)?.trim() ?? ''})`;
  gl.useProgram(program);
  gl.bindBuffer(gl.ARRAY_BUFFER, gl.createBuffer());
  gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 3, -1, -1, 3]), gl.STATIC_DRAW); // one triangle over the pixel
  const at = gl.getAttribLocation(program, 'p');
  gl.enableVertexAttribArray(at);
  gl.vertexAttribPointer(at, 2, gl.FLOAT, false, 0, 0);
  gl.uniform4fv(gl.getUniformLocation(program, 'v'), PROBE_VALUES as unknown as number[]);
  gl.viewport(0, 0, 1, 1);
  gl.drawArrays(gl.TRIANGLES, 0, 3);
  const out = new Float32Array(4);
  gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.FLOAT, out);
  const error = gl.getError();
  if (error !== gl.NO_ERROR) return `rendering to a float32 texture raised GL error 0x${error.toString(16)}`;
  return out;
}

/** The renderer string of `gl`: the unmasked one (WEBGL_debug_renderer_info) where the browser gives it. */
function rendererOf(gl: GL): string {
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
}

/**
 * Probes float32 rendering, and reads the renderer, on a throwaway context, which it releases
 * (WEBGL_lose_context) before returning: one context for both, besides tfjs's own.
 */
export function probeFloat32Render(): FloatRenderProbe {
  const canvas = makeCanvas();
  if (!canvas) return { float32: false, reason: 'no canvas to probe WebGL on' };
  const gl2 = canvas.getContext('webgl2', ATTRIBUTES) as GL | null;
  const webgl2 = gl2 !== null;
  const gl = gl2 ?? (canvas.getContext('webgl', ATTRIBUTES) as GL | null);
  if (!gl) return { float32: false, reason: 'no WebGL context' };
  try {
    return { ...probeFloats(gl, webgl2), renderer: rendererOf(gl) };
  } finally {
    gl.getExtension('WEBGL_lose_context')?.loseContext(); // frees the context now, not at garbage collection
  }
}

/** The float32 verdict on context `gl`. */
function probeFloats(gl: GL, webgl2: boolean): FloatRenderProbe {
  const needed = webgl2 ? ['EXT_color_buffer_float'] : ['OES_texture_float', 'WEBGL_color_buffer_float'];
  const missing = needed.filter((name) => gl.getExtension(name) === null);
  if (missing.length) return { float32: false, reason: `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing` };
  const got = renderFloats(gl, webgl2);
  if (typeof got === 'string') return { float32: false, reason: got };
  const wrong = PROBE_VALUES.findIndex((want, i) => !(Math.abs(got[i] - Math.fround(want)) <= 1e-6 * Math.abs(want)));
  if (wrong >= 0) return { float32: false, reason: `a float32 render gave back ${got[wrong]} for ${Math.fround(PROBE_VALUES[wrong])}` };
  return { float32: true, reason: `${webgl2 ? 'WebGL2' : 'WebGL1'} rendered and read back float32 values exactly` };
}
