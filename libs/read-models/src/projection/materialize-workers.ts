import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DerivedChunk } from './derive-chunk';

export interface MaterializeWorkerData {
  /** The generation's event copy in the read models' SQLite file, or the SQLite event log up to a position. */
  source: { kind: 'copy'; file: string; table: string } | { kind: 'log'; file: string; head: number };
}

export type ToMaterializeWorker = { id: number; streamIds: string[] } | { close: true };
export type FromMaterializeWorker = { id: number; derived: DerivedChunk } | { id: number; error: string };

interface Pending {
  resolve: (derived: DerivedChunk) => void;
  reject: (error: Error) => void;
}

/**
 * Threads that read chunks of streams (from a SQLite generation's event copy, or the SQLite log) and fold them
 * (materialize.worker.ts). Run from the TypeScript sources (tests), a thread compiles them
 * with the repository's swc hook; from dist/, it loads the compiled worker.
 */
export class MaterializeWorkers {
  private readonly pending: Array<Map<number, Pending>>;
  private nextId = 1;
  private closed = false;

  private constructor(private readonly workers: Worker[]) {
    this.pending = workers.map(() => new Map());
    workers.forEach((worker, index) => {
      const pending = this.pending[index];
      const failAll = (error: Error) => {
        for (const waiting of pending.values()) waiting.reject(error);
        pending.clear();
      };
      worker.on('message', (message: FromMaterializeWorker) => {
        const waiting = pending.get(message.id);
        if (!waiting) return;
        pending.delete(message.id);
        if ('error' in message) waiting.reject(new Error(`materializing thread: ${message.error}`));
        else waiting.resolve(message.derived);
      });
      worker.on('error', (error) => failAll(error));
      worker.on('exit', (code) => {
        if (!this.closed) failAll(new Error(`a materializing thread exited (code ${code})`));
      });
    });
  }

  static start(count: number, data: MaterializeWorkerData): MaterializeWorkers {
    const fromSources = __filename.endsWith('.ts');
    const script = join(__dirname, fromSources ? 'materialize.worker.ts' : 'materialize.worker.js');
    const execArgv = fromSources ? ['-r', join(__dirname, '..', '..', '..', 'worker-threads', 'src', 'swc-register.js')] : [];
    const workers: Worker[] = [];
    for (let i = 0; i < count; i += 1) workers.push(new Worker(script, { workerData: data, execArgv }));
    return new MaterializeWorkers(workers);
  }

  /** Reads and folds these streams on the thread with the least work queued. */
  derive(streamIds: string[]): Promise<DerivedChunk> {
    if (this.closed) return Promise.reject(new Error('the materializing threads are closed'));
    let index = 0;
    for (let i = 1; i < this.workers.length; i += 1) if (this.pending[i].size < this.pending[index].size) index = i;
    const id = this.nextId++;
    return new Promise<DerivedChunk>((resolve, reject) => {
      this.pending[index].set(id, { resolve, reject });
      this.workers[index].postMessage({ id, streamIds } satisfies ToMaterializeWorker);
    });
  }

  /** Lets each thread finish and exit (stopped after a second if it does not). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => void worker.terminate().finally(resolve), 1_000);
            worker.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            worker.postMessage({ close: true } satisfies ToMaterializeWorker);
          }),
      ),
    );
  }
}
