import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseArgs } from '../../src/cli/args';
import { DOWNLOAD_OPTIONS, runDownload } from '../../src/cli/download';
import { describeFailure } from '../../src/cli/main';
import { DATASET_CATALOG, type DatasetFile } from '../../src/node/datasetCatalog';
import {
  datasetDir, defaultCacheDir, DownloadCancelled, DownloadError, downloadDataset, isDownloaded, loadDownloadedDataset,
  verifyFile, type DownloadProgress,
} from '../../src/node/download';

/** Debian's dataset-fashion-mnist: the same IDX content as the published files, gzip-recompressed. */
const DEBIAN_DIR = '/usr/share/datasets/fashion-mnist';
const FILES = DATASET_CATALOG['fashion-mnist'].files.map((f) => f.name);

/** How the test server misbehaves for one file. */
interface Fault { corrupt?: string; status?: [string, number] }

/** A server on 127.0.0.1 (random port) serving DEBIAN_DIR at /fashion-mnist/<file>, counting requests. */
async function startServer(fault: Fault = {}): Promise<{ url: string; server: Server; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const m = /^\/fashion-mnist\/([\w.-]+)$/.exec(req.url ?? '');
    if (!m || !FILES.includes(m[1]) || fault.status?.[0] === m[1]) {
      res.writeHead(fault.status?.[1] ?? 404).end('not here');
      return;
    }
    const bytes = readFileSync(join(DEBIAN_DIR, m[1]));
    if (fault.corrupt === m[1]) bytes[1000] ^= 0x01;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
    // Several writes, so that the client sees several chunks and progress events.
    for (let at = 0; at < bytes.length; at += 1 << 20) res.write(bytes.subarray(at, at + (1 << 20)));
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, requests };
}

