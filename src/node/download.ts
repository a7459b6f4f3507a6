/**
 * Downloads a data set of the catalog (src/node/datasetCatalog.ts) into a cache folder, checking
 * each file's published SHA-256 before it is kept, and loads a downloaded set. Shared by the
 * "GenLab: Download Dataset" command and `genlab download`.
 *
 * Each file is streamed (Node's global fetch, WHATWG Fetch) into a temporary file beside its final
 * name and renamed only after its checksum passes, so a cache never holds a half-written file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readSync, openSync, closeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { imageSetFromIdx, type ImageSet } from '../core/data/dataset';
import { DOWNLOADABLE_DATASETS } from '../core/modelfile/types';
import { catalogEntry, splitFiles, type DatasetEntry, type DatasetFile, type DatasetSplit } from './datasetCatalog';
import { readMaybeGzip } from './gzipFile';

/** The folder under the extension's global storage (context.globalStorageUri) that holds downloaded sets. */
export const GLOBAL_STORAGE_SUBDIR = 'datasets';

/** The user cancelled a download (AbortSignal); nothing half-written was kept. */
export class DownloadCancelled extends Error {
  constructor(readonly dataset: string) {
    super(`the download of ${dataset} was cancelled; nothing half-written was kept`);
    this.name = 'DownloadCancelled';
  }
}

/** What went wrong: a checksum mismatch, an HTTP error, no network, a bad mirror URL, the disk, an unknown set. */
export type DownloadErrorKind = 'checksum' | 'http' | 'offline' | 'url' | 'io' | 'unknown';

/** A download failed; the message is one line naming the file (or URL) and the problem. */
export class DownloadError extends Error {
  constructor(message: string, readonly kind: DownloadErrorKind) {
    super(message);
    this.name = 'DownloadError';
  }
}

/** Progress of one file: bytes received so far of `total` (Content-Length, when the server sent one). */
export interface DownloadProgress {
  file: string;
  received: number;
  total?: number;
  /** 0-based index of the file among `files`. */
  fileIndex: number;
  files: number;
  /** The file was already in the cache and verified; nothing was fetched. */
  skipped?: boolean;
}

/** Options of downloadDataset. */
export interface DownloadOptions {
  /** The cache folder; the set goes into `<cacheDir>/<name>/`. */
  cacheDir: string;
  /** A base URL replacing the published mirrors: files are fetched at `${mirror}/${name}/${file}`. */
  mirror?: string;
  signal?: AbortSignal;
  onProgress?(p: DownloadProgress): void;
  /** The fetch to use (default: Node's global fetch). */
  fetchImpl?: typeof fetch;
  /** Give up on a mirror that sends nothing for this long, in ms (default 30 000). */
  stallTimeoutMs?: number;
}

/** What downloadDataset did: the set's folder, and which files it fetched or found already verified. */
export interface DownloadResult {
  dir: string;
  downloaded: string[];
  skipped: string[];
}

/** The cache folder the CLI uses: $GENLAB_DATA_DIR, else $XDG_CACHE_HOME/genlab/datasets, else ~/.cache/genlab/datasets. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GENLAB_DATA_DIR) return env.GENLAB_DATA_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'genlab', 'datasets');
}

/** The folder of data set `name` in `cacheDir`. */
export function datasetDir(cacheDir: string, name: string): string {
  return join(cacheDir, name);
}

/** Whether all four files of `name` are in `cacheDir` (downloads are verified before they are kept). */
export function isDownloaded(cacheDir: string, name: string): boolean {
  const entry = catalogEntry(name);
  return !!entry && entry.files.every((f) => existsSync(join(datasetDir(cacheDir, name), f.name)));
}

/** The one-line message for a set that is not in the cache yet. */
export function notDownloadedMessage(name: string): string {
  return `"${name}" is not downloaded yet: run "GenLab: Download Dataset" (or genlab download ${name})`;
}

