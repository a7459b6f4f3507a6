import { strict as assert } from 'node:assert';
import { backendOrder, softwareRendererName } from '../../src/webview/renderer';

describe('webview backend order: software WebGL', () => {
  const swiftShader = 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)';

  it('names software rasterizers and no GPU', () => {
    assert.equal(softwareRendererName(swiftShader), 'SwiftShader');
    assert.equal(softwareRendererName('Google SwiftShader'), 'SwiftShader');
    assert.equal(softwareRendererName('llvmpipe (LLVM 15.0.6, 256 bits)'), 'llvmpipe');
    assert.equal(softwareRendererName('ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)'), undefined);
    assert.equal(softwareRendererName('ANGLE (Intel, Mesa Intel(R) UHD Graphics 620 (KBL GT2), OpenGL 4.6)'), undefined);
    assert.equal(softwareRendererName('Apple M1'), undefined);
  });

  it('tries wasm first on a software renderer, unless either is disabled', () => {
    assert.deepEqual(backendOrder([], swiftShader), { order: ['wasm', 'webgl', 'cpu'], software: 'SwiftShader' });
    assert.deepEqual(backendOrder([], 'Apple M1'), { order: ['webgl', 'wasm', 'cpu'] });
    assert.deepEqual(backendOrder([], undefined), { order: ['webgl', 'wasm', 'cpu'] });
    assert.deepEqual(backendOrder(['wasm'], swiftShader), { order: ['webgl', 'wasm', 'cpu'] });
    assert.deepEqual(backendOrder(['webgl'], swiftShader), { order: ['webgl', 'wasm', 'cpu'] });
  });
});
