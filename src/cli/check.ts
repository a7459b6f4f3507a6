/** `genlab check`: the model-file checker of the editor, with problems printed as file:line:col. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Problem } from '../core/modelfile/parse';
import { checkModelFileText } from '../node/modelFile';
import { isInside } from '../node/dataPaths';
import { defaultCacheDir } from '../node/download';
import type { DataEnvironment } from '../node/loadData';
import { CliError } from './args';

/** A problem with its 1-based line and column. */
export interface LocatedProblem extends Problem {
  line: number;
  column: number;
}

/** The 1-based line and column (in UTF-16 code units, as VS Code counts) of `offset` in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1, start = 0;
  const end = Math.min(Math.max(0, offset), text.length);
  for (let i = 0; i < end; i++) {
    if (text[i] === '\n') {
      line++;
      start = i + 1;
    }
  }
  return { line, column: end - start + 1 };
}

/** Reads a model file, or throws a CliError with a one-line reason. */
export function readModelFile(file: string): string {
  if (!existsSync(file)) throw new CliError(`${file}: no such file`);
  if (statSync(file).isDirectory()) throw new CliError(`${file}: is a folder, not a model file`);
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`${file}: cannot read (${e instanceof Error ? e.message : String(e)})`);
  }
}

/**
 * Where `genlab` lets the data of model file `file` come from: the current folder is the
 * workspace when the file is inside it, else the file's own folder; downloads are cached in
 * `dataDir`, by default $GENLAB_DATA_DIR or ~/.cache/genlab/datasets.
 */
export function cliDataEnvironment(file: string, dataDir?: string): DataEnvironment {
  const fileDir = dirname(resolve(file));
  const cwd = process.cwd();
  return { workspaceRoot: isInside(cwd, fileDir) ? cwd : fileDir, dataDir: dataDir ?? defaultCacheDir() };
}

/** Checks model-file `text` (read from `file`) exactly as the editor does: schema, data paths relative to the file, and the data itself. */
export function checkText(file: string, text: string, env: DataEnvironment = cliDataEnvironment(file)): LocatedProblem[] {
  const problems = checkModelFileText(text, dirname(resolve(file)), env);
  return problems.map((p) => ({ ...p, ...lineColumn(text, p.offset) })).sort((a, b) => a.offset - b.offset);
}

/** One problem in the `file:line:col: severity: message` form problem matchers read. */
export function formatProblem(file: string, p: LocatedProblem): string {
  return `${file}:${p.line}:${p.column}: ${p.severity}: ${p.message.replace(/\s*\n\s*/g, ' ')}`;
}

/** Runs `genlab check` over `files`; returns the exit status (1 when any error or unreadable file). */
export function runCheck(files: readonly string[], out: (line: string) => void, err: (line: string) => void): number {
  let errors = 0, warnings = 0, unreadable = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readModelFile(file);
    } catch (e) {
      unreadable++;
      err(`genlab: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    for (const p of checkText(file, text)) {
      out(formatProblem(file, p));
      if (p.severity === 'error') errors++;
      else warnings++;
    }
  }
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const checked = files.length - unreadable;
  err(`genlab check: ${plural(checked, 'file')} checked, ${plural(errors, 'error')}, ${plural(warnings, 'warning')}${unreadable ? `, ${unreadable} unreadable` : ''}`);
  return errors > 0 || unreadable > 0 ? 1 : 0;
}
