/**
 * The page of bench/swiftshaderFetch.ts: times GenLab's WebGL matrix product (128×784 by 784×400,
 * webglMatMul.ts's shader) against two altered copies, to tell what bounds it on the WebGL at hand:
 * "alu" does twice the multiply-adds per texture read, "reads" twice the texture reads for 1.5× the
 * multiply-adds. If "reads" costs much more than "alu", the product is bound by texture reads, and
 * only more outputs per read (several render targets per fragment) would speed it up.
 * Exposes window.genlabProbe.run(repeats) → milliseconds per product by variant.
 */
import * as tf from '@tensorflow/tfjs-core';
import { startBackend } from '../../src/webview/backend';
import { matMulShader } from '../../src/core/kernels/webglMatMul';

/** The parts of tfjs-backend-webgl's MathBackendWebGL used here. */
interface WebglBackend {
  packTensor(x: tf.TensorInfo): tf.TensorInfo;
  runWebGLProgram(program: object, inputs: tf.TensorInfo[], dtype: tf.DataType): tf.TensorInfo;
  readSync(id: tf.DataId): ArrayLike<number>;
  disposeIntermediateTensorInfo(x: tf.TensorInfo): void;
}

const [M, K, N] = [128, 784, 400];

/** The shader of `variant`, from GenLab's: base, alu (2× multiply-adds a read) or reads (2× reads). */
function shader(variant: string): string {
  const base = matMulShader(K / 2, false, false, false, false, { a: [K / 2, M / 2], b: [N / 2, K / 2] });
  const body = /( {4}result \+= .*\n {4}result \+= .*\n)/.exec(base)![1];
  if (variant === 'alu') {
    return base.replace('vec4 result = vec4(0.0);', 'vec4 result = vec4(0.0), extra = vec4(0.0);')
      .replace(body, body + body.replace(/result/g, 'extra').replace(/\* b\./g, '* b.wzyx * b.'))
      .replace('setOutput(result);', 'setOutput(result + extra * 1e-30);');
  }
  if (variant === 'reads') {
    return base.replace(body, `    vec4 a2 = texture(matrixA, aAt + float(i ^ 1) * aStep);
    vec4 b2 = texture(matrixB, bAt + float(i ^ 1) * bStep);
${body}    result += (a2 * b2) * 1e-30;
`);
  }
  return base;
}

async function run(repeats: number): Promise<Record<string, number>> {
  const choice = await startBackend(['wasm', 'cpu'], '/wasm/');
  if (choice.backend !== 'webgl') throw new Error(`no WebGL: ${choice.skipped.join('; ')}`);
  const backend = tf.backend() as unknown as WebglBackend;
  const a = tf.randomNormal([M, K]), b = tf.randomNormal([K, N]);
  const pa = backend.packTensor(a), pb = backend.packTensor(b);
  const out: Record<string, number> = {};
  for (const variant of ['base', 'alu', 'reads', 'base']) {
    const program = { variableNames: ['matrixA', 'matrixB'], outputShape: [1, M, N], packedInputs: true, packedOutput: true, enableShapeUniforms: true, userCode: shader(variant) };
    const once = () => {
      const r = backend.runWebGLProgram(program, [pa, pb], 'float32');
      backend.readSync(r.dataId);
      backend.disposeIntermediateTensorInfo(r);
    };
    once(); // compiles
    const t0 = performance.now();
    for (let i = 0; i < repeats; i++) once();
    out[variant] = Math.min(out[variant] ?? Infinity, (performance.now() - t0) / repeats);
  }
  tf.dispose([a, b]);
  return out;
}

(window as unknown as { genlabProbe: unknown }).genlabProbe = { run };
