/**
 * Changes to GenLab's WebGL setup that the browser benchmark measures against its default:
 * tf.env flags, explicit transposes for matMul (src/core/kernels/matmul.ts, as on wasm) and
 * the fused Adam update (src/core/kernels/webglAdam.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DeviceData } from '../../src/core/data/deviceData';
import type { ImageSet } from '../../src/core/data/dataset';
import { registerFastMatMul } from '../../src/core/kernels/matmul';
import { registerWebglMatMul } from '../../src/core/kernels/webglMatMul';
import { FusedAdam, registerWebglAdam } from '../../src/core/kernels/webglAdam';

/** A variant of GenLab's setup; every field absent means GenLab as it ships. */
export interface Variant {
  /** tf.env flags set after the backend started, e.g. { WEBGL_PACK: false }. */
  flags?: Record<string, number | boolean>;
  /** Transposed matMul operands laid out by an explicit Transpose (registerFastMatMul) on this backend too. */
  explicitTransposes?: boolean;
  /** The data set scaled to [0, 1] on the CPU and uploaded as float32, so that WebGL keeps it unpacked (proposed for DeviceData). */
  unpackedData?: boolean;
  /** The lean WebGL matMul of src/core/kernels/webglMatMul.ts. */
  leanMatMul?: boolean;
  /** Adam through the fused WebGL update of src/core/kernels/webglAdam.ts (what the proposed makeOptimizer change does). */
  fusedAdam?: boolean;
}

/** `a` and `b` together: flags merged, switches on when either has them. */
export function combine(a: Variant, b: Variant): Variant {
  return { flags: { ...a.flags, ...b.flags }, explicitTransposes: a.explicitTransposes || b.explicitTransposes, unpackedData: a.unpackedData || b.unpackedData, leanMatMul: a.leanMatMul || b.leanMatMul, fusedAdam: a.fusedAdam || b.fusedAdam };
}

/**
 * Replaces `data`'s inputs with the same images scaled on the CPU (what the proposed DeviceData
 * change does): an uploaded float32 tensor stays unpacked on WebGL, where the GPU division's
 * output is packed and tfjs's gather would unpack the whole set for every batch.
 */
export function uploadUnpacked(data: DeviceData, set: ImageSet): void {
  const scaled = new Float32Array(set.pixels.length);
  for (let i = 0; i < scaled.length; i++) scaled[i] = set.pixels[i] / 255;
  data.x.dispose();
  (data as { x: tf.Tensor2D }).x = tf.tensor2d(scaled, [set.count, data.features], 'float32');
}

/** Applies `variant` to the running `backend`. */
export function applyVariant(backend: string, variant: Variant): void {
  for (const [flag, value] of Object.entries(variant.flags ?? {})) tf.env().set(flag, value);
  if (variant.explicitTransposes) registerFastMatMul(backend);
  if (variant.leanMatMul && backend === 'webgl') registerWebglMatMul();
  if (variant.fusedAdam) {
    registerWebglAdam();
    // makeOptimizer (src/core/optimizers.ts) calls tf.train.adam(lr, β1, β2): hand it FusedAdam.
    tf.train.adam = ((lr = 0.001, b1 = 0.9, b2 = 0.999, eps?: number) => new FusedAdam(lr, b1, b2, eps)) as typeof tf.train.adam;
  }
}
