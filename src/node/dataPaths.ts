/** Keeps the data paths a model file names inside the workspace, so that a shared model file cannot read other files. */
import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';

/**
 * `p` resolved against `base` (the model file's folder), with symbolic links followed: the real
 * path of the target, or of its nearest existing parent folder when the target does not exist yet.
 * Throws when that path is not `root` or inside it (compared by path segments, so /work/rootfoo
 * is not inside /work/root).
 */
export function resolveInside(root: string, base: string, p: string): string {
  const target = realOrResolved(resolve(base, p));
  const realRoot = realOrResolved(resolve(root));
  if (!isInside(realRoot, target)) {
    const shownRoot = root.length > 1 ? root.replace(/[\\/]+$/, '') : root;
    throw new Error(`"${p}" is outside the workspace (${shownRoot}): GenLab reads data only from inside it`);
  }
  return target;
}

/** Whether `path` is `root` or below it; both absolute and normalised. */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  // relative() gives '..' or '../…' for paths above or beside root, and an absolute path for another drive (Windows).
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith('..' + '/') && !rel.startsWith('..' + '\\'));
}

/** The real path of `path` (symbolic links followed) or, when it does not exist, that of its nearest existing parent plus the rest. */
function realOrResolved(path: string, depth = 0): string {
  if (existsSync(path)) return realpathSync(path);
  const parent = dirname(path);
  if (parent === path) return path;
  const resolvedParent = realOrResolved(parent, depth);
  const here = join(resolvedParent, basename(path));
  // A dangling symbolic link: follow it anyway, so that it cannot point outside once its target appears.
  if (depth < 40 && lstatSync(here, { throwIfNoEntry: false })?.isSymbolicLink()) {
    return realOrResolved(resolve(resolvedParent, readlinkSync(here)), depth + 1);
  }
  return here;
}
