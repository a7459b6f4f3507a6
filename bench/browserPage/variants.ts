/**
 * Changes to GenLab's WebGL setup that the browser benchmark measures against its default:
 * tf.env flags, explicit transposes for matMul (src/core/kernels/matmul.ts, as on wasm), and
 * tfjs's own matMul or Adam in place of GenLab's WebGL kernels (what each of those brings).
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerFastMatMul } from '../../src/core/kernels/matmul';
import { registerWebglMatMul } from '../../src/core/kernels/webglMatMul';
import { ADAM_KERNEL } from '../../src/core/kernels/webglAdam';

/** A variant of GenLab's setup; every field absent means GenLab as it ships. */
export interface Variant {
  /** tf.env flags set after the backend started, e.g. { WEBGL_PACK: false }. */
  flags?: Record<string, number | boolean>;
  /** Transposed matMul operands laid out by an explicit Transpose (registerFastMatMul) on this backend too. */
  explicitTransposes?: boolean;
  /** tfjs's own WebGL matMul instead of GenLab's (src/core/kernels/webglMatMul.ts). */
  stockMatMul?: boolean;
  /** tfjs's own Adam update (14 kernels a weight) instead of GenLab's fused one (src/core/kernels/webglAdam.ts). */
  stockAdam?: boolean;
}

/** `a` and `b` together: flags merged, switches on when either has them. */
export function combine(a: Variant, b: Variant): Variant {
  return { flags: { ...a.flags, ...b.flags }, explicitTransposes: a.explicitTransposes || b.explicitTransposes, stockMatMul: a.stockMatMul || b.stockMatMul, stockAdam: a.stockAdam || b.stockAdam };
}

/** Applies `variant` to the running `backend`, after GenLab's startBackend. */
export function applyVariant(backend: string, variant: Variant): void {
  for (const [flag, value] of Object.entries(variant.flags ?? {})) tf.env().set(flag, value);
  if (variant.explicitTransposes) registerFastMatMul(backend);
  // registerWebglMatMul returns the function that puts tfjs's kernels back.
  if (variant.stockMatMul && backend === 'webgl') registerWebglMatMul()();
  if (variant.stockAdam && tf.getKernel(ADAM_KERNEL, 'webgl')) tf.unregisterKernel(ADAM_KERNEL, 'webgl');
}
