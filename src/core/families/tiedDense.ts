/**
 * Tied weights for autoencoders (as in Vincent et al. 2010, "Stacked Denoising Autoencoders",
 * §2.2: decoder W′ = Wᵀ): the decoder layer mirroring an encoder layer h = a(x·W + b), with
 * W of shape [in, out], computes x̂ = a′(h·Wᵀ + b′) with the *same* variable W and its own bias b′.
 *
 * TiedDense holds a reference to the encoder's Dense layer and reads its kernel at call time, so
 * there is one copy of W: gradients from both the encoder and the decoder path reach it. The
 * decoder's own weights are only its biases. For saving, the layer lists the shared kernel among
 * its non-trainable weights (the same variable, not a copy), so a saved decoder holds every value
 * it needs; loaded back without its encoder, the layer keeps that kernel as a weight of its own.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerVariable } from '@tensorflow/tfjs-layers';

type BaseArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/** Options of a TiedDense layer. */
export interface TiedDenseArgs extends BaseArgs {
  /** The encoder Dense layer whose kernel W this layer applies as Wᵀ; absent when loaded from a file. */
  tiedTo?: tfl.layers.Layer;
  /** Output size (the tied layer's input size); read from `tiedTo` when given. */
  units?: number;
  /** Activation name, as in a Dense layer ('linear', 'relu', …). */
  activation?: string;
  /**
   * The tied kernel variable's name, under which a saved decoder stores its values. An object,
   * because a saved config camel-cases every string value except those of "name" keys.
   */
  tiedKernel?: { name: string };
}

/** The kernel variable of a built Dense layer. */
export function kernelOf(layer: tfl.layers.Layer): LayerVariable {
  const kernel = layer.weights.find((w) => /(^|\/)kernel$/.test(w.originalName));
  if (!kernel) throw new Error(`layer ${layer.name} has no kernel to tie to`);
  return kernel;
}

/** A dense layer x ↦ a(x·Wᵀ + b) whose W is another layer's kernel, read at every call. */
export class TiedDense extends tfl.layers.Layer {
  /** The name a saved model uses for this layer class. */
  static className = 'TiedDense';
  /** Output size. */
  readonly units: number;
  /** Name of the kernel variable this layer applies (the encoder's). */
  readonly kernelName: string;
  private readonly activationName: string;
  private readonly activationLayer: tfl.layers.Layer;
  /** The encoder's kernel W, [units, input], when tied; undefined when loaded on its own. */
  private readonly shared?: LayerVariable;
  private ownKernel?: LayerVariable;
  private bias?: LayerVariable;

  /** A layer tied to `args.tiedTo`, or (from a saved config) one that owns a kernel of the same shape. */
  constructor(args: TiedDenseArgs) {
    const { tiedTo, units, activation, tiedKernel, ...base } = args;
    super(base);
    this.shared = tiedTo ? kernelOf(tiedTo) : undefined;
    const out = this.shared ? this.shared.shape[0] : units;
    if (!out) throw new Error('TiedDense needs the layer it is tied to, or "units"');
    this.units = out;
    this.kernelName = this.shared?.originalName ?? tiedKernel?.name ?? 'kernel';
    this.activationName = activation ?? 'linear';
    this.activationLayer = tfl.layers.activation({ activation: this.activationName as 'linear' });
  }

