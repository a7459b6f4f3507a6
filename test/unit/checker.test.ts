/**
 * The model-file checker against a corpus: broken files under checker/broken/ with the exact
 * problems (message and range) listed in checker/expected.json, valid files under
 * checker/valid/, the examples and snippets, random damage to valid files, and deep nesting.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'jsonc-parser';
import { checkModelText, ignoredSettings, type CheckOptions } from '../../src/core/modelfile/check';
import { BUNDLED_SHAPES, resolveModelFile } from '../../src/core/modelfile/defaults';
import { ACTIVATIONS, closest, describePath } from '../../src/core/modelfile/hints';
import { MAX_DEPTH, type Problem } from '../../src/core/modelfile/parse';
import { validateModelSchema } from '../../src/node/schema';
import { expandSnippet } from '../../src/extension/templates';
import schema from '../../schemas/genlab.schema.json';

const root = join(__dirname, '..', '..');
const corpus = join(__dirname, 'checker');
const brokenDir = join(corpus, 'broken');
const validDir = join(corpus, 'valid');

/** The files that exist next to the corpus files, as the checker's pathExists sees them. */
const WORKSPACE = new Set(['data/digits-idx3-ubyte.gz', 'data/digits-labels-idx1-ubyte.gz', 'data/sonnets.txt', 'data/short.txt', 'photos', 'mixed', 'points.csv', 'pixels.csv']);
/** The folders of that workspace: "photos" reads, "mixed" holds a file that is not an image. */
const FOLDERS = new Set(['photos', 'mixed']);
/** The length in characters of the text files of that workspace. */
const TEXT_LENGTHS: Record<string, number> = { 'data/sonnets.txt': 2000, 'data/short.txt': 300 };
const options: CheckOptions = {
  validateSchema: validateModelSchema,
  pathExists: (p) => WORKSPACE.has(p),
  textLength: (p) => TEXT_LENGTHS[p],
  isFolder: (p) => FOLDERS.has(p),
  dataShape: (p) => (p === 'mixed' ? { error: 'mixed/cats/notes.txt: not a PNG or JPEG image' } : p === 'photos' ? { height: 32, width: 32, channels: 3, classes: 2 } : p === 'pixels.csv' ? { height: 8, width: 8, channels: 1, classes: 1 } : undefined),
  datasetProblem: (name) => (name === 'mnist-full' ? `"${name}" is not downloaded yet: run "GenLab: Download Dataset" (or genlab download ${name})` : undefined),
};

interface Expected {
  severity: Problem['severity'];
  /** A distinctive part of the message. */
  message: string;
  /** The exact source text the problem's range covers. */
  text: string;
}

const manifest = JSON.parse(readFileSync(join(corpus, 'expected.json'), 'utf8')) as Record<string, Expected[] | string>;
const expectations = Object.entries(manifest).filter((e): e is [string, Expected[]] => Array.isArray(e[1]));
const modelFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.genlab.json')).sort();
const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');

/** Every *.genlab.json under `dir`, recursively. */
function walkModelFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walkModelFiles(p) : f.endsWith('.genlab.json') ? [p] : [];
  });
}

/** A problem as read in a failure message: severity, message, and the text it covers. */
const show = (text: string, problems: Problem[]) =>
  problems.map((p) => `  ${p.severity}: ${p.message}\n    covers ${JSON.stringify(text.slice(p.offset, p.offset + p.length))}`).join('\n') || '  (none)';

/** Asserts that `problems` are well formed for `text`: a severity, a message, a range inside the text. */
function assertWellFormed(text: string, problems: Problem[], label: string): void {
  assert.ok(Array.isArray(problems), `${label}: not an array`);
  for (const p of problems) {
    assert.ok(p.severity === 'error' || p.severity === 'warning', `${label}: severity ${String(p.severity)}`);
    assert.ok(typeof p.message === 'string' && p.message.length > 0, `${label}: empty message`);
    assert.ok(!/internal error/.test(p.message), `${label}: the checker failed inside: ${p.message}`);
    assert.ok(Number.isInteger(p.offset) && Number.isInteger(p.length), `${label}: range ${p.offset}+${p.length}`);
    assert.ok(p.offset >= 0 && p.length >= 0 && p.offset + p.length <= Math.max(text.length, 1), `${label}: range ${p.offset}+${p.length} outside ${text.length} characters`);
  }
}

