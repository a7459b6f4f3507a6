import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'jsonc-parser';
import { shapeOfData, splitData, type ImageSet } from '../../src/core/data/dataset';
import { uploadSplit } from '../../src/core/data/deviceData';
import { createModel } from '../../src/core/families';
import { Trainer } from '../../src/core/loop';
import { checkModelText } from '../../src/core/modelfile/check';
import { BUNDLED_SHAPES, resolveModelFile } from '../../src/core/modelfile/defaults';
import { inferShapes } from '../../src/core/modelfile/layers';
import { parseModelText } from '../../src/core/modelfile/parse';
import type { LayerSpec, ModelFile } from '../../src/core/modelfile/types';
import { TRAINABLE_FAMILIES } from '../../src/core/modelfile/types';
import { loadBundledMnist } from '../../src/node/bundledData';
import { loadSpecData } from '../../src/node/loadData';
import { validateModelSchema } from '../../src/node/schema';
import { completeKernels } from '../../src/core/kernels/complete';
import { testBackend } from './setup';

const root = join(__dirname, '..', '..');
const examplesDir = join(root, 'examples');
const exampleFiles = readdirSync(examplesDir).filter((f) => f.endsWith('.genlab.json')).sort();

/** Checks model-file text the way the editor and `genlab check` do. */
function check(text: string, baseDir: string) {
  return checkModelText(text, { validateSchema: validateModelSchema, pathExists: (p) => existsSync(resolve(baseDir, p)), isFolder: (p) => existsSync(resolve(baseDir, p)) && statSync(resolve(baseDir, p)).isDirectory() });
}

/** Replaces snippet placeholders by their defaults: ${1:x} → x, ${1|a,b|} → a, $1 and $0 → nothing. */
function expandSnippet(body: string): string {
  let out = body;
  for (let i = 0; i < 5; i++) out = out.replace(/\$\{\d+:([^{}]*)\}/g, '$1').replace(/\$\{\d+\|([^,|]*)[^|]*\|\}/g, '$1');
  return out.replace(/\$\d+/g, '');
}

type Snippet = { prefix: string | string[]; body: string | string[]; description?: string };
const snippets = parse(readFileSync(join(root, 'snippets', 'genlab.code-snippets'), 'utf8')) as Record<string, Snippet>;
const bodyOf = (s: Snippet) => expandSnippet(Array.isArray(s.body) ? s.body.join('\n') : s.body);
const isWholeFile = (s: Snippet) => bodyOf(s).trimStart().startsWith('{') && /"family"\s*:/.test(bodyOf(s));

let mnist: ImageSet;
const shape = BUNDLED_SHAPES.mnist;

/** Trains `file` for `steps` steps on its data (the bundled MNIST or a toy set); returns the loss of each step. */
async function trainSteps(file: ModelFile, steps: number): Promise<number[]> {
  const set = resolveModelFile(file, shape).data.dataset === 'mnist' ? mnist : loadSpecData(resolveModelFile(file, shape), examplesDir, root);
  const dataShape = shapeOfData(set);
  const spec = resolveModelFile(file, dataShape);
  const { train, heldout } = splitData(set, spec.data.heldout);
  const trainData = uploadSplit(train, 'train', spec.transformer.context), heldoutData = uploadSplit(heldout, 'heldout', spec.transformer.context);
  const model = createModel(spec, dataShape);
  const losses: number[] = [];
  const trainer = new Trainer(model, trainData, heldoutData, { batchSize: spec.training.batchSize, readEvery: steps, seed: 1 }, {
    onSteps: (rows) => rows.forEach((r) => losses.push(r.values[model.lossTerms[0]])),
  });
  await trainer.runSteps(steps);
  await trainer.flush();
  trainer.dispose(); model.dispose(); trainData.dispose(); heldoutData.dispose();
  return losses;
}

