import type { EventStore, Position, RecordedEvent, Subscription } from '@agreements/event-store';
import type { Kafka } from 'kafkajs';
import type { RelayCheckpointStore } from '../checkpoints/relay-checkpoint-store';
import type { OutgoingMessage } from '../contracts/cloud-events';
import {
  checkPartitions,
  checkSource,
  DEFAULT_CE_SOURCE,
  DEFAULT_CLIENT_ID,
  DEFAULT_PARTITIONS,
  KafkaConfigError,
  parseKafkaBrokers,
  type TopicNames,
  topicNames,
} from './config';
import { EventPublisher, messageBytes } from './event-publisher';
import { createKafkaClient, describeError, type RelayLogger } from './kafka-client';

export interface RelayOptions {
  eventStore: EventStore;
  /** `KAFKA_BROKERS`: "host:port,host:port" or a list. A bad value leaves the relay degraded, it does not throw. */
  brokers: string | readonly string[];
  checkpointStore: RelayCheckpointStore;
  logger: RelayLogger;
  /** `KAFKA_TOPIC_PREFIX`, put in front of both topic names. Default ''. */
  topicPrefix?: string;
  /** `KAFKA_PARTITIONS`, for topics the relay creates. Default 6. */
  partitions?: number;
  /** For topics the relay creates. Default: the number of brokers, at most 3. */
  replicationFactor?: number;
  clientId?: string;
  /** CloudEvents `source`. Default `/agreements`. */
  source?: string;
  /** The checkpoint's key. Default `kafka:<events topic>`, so another prefix starts from the beginning. */
  relayName?: string;
  /**
   * Most events per batch: the unit of the checkpoint, and of the status topic (one summary per
   * agreement per batch, for its state after the batch). Default 10,000. Batches only fill up while
   * the relay is behind; a store that the relay keeps up with is published as events come.
   */
  batchSize?: number;
  /** Most bytes of event messages per batch (roughly). Default 8 MiB. */
  maxBatchBytes?: number;
  /** Most bytes in one produce request; a larger batch is sent as several, in order. Default 768 KiB (under the brokers' default 1 MB per partition, whatever the partitioning). */
  maxRequestBytes?: number;
  /**
   * With a SQLite event store file: fold the status summaries on a thread of their own, which
   * reads the log itself, while this one sends the batch before. Default true.
   */
  statusThread?: boolean;
  /** Agreements whose folded state is cached for the status topic. Default 5000 (a miss re-reads and re-folds the whole stream). */
  statusCacheSize?: number;
  /** First wait after a failure; doubles while failures repeat. Default 500 ms. */
  retryDelayMs?: number;
  /** Longest wait between attempts. Default 30 s. */
  maxRetryDelayMs?: number;
  /** While nothing is published, how often to check that the broker still answers. Default 10 s. */
  probeIntervalMs?: number;
  /** stop() waits this long for an unacknowledged batch before dropping the connection. Default 10 s. */
  stopTimeoutMs?: number;
}

/** Events per batch, by default (see RelayOptions.batchSize): after a crash, at most this many are published again. */
export const DEFAULT_RELAY_BATCH_SIZE = 10_000;

export type RelayErrorKind = 'config' | 'broker' | 'event-store' | 'checkpoint';

export interface RelayStatus {
  relayName: string;
  topics: TopicNames | null;
  /** start() was called and stop() was not. */
  running: boolean;
  /** Cannot publish now: bad configuration or the broker is unreachable. */
  degraded: boolean;
  /** Position of the last event the broker acknowledged; null before the first. */
  checkpoint: Position | null;
  /** Last position in the event store; null when empty (or unknown). */
  headPosition: Position | null;
  /** Events stored but not yet acknowledged by the broker (capped at 100 000); null when unknown. */
  lagEvents: number | null;
  /** Age of the oldest event not yet published (now - its recordedAt); 0 when caught up; null when unknown. */
  lagMs: number | null;
  /** Events acknowledged since start (a rate of it is the publish rate). */
  publishedTotal: number;
  /** Status summaries acknowledged since start. */
  statusPublishedTotal: number;
  batchesTotal: number;
  /** Failures since start (each failed attempt counts). */
  errorsTotal: number;
  lastError: { kind: RelayErrorKind; message: string; at: string } | null;
  brokerReachable: boolean;
  /** The configuration problem that keeps the relay from publishing at all. */
  configError: string | null;
  startedAt: string | null;
  lastPublishedAt: string | null;
}

