// `genlab train` trains every family's example file (a few steps, through the built bundle) and
// writes each family's views as PNGs, its networks and metrics.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePng } from '../../src/node/png';

const root = join(__dirname, '..', '..');

/** Each example, the PNGs and networks its run must write. */
const EXPECTED: Record<string, { pngs: string[]; texts?: string[]; networks: string[]; metrics?: string[] }> = {
  'autoencoder-mnist.genlab.json': { pngs: ['reconstructions', 'latent', 'errors', 'anomalies'], networks: ['encoder', 'decoder'] },
  'autoencoder-tied.genlab.json': { pngs: ['reconstructions', 'latent', 'errors', 'anomalies'], networks: ['encoder', 'decoder'] },
  'vae-gaussian.genlab.json': { pngs: ['samples', 'reconstructions', 'traversal', 'latent', 'interpolation'], networks: ['encoder', 'decoder'] },
  'gan-ring.genlab.json': { pngs: ['plane'], networks: ['generator', 'discriminator'], metrics: ['jsDivergence'] },
  'gan-mnist.genlab.json': { pngs: ['samples'], networks: ['generator', 'discriminator'] },
  'dcgan-mnist.genlab.json': { pngs: ['samples'], networks: ['generator', 'discriminator'] },
  'cgan-mnist.genlab.json': { pngs: ['classes', 'classInterpolation'], networks: ['generator', 'discriminator'] },
  'acgan-mnist.genlab.json': { pngs: ['classes', 'classInterpolation'], networks: ['generator', 'discriminator'] },
  'flow-moons.genlab.json': { pngs: ['density', 'samples', 'dataToLatent', 'latentToData'], networks: [] },
  'diffusion-ring.genlab.json': { pngs: ['samples', 'strip-0', 'strip-5', 'predictedX0-5'], networks: ['denoiser'] },
  'autoregressive-shakespeare.genlab.json': { pngs: [], texts: ['samples', 'prompt', 'nextToken'], networks: ['transformer'], metrics: ['bigram', 'heldoutSample'] },
};

describe('genlab train on every family', () => {
  let tmp: string;
  before(() => {
    assert.ok(existsSync(join(root, 'dist', 'cli.js')), 'dist/cli.js is missing: run `npm run build`');
    tmp = mkdtempSync(join(tmpdir(), 'genlab-families-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(`${file}: trains 4 steps, writes ${expected.pngs.join(', ')}, its networks and metrics`, () => {
      const out = join(tmp, file);
      const r = spawnSync(process.execPath, ['bin/genlab.js', 'train', `examples/${file}`, '--steps', '4', '--out', out], { cwd: root, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      for (const name of expected.pngs) {
        const png = decodePng(readFileSync(join(out, `${name}.png`)));
        const px = png.pixels;
        assert.ok(px.some((v) => v !== px[0]), `${name}.png is blank`);
      }
      for (const name of expected.texts ?? []) assert.ok(readFileSync(join(out, `${name}.txt`), 'utf8').trim().length > 0, `${name}.txt is empty`);
      for (const n of expected.networks) assert.ok(existsSync(join(out, n, 'model.json')) && existsSync(join(out, n, 'weights.bin')), `${n} not saved`);
      const rows = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.equal(rows.filter((row) => typeof row.step === 'number' && !row.heldout && !row.metrics).length, 4);
      for (const m of expected.metrics ?? []) assert.ok(rows.some((row) => typeof (row.metrics as Record<string, number> | undefined)?.[m] === 'number'), `no ${m} in metrics.jsonl`);
      assert.ok(existsSync(join(out, 'model.genlab.json')));
    });
  }
});
