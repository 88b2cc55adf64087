import type { RecordedEvent } from '@agreements/event-store';
import type { OutgoingMessage } from '../contracts/cloud-events';
import { messageBytes } from './produce-requests';

export interface Batch {
  events: RecordedEvent[];
  messages: OutgoingMessage[];
  /** The subscription ended (closed) after this batch. */
  ended: boolean;
}

const IDLE = Symbol('idle');

/**
 * Batches from a subscription: waits for one event, then takes what is ready at once, up to
 * batchSize events or maxBytes; an event still to come (the subscription is waiting for new
 * commits) ends the batch, so a quiet store is published at once, a busy one in large batches.
 */
export class BatchReader {
  private pending: Promise<IteratorResult<RecordedEvent>> | undefined;

  constructor(
    private readonly iterator: AsyncIterator<RecordedEvent>,
    private readonly batchSize: number,
    private readonly maxBytes: number,
    private readonly toMessages: (events: RecordedEvent[]) => OutgoingMessage[],
  ) {}

  async next(): Promise<Batch | undefined> {
    const first = await (this.pending ?? this.iterator.next());
    this.pending = undefined;
    if (first.done) return undefined;
    const events: RecordedEvent[] = [first.value];
    const messages: OutgoingMessage[] = this.toMessages([first.value]);
    let bytes = messageBytes(messages[0]);
    let ended = false;
    let pending = this.iterator.next();
    // One turn of the event loop for the whole batch: what the subscription has at hand comes in
    // microtasks, before it ends; an event it must wait for (a new commit) does not.
    const idle = new Promise<typeof IDLE>((resolve) => setImmediate(resolve, IDLE));
    while (events.length < this.batchSize && bytes < this.maxBytes) {
      const next = await Promise.race([pending, idle]);
      if (next === IDLE) break;
      if (next.done) {
        ended = true;
        break;
      }
      const [message] = this.toMessages([next.value]);
      events.push(next.value);
      messages.push(message);
      bytes += messageBytes(message);
      pending = this.iterator.next();
    }
    if (!ended) this.pending = pending;
    return { events, messages, ended };
  }
}