const IDLE = Symbol('idle');
const LAG_EVENTS_CAP = 100_000;
const INTEGER = /^\d+$/;

class StageError extends Error {
  constructor(
    readonly kind: RelayErrorKind,
    readonly cause: unknown,
  ) {
    super(describeError(cause));
  }
}

async function stage<T>(kind: RelayErrorKind, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw error instanceof StageError ? error : new StageError(kind, error);
  }
}

interface Batch {
  events: RecordedEvent[];
  messages: OutgoingMessage[];
  /** The subscription ended (closed) after this batch. */
  ended: boolean;
}

/**
 * Publishes every stored event to Kafka, in the store's global order, from its own checkpoint:
 * read a batch from the subscription, send it in one request, wait for the broker's
 * acknowledgement, then move the checkpoint. A crash between the acknowledgement and the
 * checkpoint publishes that batch again (at least once; consumers drop duplicates by ce_id).
 *
 * It only reads the store, so the API keeps accepting commands while Kafka is away. Every failure
 * (broker away, store or checkpoint database unreachable) is logged, counted and retried with
 * backoff from the checkpoint, with a fresh producer; it never gives up and never crashes the
 * process. A bad configuration is reported in status() and the log, and nothing is attempted.
 */
export class Relay {
  readonly relayName: string;
  private readonly topics: TopicNames | null;
  private readonly configError: string | null;
  private readonly brokers: string[] = [];
  private readonly kafka: Kafka | undefined;
  private readonly publisher: EventPublisher | undefined;
  private readonly batchSize: number;
  private readonly maxBatchBytes: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly probeIntervalMs: number;
  private readonly stopTimeoutMs: number;
  private readonly logger: RelayLogger;

  private running = false;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private subscription: Subscription | undefined;
  private wakeRetry: (() => void) | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private probing = false;
  /** 'waiting': following the store with nothing to send, when a broker probe makes sense. */
  private phase: 'starting' | 'waiting' | 'publishing' | 'retrying' | 'stopped' = 'stopped';

  private checkpoint: Position | null = null;
  private brokerReachable = false;
  private lastBrokerContact = 0;
  private consecutiveFailures = 0;
  private publishedTotal = 0;
  private statusPublishedTotal = 0;
  private batchesTotal = 0;
  private errorsTotal = 0;
  private lastError: RelayStatus['lastError'] = null;
  private startedAt: string | null = null;
  private lastPublishedAt: string | null = null;

  constructor(private readonly options: RelayOptions) {
    this.logger = options.logger;
    this.batchSize = options.batchSize ?? DEFAULT_RELAY_BATCH_SIZE;
    this.maxBatchBytes = options.maxBatchBytes ?? 8 * 1024 * 1024;
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
    this.probeIntervalMs = options.probeIntervalMs ?? 10_000;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
    let topics: TopicNames | null = null;
    let configError: string | null = null;
    try {
      this.brokers = parseKafkaBrokers(options.brokers);
      topics = topicNames(options.topicPrefix ?? '');
      const partitions = checkPartitions(options.partitions ?? DEFAULT_PARTITIONS);
      const source = checkSource(options.source ?? DEFAULT_CE_SOURCE);
      this.kafka = createKafkaClient({ brokers: this.brokers, clientId: options.clientId ?? DEFAULT_CLIENT_ID, logger: this.logger });
      this.publisher = new EventPublisher({
        kafka: this.kafka,
        eventStore: options.eventStore,
        topics,
        source,
        partitions,
        replicationFactor: options.replicationFactor,
        statusCacheSize: options.statusCacheSize,
        maxRequestBytes: Math.max(options.maxRequestBytes ?? 768 * 1024, 64 * 1024),
        statusThread: options.statusThread ?? true,
        logger: this.logger,
      });
    } catch (error) {
      if (!(error instanceof KafkaConfigError)) throw error;
      configError = error.message;
    }
    this.topics = topics;
    this.configError = configError;
    this.relayName = options.relayName ?? `kafka:${topics?.events ?? 'agreements.events.v1'}`;
  }

