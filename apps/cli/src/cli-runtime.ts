import { createRuntime, loadConfig, type Runtime, storeMismatch } from '@agreements/platform';

/** The CLI would write into other stores than the server running on its DATA_DIR. */
export class StoreMismatchError extends Error {}

/**
 * The stores the configuration names, opened for one command and closed after it. The CLI writes
 * into them directly (not through a server), so it first makes sure a server running on the
 * same DATA_DIR uses the same stores.
 */
export async function withRuntime<T>(run: (runtime: Runtime) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const mismatch = storeMismatch(config);
  if (mismatch) throw new StoreMismatchError(`refusing to write: ${mismatch}`);
  const runtime = await createRuntime(config, { role: 'cli', projector: false, relay: false });
  try {
    return await run(runtime);
  } finally {
    await runtime.close();
  }
}