/** Loads one split of a downloaded set as images with class names; throws notDownloadedMessage when missing. */
export function loadDownloadedDataset(name: string, cacheDir: string, split: DatasetSplit = 'train'): ImageSet {
  const entry = requireEntry(name);
  const dir = datasetDir(cacheDir, name);
  const { images, labels } = splitFiles(split);
  if (!existsSync(join(dir, images)) || !existsSync(join(dir, labels))) throw new Error(notDownloadedMessage(name));
  let set: ImageSet;
  try {
    set = imageSetFromIdx(split === 'train' ? name : `${name} (test)`, readMaybeGzip(join(dir, images)), readMaybeGzip(join(dir, labels)));
  } catch (e) {
    throw new Error(`${dir}: ${messageOf(e)}; delete this folder and download ${name} again`);
  }
  return { ...set, classNames: [...entry.classNames] };
}

/** Downloads the four files of `name` into `<cacheDir>/<name>/`, skipping those already there and verified. */
export async function downloadDataset(name: string, options: DownloadOptions): Promise<DownloadResult> {
  const entry = requireEntry(name);
  const dir = datasetDir(options.cacheDir, name);
  const result: DownloadResult = { dir, downloaded: [], skipped: [] };
  if (options.signal?.aborted) throw new DownloadCancelled(name);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new DownloadError(`${dir}: cannot create the folder (${messageOf(e)})`, 'io');
  }
  const files = entry.files.length;
  for (const [fileIndex, file] of entry.files.entries()) {
    const dest = join(dir, file.name);
    if (existsSync(dest) && (await verifyFile(dest, file))) {
      options.onProgress?.({ file: file.name, received: file.bytes, total: file.bytes, fileIndex, files, skipped: true });
      result.skipped.push(file.name);
      continue;
    }
    const report = (received: number, total?: number) => options.onProgress?.({ file: file.name, received, total, fileIndex, files });
    await fetchFromMirrors(entry, file, dir, options, report);
    result.downloaded.push(file.name);
  }
  return result;
}

/** Whether the file at `path` matches the published .gz digest, or its (decompressed) content the content digest. */
export async function verifyFile(path: string, file: DatasetFile): Promise<boolean> {
  try {
    if ((await sha256OfFile(path, false)) === file.sha256) return true;
    return !!file.contentSha256 && (await sha256OfFile(path, true)) === file.contentSha256;
  } catch {
    return false; // unreadable, or not valid gzip: not the published file
  }
}

/** The URLs to try for `file`, in order: the mirror setting alone when given, else the published mirrors. */
function urlsFor(entry: DatasetEntry, file: DatasetFile, mirror: string | undefined): string[] {
  if (mirror?.trim()) return [`${mirror.trim().replace(/\/+$/, '')}/${entry.name}/${file.name}`];
  return entry.mirrors.map((base) => base + file.name);
}

/** A mirror that could not be reached, and why (ENOTFOUND, ECONNREFUSED, a timeout…). */
class Unreachable extends Error {
  constructor(readonly host: string, readonly reason: string) {
    super(`could not reach ${host} (${reason})`);
  }
}

/** Fetches `file` from each mirror in turn until one gives the published bytes. */
async function fetchFromMirrors(entry: DatasetEntry, file: DatasetFile, dir: string, options: DownloadOptions, report: (received: number, total?: number) => void): Promise<void> {
  const unreachable: Unreachable[] = [];
  const failed: DownloadError[] = [];
  for (const url of urlsFor(entry, file, options.mirror)) {
    try {
      await fetchOne(url, file, entry.name, join(dir, file.name), options, report);
      return;
    } catch (e) {
      if (e instanceof Unreachable) unreachable.push(e);
      else if (e instanceof DownloadError && (e.kind === 'checksum' || e.kind === 'http')) failed.push(e);
      else if (e instanceof DownloadError || e instanceof DownloadCancelled) throw e;
      else throw new DownloadError(`${url}: ${messageOf(e)}`, 'io');
    }
  }
  if (failed.length) throw failed[0];
  const hosts = unreachable.map((u) => `${u.host} (${u.reason})`).join(' or ');
  throw new DownloadError(
    `${file.name}: GenLab could not reach ${hosts}. To use local files instead, download the four .gz files elsewhere and write ` +
      `"data": { "path": "train-images-idx3-ubyte.gz", "labels": "train-labels-idx1-ubyte.gz" } in the model file, or put them in ${dir}/`,
    'offline',
  );
}

