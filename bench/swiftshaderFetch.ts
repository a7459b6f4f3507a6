/**
 * Benchmark (not a test): what bounds GenLab's WebGL matrix product in this browser (see
 * bench/browserPage/fetchProbe.ts): milliseconds per 128×784 by 784×400 product for GenLab's
 * shader, one with twice the multiply-adds per texture read, and one with twice the reads.
 *   npx tsx bench/swiftshaderFetch.ts [--repeats 20]
 */
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../test/browser/harness';
import { buildPage, serveBench } from './browserPage/serve';

const i = process.argv.indexOf('--repeats');
const repeats = i >= 0 ? Number(process.argv[i + 1]) : 20;

(async () => {
  const { server, url } = await serveBench(await buildPage('fetchProbe.ts'));
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
    await page.goto(url);
    await page.waitForFunction(() => 'genlabProbe' in window);
    const ms = await page.evaluate((n) => (window as unknown as { genlabProbe: { run(n: number): Promise<Record<string, number>> } }).genlabProbe.run(n), repeats);
    console.log(`128×784 by 784×400 on WebGL, ms per product (best of two passes of ${repeats}):`);
    console.log(`  GenLab's shader               ${ms.base.toFixed(1)}`);
    console.log(`  2× multiply-adds per read     ${ms.alu.toFixed(1)}  (${(ms.alu / ms.base).toFixed(2)}×)`);
    console.log(`  2× texture reads              ${ms.reads.toFixed(1)}  (${(ms.reads / ms.base).toFixed(2)}×)`);
  } finally {
    await browser.close();
    server.close();
  }
})().catch((e) => {
  console.error(`bench/swiftshaderFetch.ts: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
