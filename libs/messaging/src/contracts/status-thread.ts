import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RecordedEvent } from '@agreements/event-store';
import type { OutgoingMessage } from './cloud-events';

export interface StatusThreadData {
  /** The SQLite event log the thread reads. */
  file: string;
  /** Agreements whose folded state the thread keeps between batches. */
  cacheSize: number;
}

export type ToStatusThread = { id: number; from: string; to: string; count: number } | { close: true };
export type FromStatusThread = { id: number; messages: OutgoingMessage[] } | { id: number; error: string };

/**
 * The status topic's folding on a thread of its own (status.worker.ts): for each batch, the
 * thread reads the batch's events from the SQLite log itself (by position) and folds them with an
 * AgreementStatusFolder of its own, while this thread encodes and sends the batch before it. Run
 * from the TypeScript sources (tests), the thread compiles them with the repository's swc hook.
 */
export class StatusThread {
  private readonly pending = new Map<number, { resolve: (messages: OutgoingMessage[]) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  private closed = false;
  private failure: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: FromStatusThread) => {
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      if ('error' in message) waiting.reject(new Error(`status summaries: ${message.error}`));
      else waiting.resolve(message.messages);
    });
    const failAll = (error: Error) => {
      this.failure = error;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => {
      if (!this.closed) failAll(new Error(`the status summaries' thread exited (code ${code})`));
    });
    worker.unref();
  }

  /** The thread stopped (crashed): the next caller starts another. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  static start(data: StatusThreadData): StatusThread {
    const fromSources = __filename.endsWith('.ts');
    const script = join(__dirname, fromSources ? 'status.worker.ts' : 'status.worker.js');
    const execArgv = fromSources ? ['-r', join(__dirname, '..', '..', '..', 'worker-threads', 'src', 'swc-register.js')] : [];
    return new StatusThread(new Worker(script, { workerData: data, execArgv }));
  }

  /** One status message per agreement the events touch (AgreementStatusFolder.statusMessages), folded on the thread. */
  statusMessages(events: readonly RecordedEvent[]): Promise<OutgoingMessage[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error("the status summaries' thread is closed"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({
        id,
        from: events[0].position,
        to: events[events.length - 1].position,
        count: events.length,
      } satisfies ToStatusThread);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => void this.worker.terminate().finally(resolve), 2_000);
      this.worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.worker.postMessage({ close: true } satisfies ToStatusThread);
    });
  }
}
