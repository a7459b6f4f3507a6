/**
 * Benchmark (not a test): the playground's own training speed in headless Chromium, per backend,
 * read from the status messages the webview sends its host (default VAE, batch 128).
 * Usage: npx tsx bench/browser-vae.ts [--seconds 30]
 */
import { openPlayground, waitForSteps } from '../test/browser/harness';
import type { BackendName } from '../src/shared/protocol';

const i = process.argv.indexOf('--seconds');
const seconds = i >= 0 ? Number(process.argv[i + 1]) : 30;
const runs: Array<{ backend: BackendName; disabled: BackendName[]; warmSteps: number }> = [
  { backend: 'webgl', disabled: [], warmSteps: 10 },
  { backend: 'wasm', disabled: ['webgl'], warmSteps: 5 },
  { backend: 'cpu', disabled: ['webgl', 'wasm'], warmSteps: 2 },
];

(async () => {
  const results: Record<string, number> = {};
  for (const r of runs) {
    const p = await openPlayground({ disabledBackends: r.disabled });
    try {
      const s = await waitForSteps(p.page, r.warmSteps, 300000);
      if (s.backend !== r.backend) throw new Error(`expected ${r.backend}, got ${s.backend}`);
      const t0 = Date.now();
      const step0 = Number(s.step);
      await p.page.waitForTimeout(seconds * 1000);
      const step1 = Number((await p.page.evaluate(() => document.getElementById('stats')?.dataset.step)) ?? 0);
      results[r.backend] = Math.round(((step1 - step0) * 128 * 1000) / (Date.now() - t0));
      console.log(`${r.backend.padEnd(5)} ${results[r.backend]} samples/s  (${step1 - step0} steps in ${seconds} s, Chromium)`);
    } finally {
      await p.close();
    }
  }
  console.log(JSON.stringify(results));
})();