  /** Starts publishing in the background and resolves at once; it never rejects for an unreachable broker. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.startedAt = new Date().toISOString();
    if (this.configError !== null) {
      this.recordError('config', this.configError);
      this.logger.error(
        { relay: this.relayName, error: this.configError },
        `relay: not publishing to Kafka: ${this.configError}. Fix the configuration and restart; the API keeps accepting commands and every event will be published from the start then`,
      );
      return;
    }
    this.logger.info(
      { relay: this.relayName, brokers: this.brokers, topics: this.topics, checkpoints: this.options.checkpointStore.description },
      `relay: publishing to ${this.topics!.events} and ${this.topics!.status} on ${this.brokers.join(',')}`,
    );
    this.phase = 'starting';
    this.loop = this.run();
    this.probeTimer = setInterval(() => void this.probe(), Math.max(50, Math.min(this.probeIntervalMs, 5000)));
    this.probeTimer.unref();
  }

  /**
   * Stops after the batch in flight was acknowledged (and checkpointed); if the broker does not
   * acknowledge within stopTimeoutMs, drops the connection: that batch is published again on
   * the next start.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.stopping = true;
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = undefined;
    this.wakeRetry?.();
    await this.subscription?.close().catch(() => undefined);
    if (this.loop) {
      const finished = await Promise.race([this.loop.then(() => true), delay(this.stopTimeoutMs).then(() => false)]);
      if (!finished) {
        this.logger.warn(
          { relay: this.relayName, checkpoint: this.checkpoint },
          `relay: the broker did not acknowledge the last batch within ${this.stopTimeoutMs} ms; stopping without it (it is published again at the next start)`,
        );
        await this.publisher?.close();
        await Promise.race([this.loop, delay(5000)]);
      }
    }
    await this.publisher?.close();
    this.loop = undefined;
    this.running = false;
    this.phase = 'stopped';
    this.logger.info({ relay: this.relayName, checkpoint: this.checkpoint }, `relay: stopped at position ${this.checkpoint ?? '(none)'}`);
  }

  async status(): Promise<RelayStatus> {
    const base = {
      relayName: this.relayName,
      topics: this.topics,
      running: this.running,
      degraded: this.configError !== null || !this.brokerReachable,
      checkpoint: this.checkpoint,
      publishedTotal: this.publishedTotal,
      statusPublishedTotal: this.statusPublishedTotal,
      batchesTotal: this.batchesTotal,
      errorsTotal: this.errorsTotal,
      lastError: this.lastError,
      brokerReachable: this.brokerReachable,
      configError: this.configError,
      startedAt: this.startedAt,
      lastPublishedAt: this.lastPublishedAt,
    };
    try {
      return { ...base, ...(await this.lag()) };
    } catch {
      return { ...base, headPosition: null, lagEvents: null, lagMs: null };
    }
  }

  /** Resolves once everything stored when it was called has been acknowledged; rejects after timeoutMs. */
  async waitUntilCaughtUp(timeoutMs = 30_000): Promise<void> {
    const store = this.options.eventStore;
    const head = await store.headPosition();
    if (head === undefined) return;
    const deadline = Date.now() + timeoutMs;
    while (this.checkpoint === null || store.comparePositions(this.checkpoint, head) < 0) {
      if (Date.now() > deadline) {
        throw new Error(
          `the relay did not publish up to position ${head} within ${timeoutMs} ms (at ${this.checkpoint ?? 'nothing'})` +
            (this.lastError ? `; last error: ${this.lastError.message}` : ''),
        );
      }
      await delay(20);
    }
  }

