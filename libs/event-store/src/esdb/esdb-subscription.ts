/**
 * subscribeToAll on EventStoreDB: a catch-up subscription to `$all` with a server-side filter
 * that leaves out system events (and our own `$`-typed bookkeeping), which survives errors and
 * server restarts. The client does not resubscribe by itself: when its stream fails (UNAVAILABLE
 * while the node restarts, a dropped connection, anything) this one subscribes again after a
 * backoff, from the position of the last event it received, so nothing is lost; events at or
 * before that position, should a server send them again, are dropped, so nothing is delivered
 * twice.
 *
 * Events are buffered between the client stream and the consumer; past HIGH_WATER the client
 * stream is paused, so a slow consumer slows the server down (gRPC flow control) instead of
 * filling memory.
 */
import {
  EventStoreDBClient,
  START,
  excludeSystemEvents,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
} from '@eventstore/db-client';
import type { RecordedEvent, Subscription } from '../event-store.port';
import { comparePositions, decodePosition, type EsdbPosition } from './esdb-position';
import { isSystemEvent, toRecordedEvent } from './esdb-mapping';

const HIGH_WATER = 512;
const LOW_WATER = 128;

export interface ResubscribeOptions {
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Told about every failure of the underlying subscription (for logs and metrics). */
  onError?: (error: unknown, attempt: number) => void;
}

export const DEFAULT_RESUBSCRIBE: ResubscribeOptions = { initialBackoffMs: 50, maxBackoffMs: 5_000 };

type Waiter = { resolve: (result: IteratorResult<RecordedEvent>) => void; reject: (error: unknown) => void };

export class EsdbSubscription implements Subscription {
  private readonly buffer: RecordedEvent[] = [];
  private waiter: Waiter | undefined;
  private closed = false;
  private failure: unknown;
  private current: AllStreamSubscription | undefined;
  private paused = false;
  private lastReceived: EsdbPosition | undefined;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: EventStoreDBClient,
    afterPosition: string | undefined,
    private readonly options: ResubscribeOptions = DEFAULT_RESUBSCRIBE,
    private readonly onClose?: () => void,
  ) {
    this.lastReceived = afterPosition === undefined ? undefined : decodePosition(afterPosition);
    this.subscribe();
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return {
      next: () => this.next(),
      return: async () => {
        await this.close();
        return { done: true, value: undefined };
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose?.();
    clearTimeout(this.retryTimer);
    this.buffer.length = 0;
    this.settle({ done: true, value: undefined });
    const current = this.current;
    this.current = undefined;
    if (current) await current.unsubscribe().catch(() => undefined);
  }

  private next(): Promise<IteratorResult<RecordedEvent>> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const event = this.buffer.shift();
    if (event) {
      if (this.paused && this.buffer.length <= LOW_WATER) {
        this.paused = false;
        this.current?.resume();
      }
      return Promise.resolve({ done: false, value: event });
    }
    if (this.closed) return Promise.resolve({ done: true, value: undefined });
    if (this.waiter) return Promise.reject(new Error('a subscription is read by one consumer, one next() at a time'));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  private subscribe(): void {
    if (this.closed) return;
    // "After 0/0" is the whole log: the server would skip the record at 0 (it starts after the one it finds there).
    const fromStart = !this.lastReceived || (this.lastReceived.commit === 0n && this.lastReceived.prepare === 0n);
    const subscription = this.client.subscribeToAll({
      fromPosition: fromStart ? START : this.lastReceived!,
      filter: excludeSystemEvents(),
    });
    this.current = subscription;
    this.paused = false;
    let failed = false;
    const fail = (error: unknown) => {
      if (failed || this.current !== subscription) return;
      failed = true;
      this.current = undefined;
      void subscription.unsubscribe().catch(() => undefined);
      this.retry(error);
    };
    subscription.on('confirmation', () => {
      this.failures = 0;
    });
    subscription.on('data', (resolved: AllStreamResolvedEvent) => this.receive(resolved, fail));
    subscription.on('error', (error: unknown) => fail(error));
    // A server ending the call without an error is a failure too: a subscription never ends by itself.
    subscription.on('end', () => fail(new Error('the server ended the subscription')));
    subscription.on('close', () => fail(new Error('the subscription stream closed')));
  }

  private receive(resolved: AllStreamResolvedEvent, fail: (error: unknown) => void): void {
    if (this.closed || !resolved.event) return;
    const position = resolved.event.position;
    const received = { commit: position.commit, prepare: position.prepare };
    if (this.lastReceived && comparePositions(received, this.lastReceived) <= 0) return;
    if (isSystemEvent(resolved.event)) {
      this.lastReceived = received;
      return;
    }
    let event: RecordedEvent;
    try {
      event = toRecordedEvent(resolved.event);
    } catch (error) {
      // An event this store cannot read is not skipped silently: the consumer hears of it.
      this.failure = error;
      this.settleError(error);
      fail(error);
      return;
    }
    this.lastReceived = received;
    if (this.waiter) {
      this.settle({ done: false, value: event });
      return;
    }
    this.buffer.push(event);
    if (!this.paused && this.buffer.length >= HIGH_WATER) {
      this.paused = true;
      this.current?.pause();
    }
  }

  private retry(error: unknown): void {
    if (this.closed || this.failure !== undefined) return;
    this.failures += 1;
    this.options.onError?.(error, this.failures);
    const delay = Math.min(this.options.maxBackoffMs, this.options.initialBackoffMs * 2 ** (this.failures - 1));
    this.retryTimer = setTimeout(() => this.subscribe(), delay * (0.5 + Math.random() / 2));
  }

  private settle(result: IteratorResult<RecordedEvent>): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve(result);
  }

  private settleError(error: unknown): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(error);
  }
}
