/**
 * Benchmark (not a test): would several render targets a fragment speed up the VAE's WebGL product
 * in this browser? Raw WebGL2 (bench/browserPage/mrtProbe.ts): ms per 128×784 by 784×400 product
 * when a fragment writes 1 output texel, as tfjs and GenLab's webglMatMul.ts do, and when it writes
 * a block of rows×cols texels to as many render targets.
 *   npx tsx bench/swiftshaderMrt.ts [--repeats 20]
 */
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../test/browser/harness';
import { buildPage, serveBench } from './browserPage/serve';

const i = process.argv.indexOf('--repeats');
const repeats = i >= 0 ? Number(process.argv[i + 1]) : 20;

(async () => {
  const { server, url } = await serveBench(await buildPage('mrtProbe.ts'));
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
    await page.goto(url);
    await page.waitForFunction(() => 'genlabMrt' in window);
    const renderer = await page.evaluate(() => {
      const gl = document.createElement('canvas').getContext('webgl2');
      const info = gl?.getExtension('WEBGL_debug_renderer_info');
      return info ? String(gl!.getParameter(info.UNMASKED_RENDERER_WEBGL)) : 'unknown';
    });
    const ms = await page.evaluate((n) => (window as unknown as { genlabMrt: { run(n: number): Promise<Record<string, { ms: number; maxError: number }>> } }).genlabMrt.run(n), repeats);
    console.log(`128×784 by 784×400 on ${renderer}, ms per product (${repeats} repeats; 1x1 is timed twice, best kept):`);
    const base = ms['1x1'].ms;
    for (const [name, r] of Object.entries(ms)) {
      console.log(`  ${name.padEnd(4)} texels a fragment  ${r.ms.toFixed(1).padStart(6)} ms  ${(base / r.ms).toFixed(2)}× the 1x1 speed  max |error| ${r.maxError.toExponential(1)}`);
    }
  } finally {
    await browser.close();
    server.close();
  }
})().catch((e) => {
  console.error(`bench/swiftshaderMrt.ts: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
