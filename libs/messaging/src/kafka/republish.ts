import { parseStreamId } from '@agreements/domain';
import type { EventStore, Position, RecordedEvent } from '@agreements/event-store';
import { statusMessage } from '../contracts/agreement-summary';
import type { OutgoingMessage } from '../contracts/cloud-events';
import { checkPartitions, checkSource, DEFAULT_CE_SOURCE, DEFAULT_CLIENT_ID, DEFAULT_PARTITIONS, parseKafkaBrokers, topicNames } from './config';
import { EventPublisher } from './event-publisher';
import { useFastRecordEncoding } from './fast-record-encoding';
import { createKafkaClient, describeError, type RelayLogger, silentLogger } from './kafka-client';

export interface RepublishOptions {
  eventStore: EventStore;
  brokers: string | readonly string[];
  /** The first position to publish again (inclusive), as the event history shows it. */
  from: Position;
  /** The last position to publish (inclusive). Default: the store's head when republish starts. */
  to?: Position;
  topicPrefix?: string;
  /** For topics that do not exist yet. Default 6. */
  partitions?: number;
  replicationFactor?: number;
  clientId?: string;
  source?: string;
  /** Publish the status summaries too (default true): as after each batch, then the current one of every agreement touched. */
  includeStatus?: boolean;
  /** Events per produce request. Default 2000. */
  batchSize?: number;
  /** Attempts per batch before giving up (with backoff between them). Default 8 (about a minute). */
  maxAttempts?: number;
  retryDelayMs?: number;
  logger?: RelayLogger;
  onProgress?: (progress: RepublishProgress) => void;
}

export interface RepublishProgress {
  /** Events published so far. */
  published: number;
  /** Position of the last event published. */
  position: Position;
  /** Where it stops. */
  to: Position;
}

export interface RepublishResult {
  events: number;
  statuses: number;
  /** First and last position published; null when there was nothing to publish. */
  first: Position | null;
  last: Position | null;
  to: Position | null;
}

/**
 * Publishes stored events again from a position (inclusive), with exactly the messages the relay
 * sent the first time (same key, value and ce_* headers, so the same ce_ids): for a consumer
 * that lost its data. It does not read or move the live relay's checkpoint, and can run while
 * the relay runs. Stops at the head the store had when it started (or at `to`).
 *
 * Failures are retried with backoff, then reported by rejecting (a CLI tool must not wait forever).
 */
export async function republish(options: RepublishOptions): Promise<RepublishResult> {
  const { eventStore } = options;
  // The same records as the relay's, written by the same encoder.
  useFastRecordEncoding();
  const logger = options.logger ?? silentLogger;
  const brokers = parseKafkaBrokers(options.brokers);
  const topics = topicNames(options.topicPrefix ?? '');
  const from = eventStore.parsePosition(options.from);
  const head = options.to === undefined ? await eventStore.headPosition() : eventStore.parsePosition(options.to);
  const batchSize = options.batchSize ?? 2000;
  const includeStatus = options.includeStatus ?? true;
  const maxAttempts = options.maxAttempts ?? 8;
  const retryDelayMs = options.retryDelayMs ?? 500;
  const result: RepublishResult = { events: 0, statuses: 0, first: null, last: null, to: head ?? null };
  if (head === undefined || eventStore.comparePositions(from, head) > 0) return result;

  const publisher = new EventPublisher({
    kafka: createKafkaClient({ brokers, clientId: `${options.clientId ?? DEFAULT_CLIENT_ID}-republish`, logger }),
    eventStore,
    topics,
    source: checkSource(options.source ?? DEFAULT_CE_SOURCE),
    partitions: checkPartitions(options.partitions ?? DEFAULT_PARTITIONS),
    replicationFactor: options.replicationFactor,
    logger,
  });
  const attempt = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    let wait = retryDelayMs;
    for (let n = 1; ; n += 1) {
      try {
        await publisher.connect();
        return await run();
      } catch (error) {
        await publisher.reset();
        const message = describeError(error);
        if (n >= maxAttempts) {
          throw new Error(`republish: ${what} failed ${n} times, giving up: ${message} (published up to ${result.last ?? 'nothing'}; run it again from the next position)`);
        }
        logger.warn({ attempt: n, retryInMs: wait, error: message }, `republish: ${what} failed: ${message}; retrying in ${wait} ms`);
        await new Promise((resolve) => setTimeout(resolve, wait));
        wait = Math.min(wait * 2, 15_000);
      }
    }
  };

  logger.info({ from, to: head, topics }, `republish: publishing the events from position ${from} to ${head} again to ${topics.events}`);
  // Agreements touched, with the revision of the summary published for them.
  const touched = new Map<string, number>();
  try {
    let cursor = from;
    let inclusive = true;
    for (;;) {
      const page = await eventStore.readAll({ fromPosition: cursor, maxCount: inclusive ? batchSize : batchSize + 1 });
      const events: RecordedEvent[] = page.filter((event) => {
        const sinceCursor = eventStore.comparePositions(event.position, cursor);
        return (inclusive ? sinceCursor >= 0 : sinceCursor > 0) && eventStore.comparePositions(event.position, head) <= 0;
      });
      if (events.length === 0) break;
      const messages = publisher.eventMessages(events);
      const published = await attempt(`publishing the batch from position ${events[0].position}`, () =>
        publisher.publish(events, messages, includeStatus),
      );
      result.events += published.events;
      result.statuses += published.statuses;
      result.first ??= events[0].position;
      const last = events[events.length - 1];
      result.last = last.position;
      if (includeStatus) {
        for (const event of events) {
          const parsed = parseStreamId(event.streamId);
          if (parsed?.kind === 'agreement') touched.set(parsed.id, event.revision);
        }
      }
      options.onProgress?.({ published: result.events, position: last.position, to: head });
      if (eventStore.comparePositions(last.position, head) >= 0) break;
      cursor = last.position;
      inclusive = false;
    }

    // The summaries above are as of `to`; an agreement that changed since would be left with an
    // older summary than the live relay published: publish its current one last.
    const refresh: OutgoingMessage[] = [];
    for (const [agreementId, revision] of touched) {
      const latest = await eventStore.readStream(`agreement-${agreementId}`, { direction: 'backwards', maxCount: 1 });
      if (latest.length === 0 || latest[0].revision <= revision) continue;
      const current = await publisher.statusFolder.currentSummary(agreementId);
      if (current) refresh.push(statusMessage(agreementId, current.summary));
    }
    if (refresh.length > 0) {
      await attempt('publishing the current summaries', () => publisher.publishStatus(refresh));
      result.statuses += refresh.length;
    }
  } finally {
    await publisher.close();
  }
  logger.info({ ...result }, `republish: published ${result.events} events and ${result.statuses} summaries again`);
  return result;
}