  /** Creates the bias b′ (and, with no encoder to read, a kernel of its own to load values into). */
  build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const inDim = shape[shape.length - 1] as number;
    if (this.shared) {
      if (this.shared.shape[1] !== inDim) throw new Error(`TiedDense ${this.name}: input size ${inDim} does not match the tied kernel ${this.shared.shape.join('×')}`);
    } else {
      this.ownKernel = this.addWeight('kernel', [this.units, inDim], 'float32', tfl.initializers.zeros(), undefined, false);
      // A saved decoder names this kernel after the encoder variable it shared; answer to that name on loading.
      (this.ownKernel as { originalName: string }).originalName = this.kernelName;
    }
    this.bias = this.addWeight('bias', [this.units], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  /** The kernel this layer applies transposed: the encoder's W, or its own copy when loaded alone. */
  get kernel(): LayerVariable {
    const k = this.shared ?? this.ownKernel;
    if (!k) throw new Error(`TiedDense ${this.name} is not built yet`);
    return k;
  }

  /** The weight matrix this layer multiplies by, Wᵀ ([input, units]); the caller disposes it. */
  effectiveKernel(): tf.Tensor2D {
    return tf.transpose(this.kernel.read()) as tf.Tensor2D;
  }

  /** a(x·Wᵀ + b′), with an explicit transpose (matMul's transpose flag is slow on wasm). */
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const pre = tf.add(tf.matMul(x as tf.Tensor2D, tf.transpose(this.kernel.read()) as tf.Tensor2D), (this.bias as LayerVariable).read());
      return this.activationLayer.apply(pre) as tf.Tensor;
    });
  }

  /** Same shape with the last dimension replaced by `units`. */
  computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    return [...shape.slice(0, -1), this.units];
  }

  /** The layer's own weights, plus the shared kernel (the encoder's variable itself), so that saving writes it. */
  get nonTrainableWeights(): LayerVariable[] {
    const own = super.nonTrainableWeights;
    return this.shared ? [...own, this.shared] : own;
  }

  /** Replaces the layer's own non-trainable weights (the base class's setter). */
  set nonTrainableWeights(weights: LayerVariable[]) {
    super.nonTrainableWeights = weights;
  }

  /** Frees only the weights this layer owns: the shared kernel belongs to the encoder. */
  protected disposeWeights(): number {
    const own = this.weights.filter((w) => w !== this.shared);
    own.forEach((w) => w.dispose());
    return own.length;
  }

  /** Serializable config: units, activation and the tied kernel's name. */
  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, activation: this.activationName, tiedKernel: { name: this.kernelName } };
  }
}
tf.serialization.registerClass(TiedDense);

/** The Dense layers of an encoder that may be tied: dense layers only, after an optional leading flatten. */
export function tiedEncoderLayers(encoder: tfl.Sequential): tfl.layers.Layer[] {
  const layers = encoder.layers;
  layers.forEach((layer, i) => {
    const type = layer.getClassName();
    if (type === 'Dense' || (type === 'Flatten' && i === 0)) return;
    throw new Error(`tied weights need an encoder of dense layers (a flatten may come first), but encoder layer ${i} is ${type}: use dense layers only, or set "tiedWeights": false`);
  });
  const dense = layers.filter((l) => l.getClassName() === 'Dense');
  if (dense.length === 0) throw new Error('tied weights need an encoder with at least one dense layer');
  return dense;
}

/**
 * The decoder tied to `encoder`: its dense layers in reverse order, each applying the transpose
 * of the encoder kernel. Layer k of the decoder mirrors encoder layer j and outputs that layer's
 * input, so it takes the activation of encoder layer j − 1 (the one that produced that input);
 * the last decoder layer is linear (logits or real values).
 */
export function buildTiedDecoder(name: string, encoder: tfl.Sequential, latentDim: number): tfl.Sequential {
  const dense = tiedEncoderLayers(encoder);
  const activationOf = (l: tfl.layers.Layer) => String(l.getConfig().activation ?? 'linear');
  const decoder = tfl.sequential({ name });
  for (let k = 0; k < dense.length; k++) {
    const j = dense.length - 1 - k;
    decoder.add(new TiedDense({
      tiedTo: dense[j],
      activation: j > 0 ? activationOf(dense[j - 1]) : 'linear',
      name: `${name}_${k}`,
      ...(k === 0 ? { inputShape: [latentDim] } : {}),
    }));
  }
  return decoder;
}
