/**
 * Benchmark (not a test): what bounds GenLab's WebGL matrix product in this browser, and would
 * several render targets a fragment help? Milliseconds per 128×784 by 784×400 product:
 *  1. bench/browserPage/fetchProbe.ts: GenLab's shader, one with twice the multiply-adds per
 *     texture read, and one with twice the reads;
 *  2. bench/browserPage/mrtProbe.ts (raw WebGL2): a fragment writing 1 output texel, as tfjs and
 *     webglMatMul.ts do, against one writing a block of rows×cols texels to as many render targets.
 *   npx tsx bench/swiftshaderFetch.ts [--repeats 20]
 */
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../test/browser/harness';
import { buildPage, serveBench } from './browserPage/serve';

const i = process.argv.indexOf('--repeats');
const repeats = i >= 0 ? Number(process.argv[i + 1]) : 20;

/** Opens the page of `entry` in a fresh headless Chromium, hands it to `use`, and closes both. */
async function withPage<T>(entry: string, use: (page: Page) => Promise<T>): Promise<T> {
  const { server, url } = await serveBench(await buildPage(entry));
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
    await page.goto(url);
    return await use(page);
  } finally {
    await browser.close();
    server.close();
  }
}

type Probe = { run(n: number): Promise<Record<string, number>> };
type MrtProbe = { run(n: number): Promise<Record<string, { ms: number; maxError: number }>> };

(async () => {
  const ms = await withPage('fetchProbe.ts', async (page) => {
    await page.waitForFunction(() => 'genlabProbe' in window);
    return page.evaluate((n) => (window as unknown as { genlabProbe: Probe }).genlabProbe.run(n), repeats);
  });
  console.log(`128×784 by 784×400 on WebGL, ms per product (best of two passes of ${repeats}):`);
  console.log(`  GenLab's shader               ${ms.base.toFixed(1)}`);
  console.log(`  2× multiply-adds per read     ${ms.alu.toFixed(1)}  (${(ms.alu / ms.base).toFixed(2)}×)`);
  console.log(`  2× texture reads              ${ms.reads.toFixed(1)}  (${(ms.reads / ms.base).toFixed(2)}×)`);

  const { renderer, blocks } = await withPage('mrtProbe.ts', async (page) => {
    await page.waitForFunction(() => 'genlabMrt' in window);
    const renderer = await page.evaluate(() => {
      const gl = document.createElement('canvas').getContext('webgl2');
      const info = gl?.getExtension('WEBGL_debug_renderer_info');
      return info ? String(gl!.getParameter(info.UNMASKED_RENDERER_WEBGL)) : 'unknown';
    });
    return { renderer, blocks: await page.evaluate((n) => (window as unknown as { genlabMrt: MrtProbe }).genlabMrt.run(n), repeats) };
  });
  console.log(`\nRaw WebGL2 on ${renderer}, ms per product by output texels a fragment (${repeats} repeats; 1x1 timed twice, best kept):`);
  const base = blocks['1x1'].ms;
  for (const [name, r] of Object.entries(blocks)) {
    console.log(`  ${name.padEnd(4)} ${r.ms.toFixed(1).padStart(6)} ms  ${(base / r.ms).toFixed(2)}× the 1x1 speed  max |error| ${r.maxError.toExponential(1)}`);
  }
})().catch((e) => {
  console.error(`bench/swiftshaderFetch.ts: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
