/**
 * A leaner WebGL matrix product. tfjs-backend-webgl 4.22's MatMulPackedProgram (mulmat_packed_gpu.ts)
 * turns every operand read in its inner loop into a flat texel index and a normalized texture
 * coordinate (packedUVfrom3D, integer divisions, texture()), which costs more than the
 * multiply-adds on a software rasterizer (SwiftShader: the VAE's products took 70% of a step).
 * When both operands are packed 2×2-texel matrices in the standard layout (texel (row/2, col/2)
 * at x = col/2, y = row/2: tfjs's getPackedMatrixTextureShapeWidthHeight), this kernel walks
 * them with texture coordinates computed from the loop index instead (tfjs's textures are
 * NEAREST-filtered, so a texel centre reads that texel exactly), with the same 2×2 swizzled
 * products and the same summation order as tfjs's shader. Anything else (batches above 1, odd sizes, WebGL 1,
 * other fused activations) goes to the backend's own kernel. Only tfjs-core API and the webgl
 * backend's runWebGLProgram/packTensor, reached through the kernel's backend object, are used.
 */
import * as tf from '@tensorflow/tfjs-core';
import { wrapKernel } from './wrap';

/** How the shader reads a packed operand: texel coordinates (x, y) from loop index i and output texel r or c, and the two swizzles. */
export interface OperandPlan {
  /** 'ki': texel x = k-index i, y = the output texel; 'ok': x = the output texel, y = i. */
  at: 'ki' | 'ok';
  swizzles: [string, string];
}

/**
 * The reads of A (M×K, or K×M with transposeA) and B (K×N, or N×K with transposeB), as in
 * tfjs's MatMulPackedProgram: out(2×2) += A.s0 * B.s0 + A.s1 * B.s1 over the shared texels.
 */
export function matMulPlan(transposeA: boolean, transposeB: boolean): { a: OperandPlan; b: OperandPlan } {
  return {
    a: transposeA ? { at: 'ok', swizzles: ['xxyy', 'zzww'] } : { at: 'ki', swizzles: ['xxzz', 'yyww'] },
    b: transposeB ? { at: 'ki', swizzles: ['xzxz', 'ywyw'] } : { at: 'ok', swizzles: ['xyxy', 'zwzw'] },
  };
}

/** tfjs's packed ReLU (unary_packed_op.ts), NaN kept. */
const RELU = `vec4 activation(vec4 x) {
  vec4 result = x * vec4(greaterThanEqual(x, vec4(0.0)));
  bvec4 isNaN = isnan(x);
  result.r = isNaN.r ? x.r : result.r; result.g = isNaN.g ? x.g : result.g;
  result.b = isNaN.b ? x.b : result.b; result.a = isNaN.a ? x.a : result.a;
  return result;
}`;

/** Width and height in texels of a packed operand's texture. */
export type TexelSize = readonly [number, number];

/**
 * The fragment shader body for a product with `sharedTexels` texels along K, reading A and B
 * (textures of `sizes.a` and `sizes.b` texels) at texel centres (x + ½) / width, (y + ½) / height
 * computed from the loop index: one multiply-add per read, which SwiftShader runs faster than
 * texelFetch (measured 128×784 by 784×400: tfjs 79 ms, texelFetch about 0.85× that, this 0.6×).
 */
export function matMulShader(sharedTexels: number, transposeA: boolean, transposeB: boolean, bias: boolean, relu: boolean, sizes: { a: TexelSize; b: TexelSize }): string {
  const { a, b } = matMulPlan(transposeA, transposeB);
  // 'ki': x = i, y = the output texel; 'ok': x = the output texel, y = i.
  const start = (p: OperandPlan, out: string) => (p.at === 'ki' ? `vec2(0, ${out})` : `vec2(${out}, 0)`);
  const step = (p: OperandPlan) => (p.at === 'ki' ? 'vec2(1, 0)' : 'vec2(0, 1)');
  const size = (t: TexelSize) => `vec2(${t[0]}, ${t[1]})`;
  return `${relu ? RELU : ''}
void main() {
  ivec3 rc = getOutputCoords();
  int r = rc.y / 2, c = rc.z / 2;
  vec2 aAt = (${start(a, 'r')} + 0.5) / ${size(sizes.a)}, aStep = ${step(a)} / ${size(sizes.a)};
  vec2 bAt = (${start(b, 'c')} + 0.5) / ${size(sizes.b)}, bStep = ${step(b)} / ${size(sizes.b)};
  vec4 result = vec4(0.0);
  for (int i = 0; i < ${sharedTexels}; i++) {
    vec4 a = texture(matrixA, aAt + float(i) * aStep);
    vec4 b = texture(matrixB, bAt + float(i) * bStep);
    result += (a.${a.swizzles[0]} * b.${b.swizzles[0]});
    result += (a.${a.swizzles[1]} * b.${b.swizzles[1]});
  }
  ${bias ? 'result += getBiasAtOutCoords();' : ''}
  ${relu ? 'result = activation(result);' : ''}
  setOutput(result);
}`;
}

