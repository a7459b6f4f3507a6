/** `genlab download NAME [--dir DIR] [--mirror URL]`: downloads and verifies a data set of the catalog. */
import { DOWNLOADABLE_DATASETS } from '../core/modelfile/types';
import { catalogEntry } from '../node/datasetCatalog';
import { defaultCacheDir, DownloadCancelled, DownloadError, downloadDataset, type DownloadProgress } from '../node/download';
import { CliError, UsageError, type ParsedArgs } from './args';
import type { ProgressStream } from './progress';

/** Options `genlab download` takes. */
export const DOWNLOAD_OPTIONS = { dir: 'value', mirror: 'value' } as const;

/** Megabytes (10^6 bytes) with one decimal. */
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

/**
 * Runs `genlab download`; returns the exit status. The set's folder goes to `out`; progress goes to
 * `err` as one line per file (on a terminal `live` also shows the percentage as it grows).
 */
export async function runDownload(args: ParsedArgs, out: (line: string) => void, err: (line: string) => void, live: ProgressStream = process.stderr, signal?: AbortSignal): Promise<number> {
  if (args.positional.length !== 1) {
    throw new UsageError(args.positional.length ? 'download takes one data set' : `download needs a data set: ${DOWNLOADABLE_DATASETS.join(' or ')}`);
  }
  const name = args.positional[0];
  const entry = catalogEntry(name);
  if (!entry) throw new UsageError(`unknown data set "${name}": genlab downloads ${DOWNLOADABLE_DATASETS.join(', ')}`);
  const dir = args.options.dir, mirror = args.options.mirror;
  if (dir === '' || dir === true) throw new UsageError('--dir needs a folder');
  if (mirror === '' || mirror === true) throw new UsageError('--mirror needs a URL');
  const cacheDir = dir ?? defaultCacheDir();

  err(`${entry.label} (${entry.source}, ${entry.licence}) → ${cacheDir}`);
  // One line per file, written when the next file starts (or at the end); a terminal also sees it grow.
  let drawn = false;
  let last: DownloadProgress | undefined;
  const lineOf = (p: DownloadProgress) => `${p.file}  ${p.skipped ? 'already downloaded and verified' : progressText(p)}`;
  const flush = () => {
    if (drawn) live.write('\r\x1b[K');
    drawn = false;
    if (last) err(lineOf(last));
    last = undefined;
  };
  const onProgress = (p: DownloadProgress) => {
    if (last && last.fileIndex !== p.fileIndex) flush();
    last = p;
    if (live.isTTY) {
      live.write(`\r\x1b[K${lineOf(p)}`);
      drawn = true;
    }
  };

  // Ctrl-C cancels the download (the temporary file is removed); the exit status is then 130.
  const controller = new AbortController();
  const abort = () => controller.abort();
  if (signal?.aborted) abort();
  signal?.addEventListener('abort', abort, { once: true });
  process.once('SIGINT', abort);
  try {
    const result = await downloadDataset(name, { cacheDir, mirror, signal: controller.signal, onProgress });
    flush();
    err(`${name}: ${result.downloaded.length} file(s) downloaded, ${result.skipped.length} already there; use it with "data": "${name}"`);
    out(result.dir);
    return 0;
  } catch (e) {
    flush();
    if (e instanceof DownloadCancelled) throw new CliError(e.message, 130);
    if (e instanceof DownloadError) throw new CliError(e.message);
    throw e;
  } finally {
    process.removeListener('SIGINT', abort);
    signal?.removeEventListener('abort', abort);
  }
}

/** "45%  11.9 / 26.4 MB", or the megabytes alone when the size is unknown. */
function progressText(p: DownloadProgress): string {
  if (!p.total) return `${mb(p.received)} MB`;
  return `${Math.floor((100 * p.received) / p.total)}%  ${mb(p.received)} / ${mb(p.total)} MB`;
}