  private async lag(): Promise<{ headPosition: Position | null; lagEvents: number; lagMs: number }> {
    const store = this.options.eventStore;
    const head = (await store.headPosition()) ?? null;
    const checkpoint = this.checkpoint;
    if (head === null || (checkpoint !== null && store.comparePositions(checkpoint, head) >= 0)) {
      return { headPosition: head, lagEvents: 0, lagMs: 0 };
    }
    // The first event not yet acknowledged: its age is the lag in time.
    const next = checkpoint === null ? await store.readAll({ maxCount: 1 }) : await store.readAll({ fromPosition: checkpoint, maxCount: 2 });
    const oldest = next.find((event) => checkpoint === null || store.comparePositions(event.position, checkpoint) > 0);
    const lagMs = oldest ? Math.max(0, Date.now() - Date.parse(oldest.recordedAt)) : 0;
    let lagEvents: number;
    // The embedded store's positions are consecutive integers: the difference is the count.
    if (INTEGER.test(head) && (checkpoint === null || INTEGER.test(checkpoint))) {
      lagEvents = Math.min(LAG_EVENTS_CAP, Number(head) - Number(checkpoint ?? '0'));
    } else {
      const after = await store.readAll(checkpoint === null ? { maxCount: LAG_EVENTS_CAP } : { fromPosition: checkpoint, maxCount: LAG_EVENTS_CAP + 1 });
      lagEvents = Math.min(LAG_EVENTS_CAP, after.filter((e) => checkpoint === null || store.comparePositions(e.position, checkpoint) > 0).length);
    }
    return { headPosition: head, lagEvents, lagMs };
  }

  private async run(): Promise<void> {
    let wait = this.retryDelayMs;
    while (!this.stopping) {
      try {
        await this.follow();
        wait = this.retryDelayMs;
      } catch (error) {
        if (this.stopping) break;
        const kind = error instanceof StageError ? error.kind : 'broker';
        const message = describeError(error instanceof StageError ? error.cause : error);
        this.consecutiveFailures += 1;
        this.recordError(kind, message);
        if (kind === 'broker') this.brokerReachable = false;
        this.phase = 'retrying';
        await this.publisher?.reset();
        this.logFailure(kind, message, wait);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          this.wakeRetry = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeRetry = undefined;
        wait = Math.min(wait * 2, this.maxRetryDelayMs);
      }
    }
  }

  private logFailure(kind: RelayErrorKind, message: string, retryInMs: number): void {
    const context = { relay: this.relayName, kind, attempt: this.consecutiveFailures, retryInMs, checkpoint: this.checkpoint, error: message };
    const what =
      kind === 'broker'
        ? `cannot publish to Kafka at ${this.brokers.join(',')}`
        : kind === 'checkpoint'
          ? `cannot read or write the relay checkpoint (${this.options.checkpointStore.description})`
          : 'cannot read the event store';
    const line = `relay: ${what}: ${message}; retrying in ${retryInMs} ms from position ${this.checkpoint ?? '(start)'} (failed attempt ${this.consecutiveFailures}). Events stay in the store and are published once this is resolved`;
    if (this.consecutiveFailures === 1) this.logger.error(context, line);
    else this.logger.warn(context, line);
  }

  private recordError(kind: RelayErrorKind, message: string): void {
    this.errorsTotal += 1;
    this.lastError = { kind, message, at: new Date().toISOString() };
  }

  private markBrokerReachable(): void {
    this.lastBrokerContact = Date.now();
    if (this.brokerReachable) return;
    this.brokerReachable = true;
    if (this.consecutiveFailures > 0 || this.lastError?.kind === 'broker') {
      this.logger.info(
        { relay: this.relayName, failedAttempts: this.consecutiveFailures, checkpoint: this.checkpoint },
        `relay: Kafka is reachable again; publishing from position ${this.checkpoint ?? '(start)'}`,
      );
    } else {
      this.logger.info({ relay: this.relayName, checkpoint: this.checkpoint }, `relay: connected to Kafka; publishing from position ${this.checkpoint ?? '(start)'}`);
    }
  }