/** A deterministic pseudo-random generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('model-file checker', () => {
  describe('broken files', () => {
    const files = modelFiles(brokenDir);

    it('has at least 60 broken files, each with its expectations in expected.json', () => {
      assert.ok(files.length >= 60, `only ${files.length} broken files`);
      assert.deepEqual(files, expectations.map(([f]) => f).sort(), 'broken/ and expected.json must list the same files');
      for (const [f, list] of expectations) assert.ok(list.length > 0, `${f} expects no problem`);
    });

    for (const [file, expected] of expectations) {
      it(file, () => {
        const text = read(brokenDir, file);
        const problems = checkModelText(text, options);
        assertWellFormed(text, problems, file);
        const matched = new Set<Problem>();
        for (const e of expected) {
          const hit = problems.find((p) => p.severity === e.severity && p.message.includes(e.message) && text.slice(p.offset, p.offset + p.length) === e.text);
          assert.ok(hit, `${file}: expected ${e.severity} "${e.message}" covering ${JSON.stringify(e.text)}; got\n${show(text, problems)}`);
          matched.add(hit);
        }
        const unexpected = problems.filter((p) => p.severity === 'error' && !matched.has(p));
        assert.deepEqual(unexpected, [], `${file}: unexpected errors:\n${show(text, unexpected)}`);
      });
    }

    it('every message says what is wrong and how to fix it', () => {
      for (const [file] of expectations) {
        for (const p of checkModelText(read(brokenDir, file), options)) {
          // "<what>: <fix>", or "<what>; <fix>", or a "did you mean" hint
          assert.match(p.message, /\S(: |; )\S|did you mean/, `${file}: ${p.message}`);
          assert.doesNotMatch(p.message, /undefined|NaN|\[object Object\]/, `${file}: ${p.message}`);
        }
      }
    });

    it('never throws without a schema validator either', () => {
      for (const [file] of expectations) {
        const text = read(brokenDir, file);
        assertWellFormed(text, checkModelText(text), `${file} (no schema)`);
        assertWellFormed(text, checkModelText(text, { pathExists: () => false }), `${file} (no schema)`);
      }
    });
  });

  describe('valid files', () => {
    const files = modelFiles(validDir);

    it('has at least 8 valid files', () => assert.ok(files.length >= 8, `only ${files.length} valid files`));

    for (const file of files) {
      it(file, () => {
        const text = read(validDir, file);
        assert.equal(show(text, checkModelText(text, options)), '  (none)');
        assert.equal(show(text, checkModelText(text)), '  (none)', 'without a schema validator');
      });
    }

    it('gives no problem for any example under examples/', () => {
      const examples = walkModelFiles(join(root, 'examples'));
      assert.ok(examples.length > 0, 'examples/ must hold model files');
      for (const f of examples) {
        const text = readFileSync(f, 'utf8');
        const problems = checkModelText(text, { validateSchema: validateModelSchema, pathExists: (p) => existsSync(resolve(dirname(f), p)) });
        assert.equal(show(text, problems), '  (none)', f);
      }
    });

    it('gives no problem for any whole-file snippet', () => {
      const path = join(root, 'snippets', 'genlab.code-snippets');
      const snippets = parse(readFileSync(path, 'utf8')) as Record<string, { body: string | string[] }>;
      const bodies = Object.entries(snippets)
        .map(([name, s]) => [name, expandSnippet(Array.isArray(s.body) ? s.body.join('\n') : s.body)] as const)
        .filter(([, body]) => body.trimStart().startsWith('{') && /"family"\s*:/.test(body));
      assert.ok(bodies.length > 0, 'the snippets must include whole-file templates');
      for (const [name, body] of bodies) assert.equal(show(body, checkModelText(body, options)), '  (none)', `snippet "${name}"`);
    });
  });

  describe('robustness', () => {
    it('never throws on ~300 truncated or damaged valid files (seeded)', () => {
      const sources = [...modelFiles(validDir).map((f) => read(validDir, f)), ...walkModelFiles(join(root, 'examples')).map((f) => readFileSync(f, 'utf8'))];
      const rand = random(20260101);
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
      const significant = ['{', '}', '[', ']', '"', ',', ':', '/', '*', '\\', '-', '0', '9', '.', 'e', ' ', '\n', '\t', '\u0000', 'x'];
      const cases: string[] = [];
      for (let i = 0; i < 150; i++) {
        const src = pick(sources);
        cases.push(src.slice(0, Math.floor(rand() * (src.length + 1))));
      }
      for (let i = 0; i < 150; i++) {
        let src = pick(sources);
        for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) {
          const at = Math.floor(rand() * src.length);
          const ch = rand() < 0.7 ? pick(significant) : String.fromCharCode(Math.floor(rand() * 256));
          src = src.slice(0, at) + ch + src.slice(at + 1);
        }
        cases.push(src);
      }
      cases.forEach((text, i) => {
        let problems: Problem[] = [];
        assert.doesNotThrow(() => { problems = checkModelText(text, options); }, `case ${i}: ${JSON.stringify(text)}`);
        assertWellFormed(text, problems, `case ${i}: ${JSON.stringify(text)}`);
        assertWellFormed(text, checkModelText(text), `case ${i} without schema: ${JSON.stringify(text)}`);
      });
    });

    it('reports 10,000-deep nesting as a nesting problem within 200 ms, without a stack overflow', () => {
      const depth = 10_000;
      const texts = [
        '['.repeat(depth) + ']'.repeat(depth),
        '{ "family": "vae", "name": ' + '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) + ' }',
        '{ "family": "vae", "networks": { "encoder": ' + '['.repeat(depth), // unclosed as well
      ];
      for (const text of texts) {
        const t0 = performance.now();
        const problems = checkModelText(text, options);
        const ms = performance.now() - t0;
        assert.ok(ms < 200, `took ${ms.toFixed(1)} ms`);
        assert.equal(problems.length, 1, show(text, problems));
        assert.match(problems[0].message, new RegExp(`nesting deeper than ${MAX_DEPTH} levels`));
        assert.match(text.slice(problems[0].offset, problems[0].offset + problems[0].length), /^[[{]$/);
      }
    });

    it('ignores brackets inside strings and comments when measuring nesting', () => {
      const text = `{ "family": "vae", "name": "${'['.repeat(200)}" /* ${'{'.repeat(200)} */ }`;
      assert.deepEqual(checkModelText(text, options), []);
    });

    it('leaves the parsed layer specs untouched (reshape with -1)', () => {
      const text = '{ "family": "vae", "networks": { "decoder": [ { "type": "dense", "units": 784 }, { "type": "reshape", "targetShape": [28, 28, -1] } ], "encoder": [ { "type": "dense", "units": 4 } ] } }';
      assert.deepEqual(checkModelText(text, options), []);
      assert.deepEqual(checkModelText(text, options), [], 'a second check of the same text');
    });
  });

  describe('wording helpers', () => {
    it('suggests the name a typo most likely meant, and nothing for unrelated words', () => {
      assert.equal(closest('Dense', ['dense', 'conv2d']), 'dense');
      assert.equal(closest('relux', ['relu', 'elu', 'selu']), 'relu');
      assert.equal(closest('epoch', ['batchSize', 'epochs', 'seed']), 'epochs');
      assert.equal(closest('histogram', ['loss', 'samples', 'latent']), undefined);
    });

    it('names paths in words', () => {
      assert.equal(describePath([]), 'the model file');
      assert.equal(describePath(['training', 'batchSize']), '"training.batchSize"');
      assert.equal(describePath(['networks', 'encoder', 1, 'units']), '"units" of the encoder\'s 2nd layer');
      assert.equal(describePath(['views', 2]), 'the 3rd view');
    });

    it('knows the same activations as the schema', () => {
      const layer = (schema as unknown as { definitions: { layer: { properties: { activation: { enum: string[] } } } } }).definitions.layer;
      assert.deepEqual([...ACTIVATIONS], layer.properties.activation.enum);
    });

    it('checks networks on a data path when the caller knows its shape', () => {
      const text = '{ "family": "vae", "data": { "path": "data/digits-idx3-ubyte.gz" }, "networks": { "encoder": [ { "type": "dense", "units": 4 } ], "decoder": [ { "type": "dense", "units": 784 } ] } }';
      assert.deepEqual(checkModelText(text, options), [], 'shape unknown: networks are not checked');
      const problems = checkModelText(text, { ...options, dataShape: () => ({ height: 12, width: 12, channels: 1, classes: 3 }) });
      assert.equal(problems.length, 1, show(text, problems));
      assert.match(problems[0].message, /each example has 144 values \(12×12×1\): give its last layer "units": 144/);
    });

    it('checks a diffusion denoiser on a data path against the shape the caller knows', () => {
      const text = '{ "family": "diffusion", "data": { "path": "data/digits-idx3-ubyte.gz" } }';
      assert.deepEqual(checkModelText(text, { ...options, dataShape: () => ({ height: 12, width: 12, channels: 1, classes: 10 }) }), [], 'the default denoiser fits any image size');
      const conv = '{ "family": "diffusion", "data": { "path": "data/digits-idx3-ubyte.gz" }, "networks": { "denoiser": [ { "type": "conv2d", "filters": 1, "kernelSize": 3 } ] } }';
      const problems = checkModelText(conv, { ...options, dataShape: () => ({ height: 12, width: 12, channels: 1, classes: 10 }) });
      assert.equal(problems.length, 1, show(conv, problems));
      assert.match(problems[0].message, /the denoiser outputs \[10, 10, 1\] = 100 values, but each example has 144 values \(12×12×1\) and it predicts the noise ε in each: make its output 12×12/);
    });
  });

  describe('the transformer, flow and diffusion families', () => {
    it('reads a .txt path as text whatever image shape the caller knows, reports why it cannot be read, and checks the context only when the text length is known', () => {
      const text = '{ "family": "autoregressive", "data": { "path": "data/short.txt" }, "transformer": { "context": 200 } }';
      const noShape = { ...options, dataShape: () => ({ height: 12, width: 12, channels: 1, classes: 10 }) };
      const unreadable = checkModelText(text, { ...options, dataShape: () => ({ error: 'data/short.txt: not valid UTF-8 text (byte 0xe9 at offset 3); save it as UTF-8' }) });
      assert.deepEqual(unreadable.map((p) => [p.severity, p.message, text.slice(p.offset, p.offset + p.length)]), [['error', 'data/short.txt: not valid UTF-8 text (byte 0xe9 at offset 3); save it as UTF-8', '"data/short.txt"']]);
      assert.equal(checkModelText(text, { ...noShape, textLength: () => undefined }).length, 0, 'length unknown: no warning');
      const problems = checkModelText(text, noShape);
      assert.equal(problems.length, 1, show(text, problems));
      assert.equal(problems[0].severity, 'warning');
      assert.match(problems[0].message, /held-out part \(10%\) only 30: use "context": 29 or less/);
      const longer = text.replace('"path": "data/short.txt"', '"path": "data/short.txt", "heldout": 0.9');
      assert.match(checkModelText(longer, noShape)[0].message, /its training part only 30/);
    });

    it('suggests embedding widths and head counts that pass, for every head count and many widths', () => {
      for (let heads = 1; heads <= 16; heads++) {
        for (let embedding = 8; embedding <= 200; embedding += 7) {
          const text = `{ "family": "autoregressive", "transformer": { "heads": ${heads}, "embedding": ${embedding} } }`;
          const problems = checkModelText(text, options);
          if (embedding % heads === 0) { assert.deepEqual(problems, [], text); continue; }
          assert.equal(problems.length, 1, show(text, problems));
          const widths = /"embedding": (\d+)(?: or (\d+))?/.exec(problems[0].message)?.slice(1).filter(Boolean).map(Number) ?? [];
          const head = Number(/"heads": (\d+)/.exec(problems[0].message)?.[1]);
          for (const w of widths) assert.deepEqual(checkModelText(text.replace(`"embedding": ${embedding}`, `"embedding": ${w}`), options), [], `${text} → embedding ${w}`);
          assert.deepEqual(checkModelText(text.replace(`"heads": ${heads}`, `"heads": ${head}`), options), [], `${text} → heads ${head}`);
        }
      }
    });

    it('leaves out of a resolved spec exactly the settings its family does not read', () => {
      const paths = (family: 'autoregressive' | 'flow' | 'diffusion', extra = {}) =>
        ignoredSettings(resolveModelFile({ family, ...extra }, family === 'autoregressive' ? BUNDLED_SHAPES.shakespeare : BUNDLED_SHAPES.moons)).map((s) => s.path.join('.')).sort();
      const others = ['loss.beta', 'loss.generator', 'loss.klWarmup', 'loss.labelSmoothing', 'loss.reconstruction', 'loss.sigma', 'tiedWeights', 'training.discriminatorSteps', 'latentDim'];
      assert.deepEqual(paths('autoregressive'), [...others, 'diffusion', 'flow', 'networks'].sort());
      assert.deepEqual(paths('flow'), [...others, 'diffusion', 'transformer'].sort());
      assert.deepEqual(paths('diffusion'), [...others, 'flow', 'transformer'].sort());
      assert.deepEqual(paths('diffusion', { diffusion: { schedule: 'cosine' } }), [...others, 'diffusion.betaEnd', 'diffusion.betaStart', 'flow', 'transformer'].sort());
      assert.ok(!ignoredSettings(resolveModelFile({ family: 'vae' }, BUNDLED_SHAPES.mnist)).some((s) => ['latentDim', 'networks'].includes(s.path.join('.'))));
    });

    it('warns about a linear schedule that leaves data in x_T, but not about the defaults', () => {
      assert.deepEqual(checkModelText('{ "family": "diffusion", "data": "ring" }', options), []);
      assert.deepEqual(checkModelText('{ "family": "diffusion", "data": "ring", "diffusion": { "steps": 10, "schedule": "cosine" } }', options), [], 'the cosine schedule ends at ᾱ_T = 0');
      const few = checkModelText('{ "family": "diffusion", "data": "ring", "diffusion": { "steps": 30 } }', options);
      assert.equal(few.length, 1);
      assert.match(few[0].message, /ᾱ_T = 0\.466, so x_T still holds √ᾱ_T = 0\.68 of the data/);
    });
  });
});
