/**
 * Adam's update in three WebGL programs per weight instead of fourteen. tfjs-core 4.22's
 * AdamOptimizer.applyGradients (adam_optimizer.ts) runs, for every weight, 14 element-wise
 * kernels (m·β1 + g·(1−β1), v·β2 + g²·(1−β2), the two bias corrections, √, +ε, ÷, ·(−lr), +w),
 * each a draw call reading and writing the whole tensor. The kernel registered here computes
 * m′, v′ and w′ each in one pass, with the same operations in the same order (Kingma & Ba 2015,
 * Algorithm 1, in tfjs's form: w′ = w − lr·(m′/(1−β1ᵗ)) / (√(v′/(1−β2ᵗ)) + ε)). FusedAdam uses it
 * on webgl and is tfjs's Adam everywhere else; its state (moments, accBeta1, accBeta2,
 * iterations) is tfjs's, so checkpoints and setWeights are unchanged.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The kernel's name: inputs value, grad, m, v, accBeta1, accBeta2; attrs beta1, beta2, epsilon, learningRate; outputs [m′, v′, w′]. */
export const ADAM_KERNEL = 'GenLabAdamUpdate';

/** Attributes of ADAM_KERNEL. */
export interface AdamAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
}

/** The shader body for output `which` (0: m′, 1: v′, 2: w′), in vec4 (packed) or float. */
export function adamShader(which: 0 | 1 | 2, packed: boolean): string {
  const T = packed ? 'vec4' : 'float', s = packed ? '.x' : '';
  const moments = `
  ${T} g = getGradAtOutCoords();
  ${T} m = getMAtOutCoords() * beta1 + g * oneMinusBeta1;
  ${T} v = getVAtOutCoords() * beta2 + (g * g) * oneMinusBeta2;`;
  const out = [
    'm',
    'v',
    `(((m / (1.0 - getAccBeta1()${s})) / (sqrt(v / (1.0 - getAccBeta2()${s})) + epsilon)) * negativeLearningRate) + getValueAtOutCoords()`,
  ][which];
  return `void main() {${moments}
  setOutput(${out});
}`;
}

/** The parts of tfjs-backend-webgl's MathBackendWebGL this kernel uses. */
interface WebglBackend {
  runWebGLProgram(program: object, inputs: tf.TensorInfo[], dtype: tf.DataType, customUniformValues?: number[][]): tf.TensorInfo;
}

const UNIFORMS = ['beta1', 'oneMinusBeta1', 'beta2', 'oneMinusBeta2', 'epsilon', 'negativeLearningRate'];

function adamKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: unknown }): tf.TensorInfo[] {
  const { value, grad, m, v, accBeta1, accBeta2 } = args.inputs as Record<string, tf.TensorInfo>;
  const a = args.attrs as unknown as AdamAttrs;
  const packed = tf.env().getBool('WEBGL_PACK');
  const uniforms = [a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.epsilon, -a.learningRate].map((x) => [x]);
  const backend = args.backend as WebglBackend;
  return ([0, 1, 2] as const).map((which) => backend.runWebGLProgram({
    variableNames: ['value', 'grad', 'm', 'v', 'accBeta1', 'accBeta2'],
    outputShape: value.shape, packedInputs: packed, packedOutput: packed,
    enableShapeUniforms: tf.env().getBool('WEBGL_USE_SHAPES_UNIFORMS') && value.shape.length <= 4,
    customUniforms: UNIFORMS.map((name) => ({ name, type: 'float' })),
    userCode: adamShader(which, packed),
  }, [value, grad, m, v, accBeta1, accBeta2], 'float32', uniforms));
}

/** Registers ADAM_KERNEL on webgl, where that backend is registered; a second call changes nothing. */
export function registerWebglAdam(): void {
  if (!tf.findBackendFactory('webgl') || tf.getKernel(ADAM_KERNEL, 'webgl')) return;
  tf.registerKernel({ kernelName: ADAM_KERNEL, backendName: 'webgl', kernelFunc: adamKernel as unknown as tf.KernelFunc });
}

/** tfjs's Adam state, which the subclass reads (protected or private there). */
interface AdamState {
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  epsilon: number;
}

/** tfjs's Adam, updating through ADAM_KERNEL when the active backend has it. */
export class FusedAdam extends tf.AdamOptimizer {
  /** Applies one Adam step to the named variables' gradients. */
  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    if (!tf.getKernel(ADAM_KERNEL, tf.getBackend())) return super.applyGradients(variableGradients);
    const self = this as unknown as AdamState;
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        const moment = (list: AdamState['accumulatedFirstMoment'], suffix: string) =>
          (list[i] ??= { originalName: `${name}/${suffix}`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) }).variable;
        const m = moment(self.accumulatedFirstMoment, 'm'), v = moment(self.accumulatedSecondMoment, 'v');
        const grad = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
        if (grad == null) return;
        const attrs: AdamAttrs = { beta1: this.beta1, beta2: this.beta2, epsilon: self.epsilon, learningRate: this.learningRate };
        const [m2, v2, w2] = tf.engine().runKernel(ADAM_KERNEL, { value, grad, m, v, accBeta1: self.accBeta1, accBeta2: self.accBeta2 }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        m.assign(m2);
        v.assign(v2);
        value.assign(w2);
      });
      self.accBeta1.assign(tf.mul(self.accBeta1, this.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}
