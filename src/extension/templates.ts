/** Model-file templates for "GenLab: New Model…", taken from the packaged snippets file. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'jsonc-parser';

/** A whole-file template. */
export interface Template {
  label: string;
  description: string;
  body: string;
}

/** Replaces snippet placeholders with their defaults: ${1:x} → x, ${1|a,b|} → a, $1 → "". */
export function expandSnippet(body: string): string {
  let out = body;
  for (let i = 0; i < 5; i++) {
    out = out
      .replace(/\$\{\d+:((?:[^{}$]|\\\$)*)\}/g, '$1')
      .replace(/\$\{\d+\|([^,|]*)[^|]*\|\}/g, '$1');
  }
  return out.replace(/\$\d+/g, '').replace(/\\\$/g, '$');
}

/** The whole-file templates (snippets whose body is a JSON object) in `extensionRoot`. */
export function loadTemplates(extensionRoot: string): Template[] {
  const snippets = parse(readFileSync(join(extensionRoot, 'snippets', 'genlab.code-snippets'), 'utf8')) as Record<string, { body: string | string[]; description?: string }>;
  return Object.entries(snippets)
    .map(([label, s]) => ({ label, description: s.description ?? '', body: expandSnippet(Array.isArray(s.body) ? s.body.join('\n') : s.body) }))
    .filter((t) => t.body.trimStart().startsWith('{') && /"family"\s*:/.test(t.body));
}
