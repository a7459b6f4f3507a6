import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { WEBVIEW_STRINGS } from '../../src/shared/strings';

const root = join(__dirname, '..', '..');
const json = (f: string) => JSON.parse(readFileSync(join(root, f), 'utf8')) as Record<string, string>;

/** Every string literal passed to vscode.l10n.t in the host sources. */
function hostStrings(): string[] {
  const dir = join(root, 'src', 'extension');
  return readdirSync(dir).filter((f) => f.endsWith('.ts')).flatMap((f) =>
    [...readFileSync(join(dir, f), 'utf8').matchAll(/l10n\.t\('((?:[^'\\]|\\.)*)'/g)].map((m) => m[1]));
}

describe('localization', () => {
  it('translates every webview and host string into Japanese', () => {
    const ja = json('l10n/bundle.l10n.ja.json');
    const missing = [...WEBVIEW_STRINGS, ...hostStrings()].filter((s) => !(s in ja));
    assert.deepEqual(missing, []);
  });

  it('has a Japanese entry for every package.nls.json key, and each %key% of package.json exists', () => {
    const en = json('package.nls.json'), ja = json('package.nls.ja.json');
    assert.deepEqual(Object.keys(ja).sort(), Object.keys(en).sort());
    const used = [...readFileSync(join(root, 'package.json'), 'utf8').matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]);
    assert.deepEqual(used.filter((k) => !(k in en)), []);
  });

  it('keeps placeholders intact in every translation', () => {
    const ja = json('l10n/bundle.l10n.ja.json');
    for (const [en, tr] of Object.entries(ja)) {
      const ph = (s: string) => (s.match(/\{\d+\}/g) ?? []).sort().join();
      assert.equal(ph(tr), ph(en), `placeholders differ for "${en}"`);
    }
  });
});
