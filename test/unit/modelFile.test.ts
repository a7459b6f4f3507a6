import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { checkModelFileText, classifySpecChange, ModelFileError, prepareModel } from '../../src/node/modelFile';
import { expandSnippet } from '../../src/extension/templates';

const root = join(__dirname, '..', '..');

function idx(magic: number, dims: number[], data: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data)]);
}

describe('model files in Node', () => {
  it('prepares { "family": "vae" } with every default and the bundled MNIST', () => {
    const { spec, data } = prepareModel('{ "family": "vae" } // the smallest model file', root, root, 'tiny');
    assert.equal(spec.name, 'tiny');
    assert.equal(spec.latentDim, 2);
    assert.deepEqual(spec.networks.encoder.map((l) => l.units), [512, 4]);
    assert.deepEqual(spec.networks.decoder.map((l) => l.units), [512, 784]);
    assert.equal(spec.training.batchSize, 128);
    assert.equal(data.count, 10000);
  });

  it('loads IDX files from a path relative to the model file, gzipped or raw', () => {
    const dir = mkdtempSync(join(tmpdir(), 'genlab-'));
    const n = 20, side = 12;
    const pixels = new Uint8Array(n * side * side).map((_, i) => (i * 7) % 256);
    writeFileSync(join(dir, 'img.gz'), gzipSync(idx(0x803, [n, side, side], pixels)));
    writeFileSync(join(dir, 'lab'), idx(0x801, [n], new Uint8Array(n).map((_, i) => i % 3)));
    const { spec, data } = prepareModel('{ "family": "vae", "data": { "path": "img.gz", "labels": "lab" } }', dir, root);
    assert.equal(data.count, n);
    assert.equal('height' in data ? data.height : -1, side);
    assert.equal(spec.networks.decoder[1].units, side * side, 'the default decoder must match the data shape');
  });

  it('refuses a file with errors, listing them', () => {
    assert.throws(() => prepareModel('{ "family": "vae", "latentDim": "two" }', root, root), (e: unknown) => e instanceof ModelFileError && e.problems.length === 1 && /latentDim/.test(e.message));
    assert.throws(() => prepareModel('{ "family": "vae", "data": { "path": "nope.gz" } }', root, root), ModelFileError);
  });

  it('applies optimizer-only edits live and offers a restart for anything else', () => {
    const a = prepareModel('{ "family": "vae" }', root, root).spec;
    const lr = prepareModel('{ "family": "vae", "optimizer": { "learningRate": 0.0003 } }', root, root).spec;
    const latent = prepareModel('{ "family": "vae", "latentDim": 3 }', root, root).spec;
    const adamBeta = prepareModel('{ "family": "vae", "optimizer": { "beta1": 0.5 } }', root, root).spec;
    assert.deepEqual(classifySpecChange(a, a), { kind: 'none' });
    const sgd = prepareModel('{ "family": "vae", "optimizer": { "type": "sgd", "learningRate": 0.1 } }', root, root).spec;
    assert.deepEqual(classifySpecChange(a, lr), { kind: 'optimizer', optimizer: lr.optimizer });
    assert.deepEqual(classifySpecChange(a, adamBeta), { kind: 'optimizer', optimizer: adamBeta.optimizer });
    assert.deepEqual(classifySpecChange(a, latent), { kind: 'restart' });
    assert.deepEqual(classifySpecChange(a, sgd), { kind: 'restart' }, 'another optimizer class cannot keep Adam\'s moments');
  });

  it('expands snippet placeholders to their defaults', () => {
    assert.equal(expandSnippet('{ "latentDim": ${1:2}, "family": "${2|vae,gan|}", "x": $3 }$0'), '{ "latentDim": 2, "family": "vae", "x":  }');
    assert.equal(expandSnippet('${1:outer ${2:inner}}'), 'outer inner');
  });
});

describe('model files on the user\'s own data', () => {
  it('checks networks against the shape read from the IDX file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'genlab-'));
    writeFileSync(join(dir, 'img'), idx(0x803, [4, 10, 10], new Uint8Array(400)));
    const text = '{ "family": "vae", "data": { "path": "img" },\n  "networks": { "encoder": [{ "type": "dense", "units": 4 }], "decoder": [{ "type": "dense", "units": 784 }] } }';
    const problems = checkModelFileText(text, dir);
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.match(problems[0].message, /decoder outputs \[784\].*100 values/);
  });
});
