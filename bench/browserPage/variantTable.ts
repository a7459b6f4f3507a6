/** The named GenLab variants bench/browserCompare.ts can measure (--variants a,b), each against GenLab as it ships. */
import type { BackendName } from '../../src/shared/protocol';
import { combine, type Variant } from './variants';

/** A variant to measure: on which backend, how it reads, what it changes. */
export interface NamedVariant {
  backend: BackendName;
  label: string;
  readEvery?: number;
  variant: Variant;
}

/** Every variant, by the name --variants takes; "a+b" names both together. */
export const VARIANTS: Record<string, NamedVariant> = {
  read1: { backend: 'webgl', label: 'loss read every step', readEvery: 1, variant: {} },
  read20: { backend: 'webgl', label: 'loss read every 20 steps', readEvery: 20, variant: {} },
  nopack: { backend: 'webgl', label: 'WEBGL_PACK off', variant: { flags: { WEBGL_PACK: false } } },
  noshapes: { backend: 'webgl', label: 'shapes uniforms off', variant: { flags: { WEBGL_USE_SHAPES_UNIFORMS: false } } },
  flush: { backend: 'webgl', label: 'WEBGL_FLUSH_THRESHOLD 0', variant: { flags: { WEBGL_FLUSH_THRESHOLD: 0 } } },
  stock: { backend: 'webgl', label: "tfjs's own matMul and Adam", variant: { stockMatMul: true, stockAdam: true } },
  stockMatMul: { backend: 'webgl', label: "tfjs's own matMul", variant: { stockMatMul: true } },
  stockAdam: { backend: 'webgl', label: "tfjs's own Adam", variant: { stockAdam: true } },
  transposes: { backend: 'webgl', label: 'explicit transposes', variant: { explicitTransposes: true } },
};

/** The variant `name` names, "a+b" combining a and b (same backend; read interval of the last that sets one). */
export function variantByName(name: string): NamedVariant | undefined {
  const parts = name.split('+').map((n) => VARIANTS[n]);
  if (parts.some((p) => !p)) return undefined;
  return parts.reduce((a, b) => ({ backend: a.backend, label: `${a.label} + ${b.label}`, readEvery: b.readEvery ?? a.readEvery, variant: combine(a.variant, b.variant) }));
}
