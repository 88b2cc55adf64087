import { join } from 'node:path';
import type { RecordedEvent } from '@agreements/event-store';
import { WorkerThread } from '@agreements/worker-threads';
import type { OutgoingMessage } from './cloud-events';
import type { StatusBatch, statusThread, StatusThreadData } from './status-thread-body';

export type { StatusThreadData } from './status-thread-body';

/**
 * The status topic's folding on a thread of its own (status-thread-body.ts): for each batch, the
 * thread reads the batch's events from the event store's fast log itself (by position) and folds
 * them with an AgreementStatusFolder of its own, while this thread encodes and sends the batch
 * before it.
 */
export class StatusThread {
  private constructor(private readonly thread: WorkerThread<StatusBatch, OutgoingMessage[]>) {}

  /** The thread stopped (crashed): the next caller starts another. */
  get failed(): boolean {
    return this.thread.failure !== undefined;
  }

  static start(data: StatusThreadData): StatusThread {
    return new StatusThread(
      WorkerThread.start<typeof statusThread>({
        module: join(__dirname, 'status-thread-body'),
        export: 'statusThread',
        data,
        name: 'status summaries',
        // The relay's process may end without closing it.
        unref: true,
      }),
    );
  }

  /** One status message per agreement the events touch (AgreementStatusFolder.statusMessages), folded on the thread. */
  statusMessages(events: readonly RecordedEvent[]): Promise<OutgoingMessage[]> {
    return this.thread.request({
      from: events[0].position,
      to: events[events.length - 1].position,
      count: events.length,
    });
  }

  async close(): Promise<void> {
    await this.thread.stop({ timeoutMs: 2_000 });
  }
}
