/** Probes of the GenLab panel inside code-server's webview frames, shared by the e2e tests. */
import type { Frame, Page } from 'playwright-core';

/** What the panel's #stats element says. */
export interface Stats {
  found: boolean;
  step: number;
  backend: string | null;
  running: string | null;
  text: string;
  data: Record<string, string>;
}
/** What a canvas holds: its size and how many distinct pixel values. */
export interface CanvasProbe {
  found: boolean;
  width: number;
  height: number;
  distinct: number;
  blank: boolean;
  /** Pixels whose channels differ by more than 30 levels: colour, not grey. */
  coloured?: number;
  error?: string;
}

/** Reads #stats in the webview frame. */
export async function readStats(frame: Frame): Promise<Stats> {
  return frame.evaluate(() => {
    const el = document.querySelector<HTMLElement>('#stats');
    if (!el) return { found: false, step: -1, backend: null, running: null, text: '', data: {} };
    const data: Record<string, string> = {};
    for (const [k, v] of Object.entries(el.dataset)) data[k] = String(v);
    const step = Number.parseInt(el.getAttribute('data-step') || '', 10);
    return {
      found: true,
      step: Number.isFinite(step) ? step : -1,
      backend: el.getAttribute('data-backend'),
      running: el.getAttribute('data-running'),
      text: (el.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 300),
      data,
    };
  });
}

/** Copies canvas#view-<id> (default: samples) into a scratch 2D canvas (works for 2D and WebGL canvases) and counts distinct pixels. */
export async function probeCanvas(frame: Frame, id = 'samples'): Promise<CanvasProbe> {
  return frame.evaluate((viewId) => {
    const c = document.querySelector<HTMLCanvasElement>(`canvas#view-${viewId}`);
    if (!c) return { found: false, width: 0, height: 0, distinct: 0, blank: true };
    const { width, height } = c;
    if (!width || !height) return { found: true, width, height, distinct: 0, blank: true };
    try {
      const scratch = document.createElement('canvas');
      scratch.width = width;
      scratch.height = height;
      const ctx = scratch.getContext('2d', { willReadFrequently: true });
      if (!ctx) return { found: true, width, height, distinct: 0, blank: true, error: 'no 2d context' };
      ctx.drawImage(c, 0, 0);
      const px = new Uint32Array(ctx.getImageData(0, 0, width, height).data.buffer);
      const seen = new Set<number>();
      let coloured = 0;
      for (let i = 0; i < px.length; i++) {
        if (seen.size < 1000) seen.add(px[i]);
        const r = px[i] & 255, g = (px[i] >>> 8) & 255, b = (px[i] >>> 16) & 255;
        if (Math.max(r, g, b) - Math.min(r, g, b) > 30) coloured++;
      }
      return { found: true, width, height, distinct: seen.size, blank: seen.size <= 1, coloured };
    } catch (e) {
      return { found: true, width, height, distinct: 0, blank: true, error: String(e) };
    }
  }, id);
}

/**
 * The webview's content frame. VS Code 1.100 (code-server) nests it as
 *   iframe.webview  .../static/out/vs/workbench/contrib/webview/browser/pre/index.html?id=<uuid>  (name=<uuid>)
 *     > iframe  .../pre/fake.html?id=<uuid>  (created with id "pending-frame", renamed "active-frame" once
 *       loaded; Playwright keeps reporting the name it had when attached, i.e. "pending-frame")
 * so rather than relying on names, return whichever frame contains `selector` (#stats: a training panel).
 */
export async function findWebviewFrame(page: Page, selector = '#stats'): Promise<Frame | undefined> {
  const frames = page.frames();
  const ordered = [
    ...frames.filter((f) => f.name() === 'active-frame'),
    ...frames.filter((f) => f.name() !== 'active-frame' && f !== page.mainFrame()),
  ];
  for (const f of ordered) {
    try {
      if (await f.evaluate((sel) => !!document.querySelector(sel), selector)) return f;
    } catch {
      /* frame navigating or detached */
    }
  }
  return undefined;
}

/** The page's frame tree, for failure reports. */
export function describeFrames(page: Page): string {
  const lines: string[] = [];
  const walk = (f: Frame, depth: number) => {
    lines.push(`${'  '.repeat(depth)}- name=${JSON.stringify(f.name())} url=${f.url().slice(0, 160)}`);
    for (const c of f.childFrames()) walk(c, depth + 1);
  };
  walk(page.mainFrame(), 0);
  return lines.join('\n');
}
