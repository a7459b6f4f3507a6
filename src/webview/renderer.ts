/**
 * Whether WebGL here is drawn by a software rasterizer (SwiftShader, llvmpipe…) rather than a
 * GPU. Chromium and Electron fall back to SwiftShader when a machine has no usable GPU (VMs,
 * remote desktops, blocklisted drivers); WebGL then runs shaders on the CPU, and tfjs's wasm
 * backend trains faster on the same cores: the VAE 784-400-20 at batch 128 in headless Chromium
 * 156 on 2 cores took 870 samples/s on webgl and 4,018 on wasm (bench/browserCompare.ts,
 * bench/results/browser.json). The renderer string comes from precision.ts's probe context.
 */
import { BACKENDS, type BackendName } from '../shared/protocol';

/** Renderer names of software rasterizers, as WebGL reports them (e.g. "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)…)"). */
export const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software rasterizer|microsoft basic render/i;

/** The software renderer's name, if `renderer` (WebGL's renderer string) is one. */
export function softwareRendererName(renderer: string): string | undefined {
  const m = SOFTWARE_RENDERER.exec(renderer);
  if (!m) return undefined;
  return /swiftshader/i.test(m[0]) ? 'SwiftShader' : m[0];
}

/**
 * The order to try backends in: webgl → wasm → cpu, except that wasm goes first when WebGL is
 * drawn by a software rasterizer (there wasm trains several times faster on the same cores) and
 * neither is disabled; `software` names the rasterizer then.
 */
export function backendOrder(disabled: readonly BackendName[], renderer: string | undefined): { order: BackendName[]; software?: string } {
  const software = disabled.includes('webgl') || disabled.includes('wasm') ? undefined : softwareRendererName(renderer ?? '');
  return software ? { order: ['wasm', 'webgl', 'cpu'], software } : { order: [...BACKENDS] };
}
