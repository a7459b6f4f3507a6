// Builds GenLab: the bundled data, the extension host bundle (Node, CommonJS) and the
// webview bundle (browser, ESM build of tfjs), plus the wasm binaries the fallback loads.
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const production = process.argv.includes('--production');
const common = { bundle: true, minify: production, sourcemap: !production, logLevel: 'warning' };

rmSync('dist', { recursive: true, force: true });
if (!existsSync('media/data/mnist-images-idx3-ubyte.gz')) {
  execFileSync(process.execPath, ['scripts/make-mnist.mjs'], { stdio: 'inherit' });
}

await Promise.all([
  esbuild.build({
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    // jsonc-parser's node entry is a UMD wrapper whose requires esbuild cannot follow, and
    // tfjs's node entries are not marked side-effectful; the ES-module entries bundle cleanly.
    mainFields: ['module', 'main'],
    format: 'cjs',
    target: 'node18',
    external: ['vscode'],
  }),
  esbuild.build({
    ...common,
    entryPoints: ['src/webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
  }),
  esbuild.build({
    ...common,
    entryPoints: ['src/cli/main.ts'].filter(existsSync),
    outfile: 'dist/cli.js',
    platform: 'node',
    // tfjs's node entries are not marked side-effectful, so esbuild would drop the backends'
    // registration; their ES-module entries are.
    mainFields: ['module', 'main'],
    format: 'cjs',
    target: 'node18',
  }),
]);

mkdirSync('dist/wasm', { recursive: true });
// The threaded build needs cross-origin isolation, which a webview does not have.
for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) {
  cpSync(`node_modules/@tensorflow/tfjs-backend-wasm/dist/${f}`, `dist/wasm/${f}`);
}
console.log(`built dist/ (${production ? 'production' : 'development'})`);