const stop = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('downloading data sets', function () {
  this.timeout(60_000);
  let tmp: string;
  let serving: Awaited<ReturnType<typeof startServer>>;

  before(async function () {
    // A missing package fails here rather than skipping: a download test that cannot run proves nothing.
    assert.ok(existsSync(DEBIAN_DIR), `${DEBIAN_DIR} is missing: install Debian's dataset-fashion-mnist package (scripts/ensure-system-deps.sh does)`);
    tmp = mkdtempSync(join(tmpdir(), 'genlab-download-'));
    serving = await startServer();
  });
  after(async () => {
    if (serving) await stop(serving.server);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('downloads Fashion-MNIST, verifies it, reports progress and loads 60 000 labelled images', async () => {
    const cacheDir = join(tmp, 'a');
    const events: DownloadProgress[] = [];
    const result = await downloadDataset('fashion-mnist', { cacheDir, mirror: `${serving.url}/`, onProgress: (p) => events.push({ ...p }) });
    assert.deepEqual(result.downloaded, FILES);
    assert.deepEqual(readdirSync(datasetDir(cacheDir, 'fashion-mnist')).sort(), [...FILES].sort());
    assert.ok(isDownloaded(cacheDir, 'fashion-mnist'));
    for (const file of DATASET_CATALOG['fashion-mnist'].files) {
      assert.ok(await verifyFile(join(result.dir, file.name), file), `${file.name} does not verify`);
      const mine = events.filter((e) => e.file === file.name);
      assert.ok(mine.length >= 1);
      for (let i = 1; i < mine.length; i++) assert.ok(mine[i].received > mine[i - 1].received, `${file.name}: progress went back`);
      const size = readFileSync(join(DEBIAN_DIR, file.name)).length;
      assert.deepEqual([mine.at(-1)!.received, mine.at(-1)!.total], [size, size]);
    }
    assert.ok(events.length > 30, `only ${events.length} progress events`);
    assert.deepEqual(events.map((e) => e.fileIndex), [...events.map((e) => e.fileIndex)].sort((a, b) => a - b));

    const train = loadDownloadedDataset('fashion-mnist', cacheDir);
    assert.deepEqual([train.count, train.height, train.width, train.pixels.length], [60000, 28, 28, 60000 * 784]);
    const perClass = new Array(10).fill(0);
    train.labels.forEach((l) => perClass[l]++);
    assert.deepEqual(perClass, new Array(10).fill(6000));
    assert.equal(train.classNames?.[0], 'T-shirt/top');
    assert.equal(train.classNames?.[9], 'Ankle boot');
    const test = loadDownloadedDataset('fashion-mnist', cacheDir, 'test');
    assert.equal(test.count, 10000);
    assert.equal(test.labels.filter((l) => l === 3).length, 1000);
  });

  it('skips files already there and verified, without a single request', async () => {
    const cacheDir = join(tmp, 'a');
    const before = serving.requests.length;
    const events: DownloadProgress[] = [];
    const result = await downloadDataset('fashion-mnist', { cacheDir, mirror: serving.url, onProgress: (p) => events.push(p) });
    assert.equal(serving.requests.length, before);
    assert.deepEqual(result.skipped, FILES);
    assert.deepEqual(result.downloaded, []);
    assert.ok(events.every((e) => e.skipped));
  });

  it('refuses a file with one byte changed and keeps nothing under its name', async () => {
    const bad = await startServer({ corrupt: 'train-labels-idx1-ubyte.gz' });
    const cacheDir = join(tmp, 'b');
    try {
      await assert.rejects(downloadDataset('fashion-mnist', { cacheDir, mirror: bad.url }), (e: unknown) => {
        assert.ok(e instanceof DownloadError && e.kind === 'checksum');
        assert.match(e.message, /\/fashion-mnist\/train-labels-idx1-ubyte\.gz: SHA-256 [0-9a-f]{64} does not match the published a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845; the file was not kept$/);
        return true;
      });
    } finally {
      await stop(bad.server);
    }
    const left = readdirSync(datasetDir(cacheDir, 'fashion-mnist'));
    assert.deepEqual(left, ['train-images-idx3-ubyte.gz'], `left in the cache: ${left.join(', ')}`);
  });

  it('cancels on request with DownloadCancelled and leaves nothing', async () => {
    const cacheDir = join(tmp, 'c');
    const controller = new AbortController();
    await assert.rejects(
      downloadDataset('fashion-mnist', { cacheDir, mirror: serving.url, signal: controller.signal, onProgress: () => controller.abort() }),
      DownloadCancelled,
    );
    assert.deepEqual(readdirSync(datasetDir(cacheDir, 'fashion-mnist')), []);
    assert.ok(!isDownloaded(cacheDir, 'fashion-mnist'));
  });

  it('says it could not reach the host, and how to use local files, when nothing listens', async () => {
    const closed = await startServer();
    await stop(closed.server);
    const host = closed.url.replace('http://', '');
    const cacheDir = join(tmp, 'd');
    await assert.rejects(downloadDataset('fashion-mnist', { cacheDir, mirror: closed.url }), (e: unknown) => {
      assert.ok(e instanceof DownloadError && e.kind === 'offline');
      assert.ok(!e.message.includes('\n'));
      assert.ok(e.message.startsWith(`train-images-idx3-ubyte.gz: GenLab could not reach ${host} (ECONNREFUSED)`), e.message);
      assert.match(e.message, /local files/);
      assert.ok(e.message.includes('"data": { "path": "train-images-idx3-ubyte.gz", "labels": "train-labels-idx1-ubyte.gz" }'));
      assert.ok(e.message.includes(datasetDir(cacheDir, 'fashion-mnist')));
      return true;
    });
    assert.deepEqual(readdirSync(datasetDir(cacheDir, 'fashion-mnist')), []);
  });

  it('names the file and the HTTP status when the server refuses it', async () => {
    const refusing = await startServer({ status: ['train-images-idx3-ubyte.gz', 404] });
    try {
      await assert.rejects(downloadDataset('fashion-mnist', { cacheDir: join(tmp, 'e'), mirror: refusing.url }),
        /^DownloadError: http:\/\/127\.0\.0\.1:\d+\/fashion-mnist\/train-images-idx3-ubyte\.gz: the server answered HTTP 404 Not Found$/);
    } finally {
      await stop(refusing.server);
    }
  });

  it('genlab download writes the verified files and prints the folder', async () => {
    const dir = join(tmp, 'g');
    const out: string[] = [], err: string[] = [];
    const code = await runDownload(parseArgs(['fashion-mnist', '--dir', dir, '--mirror', serving.url], DOWNLOAD_OPTIONS), (l) => out.push(l), (l) => err.push(l), { write: () => true });
    assert.equal(code, 0);
    assert.deepEqual(out, [join(dir, 'fashion-mnist')]);
    assert.ok(isDownloaded(dir, 'fashion-mnist'));
    for (const file of FILES) assert.ok(err.some((l) => l.startsWith(`${file}  100%`)), `no progress line for ${file}:\n${err.join('\n')}`);

    const closed = await startServer();
    await stop(closed.server);
    const failure = await runDownload(parseArgs(['fashion-mnist', '--dir', join(tmp, 'g2'), '--mirror', closed.url], DOWNLOAD_OPTIONS), () => undefined, () => undefined, { write: () => true })
      .then(() => assert.fail('downloaded from a closed port'), (e: unknown) => describeFailure(e));
    assert.equal(failure.code, 1);
    assert.match(failure.line, /^genlab: train-images-idx3-ubyte\.gz: GenLab could not reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);

    const cancelled = await runDownload(parseArgs(['fashion-mnist', '--dir', join(tmp, 'g3'), '--mirror', serving.url], DOWNLOAD_OPTIONS), () => undefined, () => undefined, { write: () => true }, AbortSignal.abort())
      .then(() => assert.fail('not cancelled'), (e: unknown) => describeFailure(e));
    assert.deepEqual(cancelled, { line: 'genlab: the download of fashion-mnist was cancelled; nothing half-written was kept', code: 130 });
  });
});

describe('the data set cache', () => {
  it('puts the cache in $GENLAB_DATA_DIR, else $XDG_CACHE_HOME/genlab/datasets, else ~/.cache/genlab/datasets', () => {
    assert.equal(defaultCacheDir({ GENLAB_DATA_DIR: '/d', XDG_CACHE_HOME: '/x' }), '/d');
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/x' }), join('/x', 'genlab', 'datasets'));
    assert.match(defaultCacheDir({}), /[\\/]\.cache[\\/]genlab[\\/]datasets$/);
  });

  it('says how to download a set that is not there yet', () => {
    const empty = mkdtempSync(join(tmpdir(), 'genlab-nodata-'));
    try {
      assert.throws(() => loadDownloadedDataset('fashion-mnist', empty),
        { message: '"fashion-mnist" is not downloaded yet: run "GenLab: Download Dataset" (or genlab download fashion-mnist)' });
      assert.ok(!isDownloaded(empty, 'mnist-full'));
      assert.throws(() => loadDownloadedDataset('cifar', empty), /unknown data set "cifar"/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('accepts a file by the digest of its .gz bytes or of its decompressed content, nothing else', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'genlab-verify-'));
    try {
      const content = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 7, 3]);
      const gz = gzipSync(content);
      const path = join(dir, 'x.gz');
      writeFileSync(path, gz);
      const file = (sha: string, contentSha?: string): DatasetFile => ({ name: 'x.gz', bytes: gz.length, sha256: sha, contentSha256: contentSha });
      assert.equal(await verifyFile(path, file(sha256(gz))), true);
      assert.equal(await verifyFile(path, file('0'.repeat(64), sha256(content))), true);
      assert.equal(await verifyFile(path, file('0'.repeat(64), '1'.repeat(64))), false);
      assert.equal(await verifyFile(path, file('0'.repeat(64))), false);
      assert.equal(await verifyFile(join(dir, 'missing.gz'), file(sha256(gz))), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('catalogs both sets with four files, published digests, mirrors and licences', () => {
    for (const entry of Object.values(DATASET_CATALOG)) {
      assert.deepEqual(entry.files.map((f) => f.name), FILES);
      assert.ok(entry.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256) && f.bytes > 0));
      assert.ok(entry.mirrors.length >= 1 && entry.mirrors.every((m) => /^https?:\/\/.+\/$/.test(m)));
    }
    assert.equal(DATASET_CATALOG['mnist-full'].licence, 'CC BY-SA 3.0');
    assert.equal(DATASET_CATALOG['fashion-mnist'].licence, 'MIT');
    assert.ok(DATASET_CATALOG['mnist-full'].files.every((f) => f.contentSha256 === undefined));
  });
});
