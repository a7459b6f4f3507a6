/**
 * The playground's HTML and its Content-Security-Policy (after VS Code's Markdown preview):
 * nothing loads but our own bundled files, scripts (and the toolkit's one style element, which
 * FAST tags with the nonce from the csp-nonce meta tag) run only with the per-load nonce, and
 * 'wasm-unsafe-eval' (not 'unsafe-eval') lets the wasm fallback compile WebAssembly.
 * Pure: no vscode import, so the browser tests serve exactly this page.
 */

/** What the page needs from its host. */
export interface PlaygroundHtmlInput {
  /** The webview's resource origin (webview.cspSource). */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  /** BCP 47 language tag of the UI. */
  lang: string;
  title: string;
}

/** Builds the CSP header value. */
export function buildCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data: blob:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}' 'wasm-unsafe-eval'`,
    `connect-src ${cspSource}`,
  ].join('; ');
}

/** A fresh random nonce (32 alphanumeric characters). */
export function makeNonce(random: () => number = Math.random): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < 32; i++) out += chars[Math.floor(random() * chars.length)];
  return out;
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** The whole HTML document of the playground. */
export function buildPlaygroundHtml(p: PlaygroundHtmlInput): string {
  return `<!DOCTYPE html>
<html lang="${escapeHtml(p.lang)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(buildCsp(p.cspSource, p.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta property="csp-nonce" content="${p.nonce}">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${escapeHtml(p.styleUri)}">
<title>${escapeHtml(p.title)}</title>
</head>
<body>
<main id="app" aria-busy="true"></main>
<script type="module" nonce="${p.nonce}" src="${escapeHtml(p.scriptUri)}"></script>
</body>
</html>`;
}
