/**
 * The runs of a workspace: folders under .genlab/runs, each with the model file as trained,
 * metrics.jsonl, checkpoint/ (and checkpoint-previous/) and exported pictures. Read for the
 * GenLab view; deleted only inside a runs folder.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isInside } from './dataPaths';

/** Where runs live in a workspace, for the CLI and the editor alike. */
export const RUNS_DIR = join('.genlab', 'runs');

/** What the GenLab view shows of one run. */
export interface RunSummary {
  name: string;
  dir: string;
  family?: string;
  /** The step of its latest checkpoint, or of its last metrics row. */
  step?: number;
  /** The optimized loss term of its last metrics row, and its name. */
  loss?: { term: string; value: number };
  /** The latest sample grid (samples.png, else the newest samples-step<N>.png), if any. */
  samples?: string;
  modified: number;
}

/** The last line of a text file that parses as JSON and has a `step`, reading only its tail. */
function lastStepRow(path: string): Record<string, unknown> | undefined {
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8');
  const lines = text.slice(Math.max(0, text.length - 65536)).split('\n').reverse();
  for (const line of lines) {
    try {
      const row = JSON.parse(line) as Record<string, unknown>;
      if (typeof row.step === 'number' && !('heldout' in row) && !('metrics' in row)) return row;
    } catch {
      // a partial line
    }
  }
  return undefined;
}

/** Reads one run folder. */
export function readRun(dir: string): RunSummary {
  const name = dir.split(/[\\/]/).pop() ?? dir;
  const summary: RunSummary = { name, dir, modified: statSync(dir).mtimeMs };
  const stateFile = join(dir, 'checkpoint', 'state.json');
  if (existsSync(stateFile)) {
    try {
      const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { family?: string; trainer?: { step?: number } };
      summary.family = state.family;
      summary.step = state.trainer?.step;
    } catch {
      // a damaged checkpoint: the rest still shows
    }
  }
  if (!summary.family && existsSync(join(dir, 'model.genlab.json'))) {
    const match = /"family"\s*:\s*"([^"]+)"/.exec(readFileSync(join(dir, 'model.genlab.json'), 'utf8'));
    summary.family = match?.[1];
  }
  const row = lastStepRow(join(dir, 'metrics.jsonl'));
  if (row) {
    summary.step ??= row.step as number;
    const term = Object.keys(row).find((k) => k !== 'step' && k !== 'epoch' && typeof row[k] === 'number');
    if (term) summary.loss = { term, value: row[term] as number };
  }
  const pictures = readdirSync(dir).filter((f) => /^samples(-step\d+)?\.png$/.test(f));
  const stepOf = (f: string) => (f === 'samples.png' ? Infinity : Number(/step(\d+)/.exec(f)?.[1] ?? 0));
  const latest = pictures.sort((a, b) => stepOf(b) - stepOf(a))[0];
  if (latest) summary.samples = join(dir, latest);
  return summary;
}

/** Every run under `runsDir`, newest first; none when it does not exist. */
export function listRuns(runsDir: string): RunSummary[] {
  if (!existsSync(runsDir)) return [];
  return readdirSync(runsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => readRun(join(runsDir, e.name)))
    .sort((a, b) => b.modified - a.modified);
}

/** The PNG signature (ISO/IEC 15948 §5.2). */
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Saves a view exported from the panel as <runDir>/exports/<view>-step<N>.png and returns the
 * path; refuses a view id that is not a plain name and bytes that are not a PNG.
 */
export function writeExport(runDir: string, view: string, step: number, png: Uint8Array): string {
  if (!/^[A-Za-z][\w-]{0,63}$/.test(view)) throw new Error(`"${view}" is not a view id`);
  if (!PNG_SIGNATURE.every((b, i) => png[i] === b)) throw new Error(`the ${view} export is not a PNG image`);
  const dir = join(runDir, 'exports');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${view}-step${Math.max(0, Math.floor(step))}.png`);
  writeFileSync(file, png);
  return file;
}

/** Saves the run's latest sample grid as <runDir>/samples.png (what the GenLab view shows); refuses bytes that are not a PNG. */
export function writeSamplesPreview(runDir: string, png: Uint8Array): string {
  if (!PNG_SIGNATURE.every((b, i) => png[i] === b)) throw new Error('the sample grid is not a PNG image');
  const file = join(runDir, 'samples.png');
  writeFileSync(file, png);
  return file;
}

/** A new run folder name for model `name` at `now`: <name>-<YYYYMMDD-HHMMSS>. */
export function runFolderName(name: string, now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'model';
  return `${safe}-${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
}

/** Deletes run folder `dir`, refusing anything that is not a folder directly inside `runsDir`. */
export function deleteRun(runsDir: string, dir: string): void {
  const root = resolve(runsDir), target = resolve(dir);
  if (target === root || !isInside(root, target) || resolve(target, '..') !== root) {
    throw new Error(`${dir} is not a run folder in ${runsDir}: GenLab deletes only its own runs`);
  }
  rmSync(target, { recursive: true, force: true });
}