/** The parts of tfjs-backend-webgl's MathBackendWebGL this kernel uses. */
interface WebglBackend {
  texData: { get(id: tf.DataId): { isPacked?: boolean; texture?: unknown; texShape?: number[]; shape: number[]; slice?: unknown } };
  packTensor(x: tf.TensorInfo): tf.TensorInfo;
  runWebGLProgram(program: object, inputs: tf.TensorInfo[], dtype: tf.DataType): tf.TensorInfo;
  disposeIntermediateTensorInfo(x: tf.TensorInfo): void;
}

type Attrs = { transposeA: boolean; transposeB: boolean; activation?: string };
const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

/** `x` as a packed matrix of `rows`×`cols` in the standard layout (packed here if it is not), or undefined. */
function packedMatrix(x: tf.TensorInfo, rows: number, cols: number, backend: WebglBackend, made: tf.TensorInfo[]): tf.TensorInfo | undefined {
  let t = x, d = backend.texData.get(x.dataId);
  if (!d.isPacked || d.texture == null) {
    t = backend.packTensor(x);
    made.push(t);
    d = backend.texData.get(t.dataId);
  }
  const s = d.shape, ts = d.texShape;
  const standard = d.isPacked && !d.slice && ts?.[0] === rows && ts?.[1] === cols && size(s.slice(0, -2)) === 1 && s[s.length - 2] === rows && s[s.length - 1] === cols;
  return standard ? { dataId: t.dataId, shape: s, dtype: t.dtype } : undefined;
}

/** The product through the lean shader, or undefined where it does not apply. */
function leanMatMul(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: unknown }): tf.TensorInfo | undefined {
  const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const { transposeA, transposeB, activation } = args.attrs as Attrs;
  const relu = activation === 'relu';
  if (!a || !b || preluActivationWeights || (activation && activation !== 'linear' && !relu)) return undefined;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || tf.env().getNumber('WEBGL_VERSION') !== 2) return undefined;
  if (size(a.shape.slice(0, -2)) !== 1 || size(b.shape.slice(0, -2)) !== 1) return undefined;
  const [ar, ac] = a.shape.slice(-2), [br, bc] = b.shape.slice(-2);
  const [m, k, n] = [transposeA ? ac : ar, transposeA ? ar : ac, transposeB ? br : bc];
  if ((transposeB ? bc : br) !== k || [m, k, n].some((d) => d % 2 !== 0 || d === 0)) return undefined;
  const backend = args.backend as WebglBackend;
  const made: tf.TensorInfo[] = [];
  try {
    const pa = packedMatrix(a, ar, ac, backend, made), pb = packedMatrix(b, br, bc, backend, made);
    if (!pa || !pb) return undefined;
    const program = {
      variableNames: bias ? ['matrixA', 'matrixB', 'bias'] : ['matrixA', 'matrixB'],
      outputShape: [1, m, n], packedInputs: true, packedOutput: true, enableShapeUniforms: tf.env().getBool('WEBGL_USE_SHAPES_UNIFORMS'),
      userCode: matMulShader(k / 2, transposeA, transposeB, !!bias, relu, { a: [ac / 2, ar / 2], b: [bc / 2, br / 2] }),
    };
    const out = backend.runWebGLProgram(program, bias ? [pa, pb, bias] : [pa, pb], 'float32');
    const outer = a.shape.length >= b.shape.length ? a.shape.slice(0, -2) : b.shape.slice(0, -2);
    const reshape = tf.getKernel('Reshape', 'webgl')!.kernelFunc;
    const shaped = reshape({ inputs: { x: out }, backend: args.backend as tf.KernelBackend, attrs: { shape: [...outer, m, n] } }) as tf.TensorInfo;
    backend.disposeIntermediateTensorInfo(out);
    return shaped;
  } finally {
    made.forEach((t) => backend.disposeIntermediateTensorInfo(t));
  }
}

/**
 * Makes the webgl backend's BatchMatMul and _FusedMatMul use the lean shader where it applies
 * (see above). Does nothing without a registered webgl backend; a second call changes nothing.
 * Returns a function that restores tfjs's own kernels.
 */
export function registerWebglMatMul(): () => void {
  const restores = ['BatchMatMul', '_FusedMatMul'].map((kernelName) =>
    wrapKernel(kernelName, 'webgl', 'genlabWebglOriginal', (own) => (args) => leanMatMul(args) ?? own.kernelFunc(args)));
  return () => restores.forEach((r) => r());
}
