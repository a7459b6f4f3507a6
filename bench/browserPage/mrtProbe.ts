/**
 * The second page of bench/swiftshaderFetch.ts: raw WebGL2, no tfjs. Times the VAE's largest product
 * (128×784 by 784×400, both operands packed 2×2 a texel as tfjs packs them) when each fragment
 * writes 1 output texel (tfjs's shape, GenLab's webglMatMul.ts loop) and when it writes a block of
 * rows×cols texels to rows·cols render targets (WebGL2 drawBuffers), which reads each operand
 * texel once per block instead of once per output texel: per shared texel a fragment reads
 * rows + cols texels for 4·rows·cols outputs, against 2 reads for 4.
 * Exposes window.genlabMrt.run(repeats) → { variant: { ms, maxError } }.
 */

const [M, K, N] = [128, 784, 400];
const [AW, AH, BW, BH] = [K / 2, M / 2, N / 2, K / 2]; // texels: A is x = k, y = row; B is x = col, y = k

const VERTEX = `#version 300 es
in vec2 corner;
void main() { gl_Position = vec4(corner, 0.0, 1.0); }`;

/** The fragment shader writing a block of `rows`×`cols` output texels, one per render target. */
function fragment(rows: number, cols: number): string {
  const lines: string[] = [];
  const outs = rows * cols;
  for (let t = 0; t < outs; t++) lines.push(`layout(location = ${t}) out vec4 out${t};`);
  const reads: string[] = [], sums: string[] = [], decl: string[] = [];
  for (let j = 0; j < rows; j++) reads.push(`    vec4 a${j} = texture(matrixA, aAt + vec2(0.0, ${j}.0 * aRow) + float(i) * aStep);`);
  for (let l = 0; l < cols; l++) reads.push(`    vec4 b${l} = texture(matrixB, bAt + vec2(${l}.0 * bCol, 0.0) + float(i) * bStep);`);
  for (let j = 0; j < rows; j++) {
    for (let l = 0; l < cols; l++) {
      const t = j * cols + l;
      decl.push(`  vec4 r${t} = vec4(0.0);`);
      sums.push(`    r${t} += a${j}.xxzz * b${l}.xyxy;\n    r${t} += a${j}.yyww * b${l}.zwzw;`);
    }
  }
  const writes = Array.from({ length: outs }, (_, t) => `  out${t} = r${t};`);
  return `#version 300 es
precision highp float;
precision highp int;
uniform sampler2D matrixA;
uniform sampler2D matrixB;
${lines.join('\n')}
void main() {
  int r = int(gl_FragCoord.y) * ${rows}, c = int(gl_FragCoord.x) * ${cols};
  float aRow = 1.0 / ${AH}.0, bCol = 1.0 / ${BW}.0;
  vec2 aAt = (vec2(0, r) + 0.5) / vec2(${AW}, ${AH}), aStep = vec2(1, 0) / vec2(${AW}, ${AH});
  vec2 bAt = (vec2(c, 0) + 0.5) / vec2(${BW}, ${BH}), bStep = vec2(0, 1) / vec2(${BW}, ${BH});
${decl.join('\n')}
  for (int i = 0; i < ${K / 2}; i++) {
${reads.join('\n')}
${sums.join('\n')}
  }
${writes.join('\n')}
}`;
}

function compile(gl: WebGL2RenderingContext, vs: string, fs: string): WebGLProgram {
  const program = gl.createProgram()!;
  for (const [type, src] of [[gl.VERTEX_SHADER, vs], [gl.FRAGMENT_SHADER, fs]] as const) {
    const s = gl.createShader(type)!;
    gl.shaderSource(s, src);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(s) ?? 'compile failed');
    gl.attachShader(program, s);
  }
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(program) ?? 'link failed');
  return program;
}

function texture(gl: WebGL2RenderingContext, w: number, h: number, data: Float32Array | null): WebGLTexture {
  const t = gl.createTexture()!;
  gl.bindTexture(gl.TEXTURE_2D, t);
  for (const p of [gl.TEXTURE_MIN_FILTER, gl.TEXTURE_MAG_FILTER]) gl.texParameteri(gl.TEXTURE_2D, p, gl.NEAREST);
  for (const p of [gl.TEXTURE_WRAP_S, gl.TEXTURE_WRAP_T]) gl.texParameteri(gl.TEXTURE_2D, p, gl.CLAMP_TO_EDGE);
  gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA32F, w, h, 0, gl.RGBA, gl.FLOAT, data);
  return t;
}

/** Packs a row-major rows×cols matrix 2×2 a texel (texel (x, y) holds rows 2y, 2y+1 × cols 2x, 2x+1 as xy/zw). */
function pack(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let y = 0; y < rows / 2; y++) {
    for (let x = 0; x < cols / 2; x++) {
      const o = (y * (cols / 2) + x) * 4;
      out[o] = m[2 * y * cols + 2 * x]; out[o + 1] = m[2 * y * cols + 2 * x + 1];
      out[o + 2] = m[(2 * y + 1) * cols + 2 * x]; out[o + 3] = m[(2 * y + 1) * cols + 2 * x + 1];
    }
  }
  return out;
}

