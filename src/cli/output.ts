/** What `genlab train` writes: view pictures, metrics.jsonl, the networks and the model file as trained. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { GenerativeModel } from '../core/family';
import { ignoredSettings } from '../core/modelfile/check';
import type { ModelSpec } from '../core/modelfile/types';
import type { ScatterView, View } from '../core/views';
import { encodePng, gridPng } from '../node/png';
import { histogramPng, planePng } from '../node/plotPng';
import { saveLayersModel } from '../node/saveModel';
import { RUNS_DIR, runFolderName } from '../node/runs';
export { MetricsFile } from '../node/metricsFile';

/** A qualitative palette (Tableau 10) for the ten label colours of the latent scatter. */
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'].map((h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)));

/** Draws a scatter view as a `size`×`size` RGB PNG: white ground, one dot per point coloured by label, axes fitted to the points. */
export function scatterPng(view: ScatterView, size = 256): Buffer {
  const px = new Uint8Array(size * size * 3).fill(255);
  const n = view.points.length / 2;
  const lo = [Infinity, Infinity], hi = [-Infinity, -Infinity];
  for (let i = 0; i < 2 * n; i++) {
    const v = view.points[i];
    if (Number.isFinite(v)) [lo[i % 2], hi[i % 2]] = [Math.min(lo[i % 2], v), Math.max(hi[i % 2], v)];
  }
  const toPx = (v: number, axis: number) => {
    const span = hi[axis] - lo[axis];
    return Math.round((span > 0 ? 0.04 + (0.92 * (v - lo[axis])) / span : 0.5) * (size - 1));
  };
  for (let i = 0; i < n; i++) {
    const [x, y] = [toPx(view.points[2 * i], 0), size - 1 - toPx(view.points[2 * i + 1], 1)];
    const colour = PALETTE[view.labels[i] % PALETTE.length];
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const [u, v] = [x + dx, y + dy];
      if (u >= 0 && v >= 0 && u < size && v < size) px.set(colour, (v * size + u) * 3);
    }
  }
  return encodePng({ width: size, height: size, channels: 3, pixels: px });
}

/**
 * The files of a view, by name suffix: a PNG for pictures, one PNG per panel for small multiples,
 * text for text and bars (a character and its probability per line); metrics have none (they go
 * to metrics.jsonl).
 */
function viewFiles(view: View): Array<[string, Uint8Array | string]> {
  switch (view.kind) {
    case 'images': return [['.png', gridPng(view, { scale: 2 })]];
    case 'scatter': return [['.png', scatterPng(view)]];
    case 'histogram': return [['.png', histogramPng(view)]];
    case 'plane': return [['.png', planePng(view)]];
    case 'planes':
      return view.panels.map((p, i) => [`-${i}.png`, planePng({ kind: 'plane', id: view.id, title: p.caption, extent: view.extent, layers: p.layers })]);
    case 'text': return [['.txt', view.lines.join('\n\n') + '\n']];
    case 'bars': return [['.txt', view.labels.map((l, i) => `${l}\t${view.values[i].toPrecision(4)}`).join('\n') + '\n']];
    case 'metrics': return [];
  }
}

/** Writes every view as `<id><suffix>.png` (or .txt, or one PNG per panel) in `dir`; returns the file names. */
export function writeViews(dir: string, views: readonly View[], suffix = '', only?: readonly string[]): string[] {
  const names: string[] = [];
  for (const view of views) {
    if (only && !only.includes(view.id)) continue;
    for (const [ext, body] of viewFiles(view)) {
      const name = `${view.id}${suffix}${ext}`;
      writeFileSync(join(dir, name), body);
      names.push(name);
    }
  }
  return names;
}

/** Saves every network of `model` to DIR/<network>/model.json + weights.bin; returns the folders. */
export async function writeNetworks(dir: string, model: GenerativeModel): Promise<string[]> {
  const written: string[] = [];
  for (const [name, net] of Object.entries(model.networks)) {
    await saveLayersModel(net, join(dir, name), `GenLab (${model.family} ${name})`);
    written.push(name);
  }
  return written;
}

/** Writes the model file as trained (every default filled in, data paths made relative to `dir`). */
export function writeModelFile(dir: string, spec: ModelSpec, modelDir: string, header: string): string {
  const data = { ...spec.data };
  for (const key of ['path', 'labels'] as const) {
    const p = data[key];
    if (p) data[key] = relative(resolve(dir), isAbsolute(p) ? p : resolve(modelDir, p)).split('\\').join('/');
  }
  const out = JSON.parse(JSON.stringify({ ...spec, data })) as Record<string, unknown>;
  // Leave out the defaults this family does not read (a GAN's KL warm-up, say), as the checker would warn about them.
  for (const { path } of ignoredSettings(spec)) {
    const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown> | undefined)?.[k], out) as Record<string | number, unknown> | undefined;
    if (parent) delete parent[path[path.length - 1]];
  }
  const body = JSON.stringify(out, null, 2);
  const path = join(dir, 'model.genlab.json');
  writeFileSync(path, `${header.split('\n').map((l) => `// ${l}`).join('\n')}\n${body}\n`);
  return path;
}

/** Creates the output folder. */
export function makeOutputDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The default output folder, a run folder of the workspace: <root>/.genlab/runs/<name>-<YYYYMMDD-HHMMSS>. */
export function defaultOutputDir(name: string, now = new Date(), root = '.'): string {
  return join(root, RUNS_DIR, runFolderName(name, now));
}
