import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..', 'src');
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}
const imports = (f: string) => [...readFileSync(f, 'utf8').matchAll(/from '([^']+)'|import '([^']+)'/g)].map((m) => m[1] ?? m[2]);

describe('architecture', () => {
  it('the core imports neither vscode, nor Node, nor the other layers', () => {
    for (const f of files(join(root, 'core'))) {
      for (const i of imports(f)) {
        assert.ok(!/^vscode$|^node:|\.\.\/(extension|webview|node)\b|^(fs|path|zlib)$/.test(i), `${relative(root, f)} imports ${i}`);
      }
    }
  });

  it('the webview never imports the host, and the host neither imports the webview nor calls TensorFlow.js itself', () => {
    for (const f of files(join(root, 'webview'))) {
      for (const i of imports(f)) assert.ok(!/extension\/|^vscode$|^node:/.test(i), `${relative(root, f)} imports ${i}`);
    }
    for (const f of files(join(root, 'extension'))) {
      for (const i of imports(f)) assert.ok(!/webview\/|@tensorflow/.test(i), `${relative(root, f)} imports ${i}`);
    }
  });
});
