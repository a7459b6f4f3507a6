/** Shared test setup: the backend named by GENLAB_TEST_BACKEND (wasm by default). */
import { useNodeBackend, type NodeBackend } from '../../src/node/backend';

/** Starts the test backend once. */
export async function testBackend(): Promise<string> {
  return useNodeBackend((process.env.GENLAB_TEST_BACKEND as NodeBackend) ?? 'wasm');
}
