/**
 * Starts tfjs-backend-wasm 4.22's threaded SIMD build in Node, which the package itself refuses
 * there (WASM_HAS_MULTITHREAD_SUPPORT is false under Node: tensorflow/tfjs#3830). Three
 * obstacles, each worked around for the benchmark only:
 *  1. The flag: set to true before the backend starts.
 *  2. Emscripten's pthread workers are started from blob: URLs, which Node's worker_threads
 *     refuses; the worker script and the module's main script are written to a temporary folder
 *     and URL.createObjectURL hands out their paths instead.
 *  3. The backend caps XNNPACK's pool at half the logical cores (os.cpus().length / 2, assuming
 *     two hyper-threads per core): 1 on a 2-core machine. os.cpus is made to report 2·threads
 *     cores while the module starts.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, type CpuInfo } from 'node:os';
import { join } from 'node:path';

/** Activates the wasm backend with `threads` XNNPACK threads; returns the count the backend reports. */
export async function startThreadedWasm(threads: number): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const factory = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as { wasmWorkerContents: string };
  const dir = mkdtempSync(join(tmpdir(), 'genlab-wasm-threads-'));
  const mainScript = join(dir, 'main.js'), workerScript = join(dir, 'worker.js');
  writeFileSync(mainScript, `var WasmBackendModuleThreadedSimd = ${(factory.default ?? factory).toString()};`);
  // In the worker, the main script arrives as a Blob: point its object URL at the file instead.
  const workerPrelude = `URL.createObjectURL = () => ${JSON.stringify(mainScript)}; URL.revokeObjectURL = () => {};\n`;
  writeFileSync(workerScript, workerPrelude + wasmWorkerContents.replace(/\n/g, '\\n'));
  const createObjectURL = URL.createObjectURL;
  URL.createObjectURL = ((b: Blob) => (b.type === 'application/javascript' ? workerScript : createObjectURL(b))) as typeof URL.createObjectURL;
  // The module calls require("os").cpus(): patch that object, not an import's namespace copy.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mutableOs = require('node:os') as { cpus: () => CpuInfo[] };
  const cpus = mutableOs.cpus;
  mutableOs.cpus = () => Array.from({ length: 2 * threads }, () => cpus()[0]);
  try {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    wasm.setThreadsCount(threads);
    if (!(await tf.setBackend('wasm'))) throw new Error('the threaded wasm backend could not start');
    await tf.ready();
  } finally {
    mutableOs.cpus = cpus;
    URL.createObjectURL = createObjectURL;
  }
  return wasm.getThreadsCount();
}
