/** Network builders shared by the families: Keras-style sequential stacks from tf.layers. */
import * as tfl from '@tensorflow/tfjs-layers';

/** A dense layer of a multilayer perceptron. */
export interface DenseSpec {
  units: number;
  activation?: 'relu' | 'linear' | 'sigmoid' | 'tanh';
}

/** Builds a sequential MLP from `inputDim` through `layers`, named `${name}_0`, `${name}_1`, …. */
export function mlp(name: string, inputDim: number, layers: DenseSpec[], seed: number): tfl.Sequential {
  const model = tfl.sequential({ name });
  layers.forEach((spec, i) => {
    model.add(tfl.layers.dense({
      units: spec.units,
      activation: spec.activation ?? 'linear',
      inputShape: i === 0 ? [inputDim] : undefined,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + i }),
      name: `${name}_${i}`,
    }));
  });
  return model;
}
