// Every model family trains in the playground webview (headless Chromium, WebGL on SwiftShader)
// from a model file's spec, and draws each of its views and charts.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openPlayground, waitForSteps, type PlaygroundPage } from './harness';
import { toyDataset } from '../../src/core/data/toy';
import { shapeOfData, textOf, textSetFromString, type DataSet } from '../../src/core/data/dataset';
import { loadBundledText } from '../../src/node/bundledText';

const ROOT = join(__dirname, '..', '..');
import { BUNDLED_SHAPES, resolveModelFile } from '../../src/core/modelfile/defaults';
import type { ModelFile } from '../../src/core/modelfile/types';

/** Ids of canvases that have something drawn on them (more than one distinct pixel value). */
const drawnCanvases = (page: Page) => page.evaluate(() => [
  ...[...document.querySelectorAll<HTMLElement>('pre.text-view')].filter((p) => (p.textContent ?? '').trim().length > 0).map((p) => p.id),
  ...[...document.querySelectorAll<HTMLElement>('.plane-row')].filter((d) => [...d.querySelectorAll('canvas')].some((c) => c.getBoundingClientRect().width > 0)).map((d) => d.id),
  ...[...document.querySelectorAll<HTMLCanvasElement>('canvas.view')].filter((c) => !c.hidden).filter((c) => {
  if (!c.width || !c.height) return false;
  const d = (c.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, c.width, c.height).data;
  for (let i = 4; i < d.length; i++) if (d[i] !== d[i % 4]) return true;
  return false;
}).map((c) => c.id)].map((id) => id.replace(/^view-/, '')));

interface Case {
  file: ModelFile;
  dataset?: DataSet;
  /** Canvases (charts and views) that must be drawn. */
  views: string[];
  /** Steps to wait for (default 20; convolutions on SwiftShader are slow). */
  steps?: number;
}

const small = { batchSize: 32 };
const CASES: Record<string, Case> = {
  'autoencoder (tied weights)': {
    file: { family: 'autoencoder', tiedWeights: true, latentDim: 8, networks: { encoder: [{ type: 'dense', units: 64, activation: 'relu' }, { type: 'dense', units: 8 }] }, training: small },
    views: ['loss', 'reconstructions', 'latent', 'errors', 'anomalies'],
  },
  'VAE (Gaussian decoder, KL warm-up)': {
    file: { family: 'vae', latentDim: 4, loss: { reconstruction: 'gaussian', sigma: 0.1, klWarmup: 100 }, training: small },
    views: ['loss', 'kl', 'samples', 'reconstructions', 'traversal', 'latent', 'interpolation'],
  },
  'GAN on the ring of 8 Gaussians': {
    file: { family: 'gan', data: 'ring', training: { batchSize: 64 } },
    dataset: toyDataset('ring'),
    views: ['loss', 'discriminator', 'divergence', 'plane'],
  },
  'DCGAN on MNIST': {
    file: { family: 'dcgan', latentDim: 16, training: { batchSize: 8 } },
    views: ['loss', 'discriminator', 'samples'],
    steps: 3,
  },
  'CGAN on MNIST': {
    file: { family: 'cgan', latentDim: 16, training: small },
    views: ['loss', 'discriminator', 'classes', 'classInterpolation'],
  },
  'character-level transformer on Shakespeare': {
    file: { family: 'autoregressive', data: 'shakespeare', transformer: { layers: 1, heads: 2, embedding: 32, context: 32 }, training: small },
    dataset: textSetFromString('shakespeare', textOf(loadBundledText(ROOT), 0, 50000)),
    views: ['loss', 'samples', 'prompt', 'nextToken'],
  },
  'RealNVP on two moons': {
    file: { family: 'flow', data: 'moons', flow: { couplings: 4 }, training: { batchSize: 128 } },
    dataset: toyDataset('moons'),
    views: ['loss', 'density', 'samples', 'dataToLatent', 'latentToData'],
  },
  'DDPM on the ring': {
    file: { family: 'diffusion', data: 'ring', diffusion: { steps: 50, schedule: 'cosine' }, training: { batchSize: 128 } },
    dataset: toyDataset('ring'),
    views: ['loss', 'strip', 'predictedX0', 'samples'],
  },
  'AC-GAN on MNIST': {
    file: { family: 'acgan', latentDim: 16, training: small },
    views: ['loss', 'discriminator', 'accuracy', 'classes', 'classInterpolation'],
  },
};

describe('every family in the playground (Chromium, WebGL)', () => {
  let p: PlaygroundPage | undefined;
  afterEach(async function () {
    if (p && this.currentTest) {
      const name = this.currentTest.title.replace(/\W+/g, '-').slice(0, 60);
      await p.page.screenshot({ path: `test-results/browser-family-${name}.png`, fullPage: true }).catch(() => {});
    }
    await p?.close();
    p = undefined;
  });

  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: trains and draws ${c.views.join(', ')}`, async () => {
      const shape = c.dataset ? shapeOfData(c.dataset) : BUNDLED_SHAPES.mnist;
      const spec = resolveModelFile(c.file, shape);
      p = await openPlayground({ spec, ...(c.dataset ? { dataset: c.dataset } : {}) });
      await waitForSteps(p.page, c.steps ?? 20, 240000);
      let drawn: string[] = [];
      const deadline = Date.now() + 60000;
      while (Date.now() < deadline) {
        drawn = await drawnCanvases(p.page);
        if (c.views.every((v) => drawn.includes(v))) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      assert.deepEqual(c.views.filter((v) => !drawn.includes(v)), [], `not drawn; drawn: ${drawn.join(', ')}`);
      const stats = await p.page.evaluate(() => ({ ...(document.getElementById('stats') as HTMLElement).dataset }));
      assert.equal(stats.backend, 'webgl');
      assert.deepEqual(await p.cspViolations(), []);
      const errors = (await p.toHost()).filter((m) => m.type === 'error');
      assert.deepEqual(errors, []);
    });
  }
});
