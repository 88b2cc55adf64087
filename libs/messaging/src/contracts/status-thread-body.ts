import type { MessagePort } from 'node:worker_threads';
import { SqliteEventStore } from '@agreements/event-store';
import { AgreementStatusFolder } from './agreement-summary';
import type { FromStatusThread, StatusThreadData, ToStatusThread } from './status-thread';

/** The body of the status summaries' thread: its own connection to the log, its own folder; one batch per message, in order. */
export async function runStatusThread(port: MessagePort, data: StatusThreadData): Promise<void> {
  const store = await SqliteEventStore.open({ file: data.file });
  const folder = new AgreementStatusFolder(store, data.cacheSize);
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (message: ToStatusThread) => {
    queue = queue.then(async () => {
      if ('close' in message) {
        await store.close();
        port.close();
        return;
      }
      let reply: FromStatusThread;
      try {
        const read = await store.readAll({ fromPosition: message.from, maxCount: message.count });
        const events = read.filter((event) => store.comparePositions(event.position, message.to) <= 0);
        // The batch the relay read from its subscription: the same events, in the same order.
        if (events.length !== message.count || events[0]?.position !== message.from) {
          throw new Error(`expected ${message.count} events from position ${message.from} to ${message.to}, read ${events.length}`);
        }
        reply = { id: message.id, messages: await folder.statusMessages(events) };
      } catch (error) {
        reply = { id: message.id, error: error instanceof Error ? error.message : String(error) };
      }
      port.postMessage(reply);
    });
  });
}
