import { strict as assert } from 'node:assert';
import { parseHostMessage, parseWebviewMessage, MAX_PNG_BASE64, MAX_PROBLEMS, MAX_STRING } from '../../src/shared/protocol';
import { buildCsp, buildPlaygroundHtml, makeNonce } from '../../src/extension/html';
import { vaeSpec } from '../../src/core/families/vaeConfig';

const spec = vaeSpec({}, { height: 28, width: 28, channels: 1, classes: 10 });

const init = {
  type: 'init', title: 't', wasmBase: 'x/', strings: { a: 'b' }, disabledBackends: ['webgl'], autostart: true,
  checkpointEverySeconds: 60, panelState: { source: 'builtin', run: 'vae-playground-20261129-080000', running: true },
  hyperparameters: { latentDim: 2, hiddenUnits: 8, batchSize: 4, learningRate: 0.001, beta: 1 },
  dataset: { name: 'm', count: 1, height: 1, width: 1, pixels: new Uint8Array(1), labels: new Uint8Array(1) },
};

describe('protocol', () => {
  it('accepts well-formed messages both ways', () => {
    assert.ok(parseHostMessage(init));
    assert.ok(parseHostMessage({ ...init, spec }));
    assert.ok(parseHostMessage({ type: 'restart', title: 't', spec }));
    assert.deepEqual(parseHostMessage({ type: 'setOptimizer', optimizer: { type: 'adam', learningRate: 0.01, beta1: 0.5 } }), { type: 'setOptimizer', optimizer: { type: 'adam', learningRate: 0.01, beta1: 0.5 } });
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.ok(parseWebviewMessage({ type: 'status', step: 1, epoch: 0.1, samplesPerSec: 3, backend: 'wasm', running: true }));
  });

  it('rejects unknown types, wrong fields and oversized strings', () => {
    const bad: unknown[] = [
      null, 42, 'ready', [], {}, { type: 'nope' },
      { type: 'status', step: '1', epoch: 0, samplesPerSec: 0, backend: 'webgl', running: true },
      { type: 'status', step: 1, epoch: 0, samplesPerSec: Number.NaN, backend: 'webgl', running: true },
      { type: 'status', step: 1, epoch: 0, samplesPerSec: 0, backend: 'cuda', running: true },
      { type: 'backendFallback', backend: 'wasm', reason: 'x'.repeat(MAX_STRING + 1) },
      { type: 'error', message: 5 },
    ];
    for (const b of bad) assert.equal(parseWebviewMessage(b), undefined, JSON.stringify(b));
    assert.equal(parseHostMessage({ ...init, dataset: { ...init.dataset, pixels: [1, 2] } }), undefined);
    assert.equal(parseHostMessage({ ...init, disabledBackends: ['gpu'] }), undefined);
    const text = { kind: 'text', name: 't', count: 3, tokens: new Int32Array([0, 1, 0]), vocab: ['a', '高'], labels: new Uint8Array(3) };
    assert.ok(parseHostMessage({ ...init, dataset: text }), 'a text set of code points');
    assert.equal(parseHostMessage({ ...init, dataset: { ...text, tokens: new Int32Array([0, 2, 0]) } }), undefined, 'a token outside the vocabulary');
    assert.equal(parseHostMessage({ ...init, dataset: { ...text, vocab: ['a', 'bc'] } }), undefined, 'a vocabulary entry of two characters');
    const points = { kind: 'points', name: 'p', count: 2, dims: 2, classes: 1, points: new Float32Array(4), labels: new Uint8Array(2) };
    assert.ok(parseHostMessage({ ...init, dataset: points }));
    assert.equal(parseHostMessage({ ...init, dataset: { ...points, points: new Float32Array(3) } }), undefined, 'points that do not fill count × dims');
    assert.equal(parseHostMessage({ ...init, strings: { a: 1 } }), undefined);
    assert.equal(parseHostMessage({ ...init, autostart: 'yes' }), undefined);
    assert.equal(parseHostMessage({ ...init, spec: { ...spec, networks: { encoder: [{ units: 3 }] } } }), undefined);
    assert.equal(parseHostMessage({ type: 'restart', title: 't', spec: { ...spec, training: {} } }), undefined);
    assert.equal(parseHostMessage({ type: 'setOptimizer', optimizer: { type: 'adam', learningRate: -1 } }), undefined);
    assert.equal(parseHostMessage({ type: 'setOptimizer', optimizer: { type: 'adamw', learningRate: 0.1 } }), undefined);
    assert.equal(parseHostMessage({ type: 'setOptimizer', optimizer: { type: 'adam', learningRate: 0.1, beta1: '0.5' } }), undefined);
    assert.equal(parseHostMessage({ ...init, hyperparameters: { ...init.hyperparameters, beta: 'high' } }), undefined);
  });

  it('accepts RGB image sets whose pixels fill count × height × width × 3, and rejects inconsistent ones', () => {
    // 2 images of 3×2 pixels, 3 channels each: 36 bytes.
    const rgb = { name: 'photos', count: 2, height: 3, width: 2, channels: 3, pixels: new Uint8Array(36), labels: new Uint8Array(2), classNames: ['cats', 'dogs'] };
    const parsed = parseHostMessage({ ...init, dataset: rgb });
    assert.ok(parsed && parsed.type === 'init', 'an RGB set with class names');
    assert.equal((parsed.dataset as { channels?: number }).channels, 3, 'channels survive the check');
    assert.deepEqual((parsed.dataset as { classNames?: string[] }).classNames, ['cats', 'dogs'], 'class names survive the check');
    assert.ok(parseHostMessage({ ...init, dataset: { ...rgb, kind: 'images', channels: 1, pixels: new Uint8Array(12) } }), 'grey, channels written out');
    assert.ok(parseHostMessage({ ...init, dataset: { ...rgb, channels: undefined, pixels: new Uint8Array(12) } }), 'grey, channels absent');
    const bad: Array<[string, unknown]> = [
      ['RGB pixels one byte short', { ...rgb, pixels: new Uint8Array(35) }],
      ['RGB pixels sized for grey', { ...rgb, pixels: new Uint8Array(12) }],
      ['grey pixels sized for RGB', { ...rgb, channels: undefined }],
      ['4 channels', { ...rgb, channels: 4, pixels: new Uint8Array(48) }],
      ['channels as a string', { ...rgb, channels: '3' }],
      ['a fractional height', { ...rgb, height: 1.5, pixels: new Uint8Array(18) }],
      ['class names that are not strings', { ...rgb, classNames: ['cats', 2] }],
      ['labels that do not match count', { ...rgb, labels: new Uint8Array(3) }],
    ];
    for (const [why, dataset] of bad) assert.equal(parseHostMessage({ ...init, dataset }), undefined, why);
  });

  it('accepts a cannotTrain message with up to MAX_PROBLEMS problems, copying only its fields', () => {
    const msg = { type: 'cannotTrain', title: 'GenLab: a.genlab.json', heading: 'a.genlab.json cannot train yet', problems: ['photos/cats/notes.txt: not a PNG or JPEG image'], hint: 'Fix it.' };
    assert.deepEqual(parseHostMessage({ ...msg, extra: 1 }), msg);
    assert.equal(parseHostMessage({ ...msg, problems: Array(MAX_PROBLEMS + 1).fill('x') }), undefined);
    assert.equal(parseHostMessage({ ...msg, problems: [1] }), undefined);
    assert.equal(parseHostMessage({ ...msg, heading: undefined }), undefined);
  });

  it('accepts a PNG export only with a plain view id, a whole step and base64 within the size limit', () => {
    const ok = { type: 'exportPng', view: 'samples', step: 12, png: 'iVBORw0KGgo=' };
    assert.deepEqual(parseWebviewMessage({ ...ok, path: '/etc/passwd' }), ok, 'no path ever comes through');
    for (const bad of [{ view: '../../x' }, { view: 'a/b' }, { view: '' }, { step: -1 }, { step: 1.5 }, { png: 'not base64!' }, { png: 'A'.repeat(MAX_PNG_BASE64 + 4) }, { png: 42 }]) {
      assert.equal(parseWebviewMessage({ ...ok, ...bad }), undefined, JSON.stringify(bad).slice(0, 80));
    }
  });

  it('copies only known fields from a webview message', () => {
    const m = parseWebviewMessage({ type: 'error', message: 'x', path: '/etc/passwd' });
    assert.deepEqual(m, { type: 'error', message: 'x' });
  });
});

describe('Content-Security-Policy', () => {
  it('is strict: nonce scripts, wasm-unsafe-eval but never unsafe-eval or unsafe-inline, no remote origins', () => {
    const csp = buildCsp('https://webview.example', 'N0NCE');
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-N0NCE' 'wasm-unsafe-eval'(;|$)/);
    assert.doesNotMatch(csp, /'unsafe-eval'|'unsafe-inline'|\*|https?:\/\/(?!webview\.example)/);
  });

  it('puts the nonce on the one script and escapes the title', () => {
    const nonce = makeNonce();
    assert.match(nonce, /^[A-Za-z0-9]{32}$/);
    const html = buildPlaygroundHtml({ cspSource: 'vscode-resource:', nonce, scriptUri: 's.js', styleUri: 's.css', lang: 'ja', title: '<x>' });
    assert.equal((html.match(/<script /g) ?? []).length, 1);
    assert.match(html, new RegExp(`<script type="module" nonce="${nonce}" src="s.js">`));
    assert.match(html, /<title>&lt;x&gt;<\/title>/);
    assert.match(html, /<html lang="ja">/);
  });
});
