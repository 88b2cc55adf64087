import { join } from 'node:path';
import { WorkerThread } from '@agreements/worker-threads';
import type { DerivedChunk } from './derive-chunk';
import type { materializeThread, MaterializeThreadData } from './materialize-thread';

/**
 * A materializing thread allocates its chunk's events, states and rows, and most of it dies once
 * the chunk is sent back. With V8's default young generation (16 MiB semi-spaces) much of a
 * chunk outlives a scavenge and is copied, then promoted and marked: a quarter of the thread's
 * time went to the garbage collector. 64 MiB semi-spaces (this is three of them) cut the
 * thread's CPU by about a tenth (docs/benchmarks.md, issue 14).
 */
const MATERIALIZING_YOUNG_GENERATION_MB = 192;

/**
 * Threads that read chunks of streams (from a SQLite generation's event copy, or the event store's
 * fast log) and fold them (materialize-thread.ts).
 */
export class MaterializeWorkers {
  private closed = false;

  private constructor(private readonly threads: Array<WorkerThread<string[], DerivedChunk>>) {}

  static start(count: number, data: MaterializeThreadData): MaterializeWorkers {
    const threads: Array<WorkerThread<string[], DerivedChunk>> = [];
    for (let i = 0; i < count; i += 1) {
      threads.push(
        WorkerThread.start<typeof materializeThread>({
          module: join(__dirname, 'materialize-thread'),
          export: 'materializeThread',
          data,
          name: 'materializing thread',
          resourceLimits: { maxYoungGenerationSizeMb: MATERIALIZING_YOUNG_GENERATION_MB },
        }),
      );
    }
    return new MaterializeWorkers(threads);
  }

  /** Reads and folds these streams on the thread with the least work queued. */
  derive(streamIds: string[]): Promise<DerivedChunk> {
    if (this.closed) return Promise.reject(new Error('the materializing threads are closed'));
    let index = 0;
    for (let i = 1; i < this.threads.length; i += 1)
      if (this.threads[i].pending < this.threads[index].pending) index = i;
    return this.threads[index].request(streamIds);
  }

  /** Lets each thread finish and exit (stopped after a second if it does not). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.threads.map((thread) => thread.stop({ timeoutMs: 1_000 })));
  }
}