describe('examples and snippets', () => {
  before(async () => {
    await testBackend();
    completeKernels('wasm'); // the conv filter gradient wasm lacks, as the CLI does
    mnist = loadBundledMnist(root);
  });

  it('there is an example for every family that trains, and the three VAE examples', () => {
    for (const family of TRAINABLE_FAMILIES) {
      assert.ok(exampleFiles.some((f) => f.startsWith(`${family}-`)), `no example for ${family}`);
    }
    for (const f of ['vae-mnist.genlab.json', 'vae-latent8.genlab.json', 'vae-conv.genlab.json']) assert.ok(exampleFiles.includes(f), f);
  });

  for (const name of exampleFiles) {
    it(`${name} passes the checker with no problem and trains 5 steps`, async () => {
      const text = readFileSync(join(examplesDir, name), 'utf8');
      assert.deepEqual(check(text, examplesDir), []);
      const losses = await trainSteps(parseModelText(text).value as ModelFile, 5);
      assert.equal(losses.length, 5);
      assert.ok(losses.every((l) => Number.isFinite(l)), `losses ${losses}`);
    });
  }

  it('vae-conv takes images through a conv2d first layer and decodes to 784 values', () => {
    const file = parseModelText(readFileSync(join(examplesDir, 'vae-conv.genlab.json'), 'utf8')).value as ModelFile;
    const { encoder, decoder } = file.networks as Record<string, LayerSpec[]>;
    assert.equal(encoder[0].type, 'conv2d');
    assert.ok(!encoder.some((l) => l.type === 'reshape'));
    assert.deepEqual(inferShapes(encoder, [28, 28, 1]).at(-1), [2 * (file.latentDim ?? 2)]);
    assert.deepEqual(inferShapes(decoder, [file.latentDim ?? 2]).at(-1), [28, 28, 1]);
  });

  it('vae-latent8 has an 8-D latent space, β 1 and its own dense networks', () => {
    const file = parseModelText(readFileSync(join(examplesDir, 'vae-latent8.genlab.json'), 'utf8')).value as ModelFile;
    assert.equal(file.latentDim, 8);
    assert.equal(file.loss?.beta, 1);
    assert.ok(file.networks?.encoder.every((l) => l.type === 'dense'));
    assert.equal(file.networks?.encoder.at(-1)?.units, 16);
  });

  it('every snippet has a genlab- prefix and a description', () => {
    assert.ok(Object.keys(snippets).length >= 10);
    for (const [name, s] of Object.entries(snippets)) {
      const prefixes = Array.isArray(s.prefix) ? s.prefix : [s.prefix];
      assert.ok(prefixes.every((p) => p.startsWith('genlab-')), `${name}: ${prefixes}`);
      assert.ok(s.description, `${name} has no description`);
    }
  });

  it('every whole-file snippet, placeholders at their defaults, passes the checker with no problem and trains', async () => {
    const whole = Object.entries(snippets).filter(([, s]) => isWholeFile(s));
    for (const family of TRAINABLE_FAMILIES) {
      assert.ok(whole.some(([, s]) => (parse(bodyOf(s)) as ModelFile).family === family), `no whole-file snippet for ${family}`);
    }
    for (const [name, s] of whole) {
      const text = bodyOf(s);
      assert.deepEqual(check(text, examplesDir), [], `${name}:\n${text}`);
      const losses = await trainSteps(parseModelText(text).value as ModelFile, 2);
      assert.ok(losses.every(Number.isFinite), `${name}: ${losses}`);
    }
  });

  it('every layer snippet makes a layer tf.layers accepts', () => {
    const layers = Object.entries(snippets).filter(([, s]) => !isWholeFile(s));
    const types = layers.map(([, s]) => (JSON.parse(bodyOf(s)) as LayerSpec).type);
    for (const t of ['dense', 'conv2d', 'conv2dTranspose', 'reshape', 'flatten', 'dropout', 'batchNormalization', 'leakyReLU']) assert.ok(types.includes(t), `no ${t} snippet`);
    for (const [name, s] of layers) {
      const spec = JSON.parse(bodyOf(s)) as LayerSpec;
      const input = spec.type === 'reshape' ? [7 * 7 * 32] : [28, 28, 1];
      assert.doesNotThrow(() => inferShapes([spec], input), `${name}: ${bodyOf(s)}`);
    }
  });

  it('the examples README names every example', () => {
    const readme = readFileSync(join(examplesDir, 'README.md'), 'utf8');
    for (const f of exampleFiles) assert.ok(readme.includes(f), `README.md does not mention ${f}`);
  });
});