async function run(repeats: number): Promise<Record<string, { ms: number; maxError: number }>> {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl || !gl.getExtension('EXT_color_buffer_float')) throw new Error('no WebGL2 with float render targets');
  const a = Float32Array.from({ length: M * K }, () => Math.random() - 0.5);
  const b = Float32Array.from({ length: K * N }, () => Math.random() - 0.5);
  const want = new Float64Array(M * N);
  for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) want[i * N + j] += a[i * K + k] * b[k * N + j];
  const texA = texture(gl, AW, AH, pack(a, M, K)), texB = texture(gl, BW, BH, pack(b, K, N));
  const quad = gl.createBuffer()!;
  gl.bindBuffer(gl.ARRAY_BUFFER, quad);
  gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
  const maxTargets = gl.getParameter(gl.MAX_DRAW_BUFFERS) as number;
  const out: Record<string, { ms: number; maxError: number }> = {};
  const shapes: [number, number][] = [[1, 1], [1, 2], [2, 1], [2, 2], [2, 4], [4, 2], [1, 8], [1, 1]];
  for (const [rows, cols] of shapes.filter(([r, c]) => r * c <= maxTargets)) {
    const program = compile(gl, VERTEX, fragment(rows, cols));
    gl.useProgram(program);
    const loc = gl.getAttribLocation(program, 'corner');
    gl.enableVertexAttribArray(loc);
    gl.vertexAttribPointer(loc, 2, gl.FLOAT, false, 0, 0);
    gl.uniform1i(gl.getUniformLocation(program, 'matrixA'), 0);
    gl.uniform1i(gl.getUniformLocation(program, 'matrixB'), 1);
    const [w, h] = [BW / cols, AH / rows];
    const targets = Array.from({ length: rows * cols }, () => texture(gl, w, h, null));
    gl.activeTexture(gl.TEXTURE0); gl.bindTexture(gl.TEXTURE_2D, texA); // after the targets, whose creation binds them
    gl.activeTexture(gl.TEXTURE1); gl.bindTexture(gl.TEXTURE_2D, texB);
    gl.activeTexture(gl.TEXTURE2);
    const fb = gl.createFramebuffer()!;
    gl.bindFramebuffer(gl.FRAMEBUFFER, fb);
    targets.forEach((t, i) => gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0 + i, gl.TEXTURE_2D, t, 0));
    gl.drawBuffers(targets.map((_, i) => gl.COLOR_ATTACHMENT0 + i));
    gl.viewport(0, 0, w, h);
    const status = gl.checkFramebufferStatus(gl.FRAMEBUFFER);
    if (status !== gl.FRAMEBUFFER_COMPLETE) throw new Error(`framebuffer ${rows}x${cols} incomplete: 0x${status.toString(16)}`);
    const pixel = new Float32Array(4);
    const once = () => {
      gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
      gl.readBuffer(gl.COLOR_ATTACHMENT0);
      gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.FLOAT, pixel); // waits for the draw
    };
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    const drawError = gl.getError();
    if (drawError) throw new Error(`WebGL error 0x${drawError.toString(16)} drawing ${rows}x${cols}`);
    once();
    const error = gl.getError();
    if (error) throw new Error(`WebGL error 0x${error.toString(16)} in ${rows}x${cols}`);
    let maxError = 0;
    targets.forEach((_, t) => {
      const got = new Float32Array(w * h * 4);
      gl.readBuffer(gl.COLOR_ATTACHMENT0 + t);
      gl.readPixels(0, 0, w, h, gl.RGBA, gl.FLOAT, got);
      const [j, l] = [Math.floor(t / cols), t % cols];
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const [tr, tc] = [y * rows + j, x * cols + l]; // output texel
          for (let q = 0; q < 4; q++) {
            const [i, k] = [2 * tr + (q >> 1), 2 * tc + (q & 1)];
            maxError = Math.max(maxError, Math.abs(got[(y * w + x) * 4 + q] - want[i * N + k]));
          }
        }
      }
    });
    const t0 = performance.now();
    for (let i = 0; i < repeats; i++) once();
    const ms = (performance.now() - t0) / repeats;
    const name = `${rows}x${cols}`;
    out[name] = { ms: Math.min(out[name]?.ms ?? Infinity, ms), maxError };
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    targets.forEach((t) => gl.deleteTexture(t));
    gl.deleteFramebuffer(fb);
    gl.deleteProgram(program);
  }
  return out;
}

(window as unknown as { genlabMrt: unknown }).genlabMrt = { run };