/** Streams `url` into a temporary file, verifies it and renames it to `dest`; removes the temporary file on any failure. */
async function fetchOne(url: string, file: DatasetFile, dataset: string, dest: string, options: DownloadOptions, report: (received: number, total?: number) => void): Promise<void> {
  let host: string;
  try {
    host = new URL(url).host;
  } catch {
    throw new DownloadError(`${url}: not a valid URL (check the mirror setting)`, 'url');
  }
  const controller = new AbortController();
  const cancel = () => controller.abort();
  options.signal?.addEventListener('abort', cancel, { once: true });
  let stalled = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => { stalled = true; controller.abort(); }, options.stallTimeoutMs ?? 30_000);
  };
  const tmp = `${dest}.${process.pid}-${randomBytes(4).toString('hex')}.part`;
  try {
    arm();
    // Identity encoding: a server must not re-compress the bytes on the way (fetch would undo it and the digest would differ).
    const res = await (options.fetchImpl ?? fetch)(url, { signal: controller.signal, headers: { 'accept-encoding': 'identity' } });
    if (!res.ok || !res.body) {
      await res.body?.cancel().catch(() => undefined);
      throw new DownloadError(`${url}: the server answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`, 'http');
    }
    const length = Number(res.headers.get('content-length'));
    const total = Number.isFinite(length) && length > 0 ? length : undefined;
    const hash = createHash('sha256');
    const out = await open(tmp, 'w');
    const reader = res.body.getReader();
    let received = 0, finished = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if ((finished = done)) break;
        arm();
        hash.update(value);
        await out.write(value);
        received += value.byteLength;
        report(received, total);
      }
    } finally {
      await out.close();
      if (!finished) await reader.cancel().catch(() => undefined); // frees the connection
      reader.releaseLock();
    }
    const digest = hash.digest('hex');
    if (digest !== file.sha256 && !(file.contentSha256 && (await sha256OfFile(tmp, true).catch(() => '')) === file.contentSha256)) {
      throw new DownloadError(`${url}: SHA-256 ${digest} does not match the published ${file.sha256}; the file was not kept`, 'checksum');
    }
    await rename(tmp, dest);
  } catch (e) {
    if (options.signal?.aborted) throw new DownloadCancelled(dataset);
    if (e instanceof DownloadError) throw e;
    if (stalled) throw new Unreachable(host, `no data for ${Math.round((options.stallTimeoutMs ?? 30_000) / 1000)} s`);
    if (isFileSystemError(e)) throw new DownloadError(`${e.path}: ${messageOf(e)}`, 'io');
    throw new Unreachable(host, networkReason(e));
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', cancel);
    await rm(tmp, { force: true }).catch(() => undefined);
  }
}

/** SHA-256 (hex) of a file's bytes, or with `content` of its decompressed bytes when it is gzip (RFC 1952 magic 1f 8b). */
async function sha256OfFile(path: string, content: boolean): Promise<string> {
  const hash = createHash('sha256');
  if (content && isGzip(path)) await pipeline(createReadStream(path), createGunzip(), hash);
  else await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** Whether a file starts with the gzip magic bytes. */
function isGzip(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** An error from the file system (it names a path), as opposed to one from the network. */
function isFileSystemError(e: unknown): e is NodeJS.ErrnoException & { path: string } {
  return typeof e === 'object' && e !== null && typeof (e as NodeJS.ErrnoException).path === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}

/** The short reason fetch failed: undici wraps the socket error (ENOTFOUND, ECONNREFUSED…) as `cause`. */
function networkReason(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code ?? (e as NodeJS.ErrnoException)?.code;
  if (code) return code;
  return cause?.message ?? messageOf(e);
}

/** The data set `name` of the catalog, or a DownloadError listing the ones there are. */
function requireEntry(name: string): DatasetEntry {
  const entry = catalogEntry(name);
  if (!entry) throw new DownloadError(`unknown data set "${name}": GenLab downloads ${DOWNLOADABLE_DATASETS.join(', ')}`, 'unknown');
  return entry;
}

/** An error's message, first line only. */
function messageOf(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}
