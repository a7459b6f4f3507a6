/**
 * Theme colours for the canvas views, read from VS Code's CSS variables on document.body,
 * with fallbacks (chosen by the background's lightness) for plain pages such as tests.
 */

/** Colours used by the canvas views, resolved from the active VS Code theme. */
export interface ThemeColors {
  /** Main text colour (titles, legend). */
  fg: string;
  /** Secondary text colour (tick labels, axis labels). */
  muted: string;
  /** Background colour of the editor. */
  bg: string;
  /** Grid and axis-line colour. */
  grid: string;
  /** At least 10 distinguishable series colours; the first six come from --vscode-charts-*. */
  series: string[];
}

type Rgba = [number, number, number, number];

/** [variable, dark fallback, light fallback] for the themed chart colours, in series order. */
const CHART_VARS: ReadonlyArray<readonly [string, string, string]> = [
  ['--vscode-charts-blue', '#3794ff', '#1a85ff'],
  ['--vscode-charts-orange', '#d18616', '#d18616'],
  ['--vscode-charts-green', '#89d185', '#388a34'],
  ['--vscode-charts-red', '#f14c4c', '#e51400'],
  ['--vscode-charts-purple', '#b180d7', '#652d90'],
  ['--vscode-charts-yellow', '#cca700', '#bf8803'],
];
/** Extra colours (not themed by VS Code) so that ten classes stay distinguishable. */
const EXTRA_DARK = ['#4dd0e1', '#f06292', '#a1887f', '#c0ca33', '#90a4ae', '#7986cb'];
const EXTRA_LIGHT = ['#0097a7', '#c2185b', '#795548', '#827717', '#546e7a', '#3949ab'];

function cssVar(style: CSSStyleDeclaration, name: string): string {
  return style.getPropertyValue(name).trim();
}

/** Parses #rgb, #rgba, #rrggbb, #rrggbbaa and rgb()/rgba(); null for anything else. */
function parseColor(c: string): Rgba | null {
  const s = c.trim().toLowerCase();
  const hex = /^#([0-9a-f]{3,8})$/.exec(s);
  if (hex) {
    let h = hex[1];
    if (h.length === 3 || h.length === 4) h = [...h].map((ch) => ch + ch).join('');
    if (h.length !== 6 && h.length !== 8) return null;
    const n = (i: number): number => parseInt(h.slice(i, i + 2), 16);
    return [n(0), n(2), n(4), h.length === 8 ? n(6) / 255 : 1];
  }
  const fn = /^rgba?\(([^)]*)\)$/.exec(s);
  if (fn) {
    const parts = fn[1].split(/[\s,/]+/).filter(Boolean).map((p) => (p.endsWith('%') ? parseFloat(p) / 100 : parseFloat(p)));
    if (parts.length < 3 || parts.some((p) => !Number.isFinite(p))) return null;
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  }
  return null;
}

function isDark(c: Rgba): boolean {
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2] < 128;
}

/** Reads the current theme colours; call again after a theme change (see onThemeChange). */
export function themeColors(): ThemeColors {
  const body = typeof document !== 'undefined' ? document.body : null;
  const style = body ? getComputedStyle(body) : null;
  const v = (name: string): string => (style ? cssVar(style, name) : '');

  let bg = v('--vscode-editor-background');
  let bgRgba = bg ? parseColor(bg) : null;
  if (!bgRgba && style) {
    const computed = parseColor(style.backgroundColor);
    if (computed && computed[3] > 0) {
      bgRgba = computed;
      bg = bg || style.backgroundColor;
    }
  }
  if (!bg) bg = '#ffffff';
  const dark = bgRgba ? isDark(bgRgba) : false;

  const fg = v('--vscode-editor-foreground') || v('--vscode-foreground') || (dark ? '#cccccc' : '#333333');
  const muted = v('--vscode-descriptionForeground') || (dark ? '#9d9d9d' : '#6f6f6f');
  const grid = v('--vscode-panel-border') || (dark ? 'rgba(128,128,128,0.35)' : 'rgba(128,128,128,0.3)');
  const series = CHART_VARS.map(([name, d, l]) => v(name) || (dark ? d : l));
  series.push(...(dark ? EXTRA_DARK : EXTRA_LIGHT));
  return { fg, muted, bg, grid, series };
}

/** CSS font string in the editor's UI font family, e.g. themeFont(11) → "11px <family>". */
export function themeFont(sizePx: number, weight = ''): string {
  const style = typeof document !== 'undefined' && document.body ? getComputedStyle(document.body) : null;
  const family = (style && cssVar(style, '--vscode-font-family')) || 'system-ui, -apple-system, "Segoe UI", sans-serif';
  return `${weight ? weight + ' ' : ''}${sizePx}px ${family}`;
}

/** Calls cb when VS Code switches theme (body class or root style change); returns an unsubscribe function. */
export function onThemeChange(cb: () => void): () => void {
  const obs = new MutationObserver(() => cb());
  obs.observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
  obs.observe(document.documentElement, { attributes: true, attributeFilter: ['class', 'style'] });
  return () => obs.disconnect();
}