  /**
   * One subscription from the checkpoint, until stop() or a failure. While the broker works on a
   * batch, the next one is read and encoded, so the store and the broker are busy at once; only
   * the acknowledged batch moves the checkpoint, and a failure drops the batch read ahead.
   */
  private async follow(): Promise<void> {
    const publisher = this.publisher!;
    const name = this.relayName;
    const checkpoint = await stage('checkpoint', () => this.options.checkpointStore.load(name));
    this.checkpoint = checkpoint ?? null;
    await stage('broker', () => publisher.connect());
    this.markBrokerReachable();
    const subscription = await stage('event-store', async () =>
      this.options.eventStore.subscribeToAll(checkpoint === undefined ? {} : { afterPosition: checkpoint }),
    );
    this.subscription = subscription;
    if (this.stopping) await subscription.close();
    const reader = new BatchReader(subscription[Symbol.asyncIterator](), this.batchSize, this.maxBatchBytes, (events) => publisher.eventMessages(events));
    const readAhead = () => {
      // The batch's status summaries are asked for as soon as it is read: on the status thread,
      // they are folded while the batch before is still being sent.
      const next = stage('event-store', () => reader.next()).then((batch) => {
        if (batch === undefined) return undefined;
        const statuses = publisher.statusMessages(batch.events);
        statuses.catch(() => undefined);
        return { ...batch, statuses };
      });
      // Settled later, or never awaited when the batch before it fails: never an unhandled rejection.
      next.catch(() => undefined);
      return next;
    };
    try {
      let upcoming = readAhead();
      for (;;) {
        this.phase = 'waiting';
        const batch = await upcoming;
        if (batch === undefined) return;
        this.phase = 'publishing';
        const sending = stage('broker', () => publisher.publish(batch.events, batch.messages, true, batch.statuses));
        sending.catch(() => undefined);
        upcoming = batch.ended ? Promise.resolve(undefined) : readAhead();
        const published = await sending;
        this.markBrokerReachable();
        const last = batch.events[batch.events.length - 1].position;
        await stage('checkpoint', () => this.options.checkpointStore.save(name, last));
        this.checkpoint = last;
        this.consecutiveFailures = 0;
        this.publishedTotal += published.events;
        this.statusPublishedTotal += published.statuses;
        this.batchesTotal += 1;
        this.lastPublishedAt = new Date().toISOString();
      }
    } finally {
      this.subscription = undefined;
      await subscription.close().catch(() => undefined);
    }
  }

  /**
   * While idle, notices a broker that went away (for status() and the log); while waiting to
   * retry after a broker failure, notices it came back and retries at once rather than at the
   * end of a long backoff.
   */
  private async probe(): Promise<void> {
    if (this.probing || this.stopping || !this.kafka) return;
    const idle = this.phase === 'waiting' && Date.now() - this.lastBrokerContact >= this.probeIntervalMs;
    const awaitingBroker = this.phase === 'retrying' && this.lastError?.kind === 'broker';
    if (!idle && !awaitingBroker) return;
    this.probing = true;
    const admin = this.kafka.admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      await admin.fetchTopicMetadata({ topics: [this.topics!.events] });
      if (this.phase === 'retrying') this.wakeRetry?.();
      else this.markBrokerReachable();
    } catch (error) {
      if (this.brokerReachable && !this.stopping && this.phase === 'waiting') {
        const message = describeError(error);
        this.brokerReachable = false;
        this.recordError('broker', message);
        this.logger.error(
          { relay: this.relayName, kind: 'broker', checkpoint: this.checkpoint, error: message },
          `relay: Kafka at ${this.brokers.join(',')} does not answer: ${message}; nothing is waiting to be published, the next events are retried until it is back`,
        );
      }
    } finally {
      await admin.disconnect().catch(() => undefined);
      this.probing = false;
    }
  }
}

/**
 * Batches from a subscription: waits for one event, then takes what is ready at once, up to
 * batchSize events or maxBytes; an event still to come (the subscription is waiting for new
 * commits) ends the batch, so a quiet store is published at once, a busy one in large batches.
 */
class BatchReader {
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

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Construct and start in one call. */
export async function startRelay(options: RelayOptions): Promise<Relay> {
  const relay = new Relay(options);
  await relay.start();
  return relay;
}
