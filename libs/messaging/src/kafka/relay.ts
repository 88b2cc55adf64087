import type { Subscription } from '@agreements/event-store';
import { BatchReader } from './batch-reader';
import { BrokerProbe } from './broker-probe';
import { crashAfterAckHook } from './crash-after-ack';
import type { TopicNames } from './config';
import type { EventPublisher } from './event-publisher';
import { fastEncodedRecords, useFastRecordEncoding } from './fast-record-encoding';
import type { RelayLogger } from './kafka-client';
import { measureLag } from './relay-lag';
import { type RelayOptions, type RelayTimings, relayTimings } from './relay-options';
import { setUpRelay } from './relay-setup';
import { classifyFailure, stage } from './relay-stage';
import { RelayState, type RelayStatus } from './relay-state';
import { RetryBackoff } from './retry-backoff';

export { DEFAULT_RELAY_BATCH_SIZE, type RelayOptions } from './relay-options';
export type { RelayErrorKind } from './relay-stage';
export type { RelayStatus } from './relay-state';

/**
 * Publishes every stored event to Kafka, in the store's global order, from its own checkpoint:
 * read a batch from the subscription, send it in one request, wait for the broker's
 * acknowledgement, then move the checkpoint and record where each event landed (topic,
 * partition, offset), in one transaction. A crash between the acknowledgement and that
 * transaction publishes that batch again (at least once; consumers drop duplicates by ce_id), and
 * the record then holds the second send's deliveries: never an event behind the checkpoint without one.
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
  private readonly brokers: string[];
  private readonly publisher: EventPublisher | undefined;
  private readonly timings: RelayTimings;
  private readonly logger: RelayLogger;
  private readonly state: RelayState;
  private readonly backoff: RetryBackoff;
  private readonly probe: BrokerProbe | undefined;
  /** Which kafkajs record encoder this process uses (see fast-record-encoding.ts). */
  private readonly recordEncoder: string;
  /** Only under AGREEMENTS_TEST_KILL_AFTER_ACKS (tests): see crash-after-ack.ts. */
  private readonly afterAck = crashAfterAckHook();

  private running = false;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private subscription: Subscription | undefined;

  constructor(private readonly options: RelayOptions) {
    this.logger = options.logger;
    this.timings = relayTimings(options);
    // Before the first produce request loads kafkajs' own encoder; throws if kafkajs changed.
    this.recordEncoder = useFastRecordEncoding().encoder;
    const setup = setUpRelay(options);
    this.relayName = setup.relayName;
    this.brokers = setup.brokers;
    this.topics = setup.topics;
    this.configError = setup.configError;
    this.publisher = setup.publisher;
    this.state = new RelayState({ relayName: this.relayName, brokers: this.brokers, checkpoints: options.checkpointStore.description, logger: this.logger });
    this.backoff = new RetryBackoff(this.timings.retryDelayMs, this.timings.maxRetryDelayMs);
    if (setup.kafka) {
      this.probe = new BrokerProbe({
        kafka: setup.kafka,
        topic: setup.topics.events,
        state: this.state,
        intervalMs: this.timings.probeIntervalMs,
        stopping: () => this.stopping,
        wakeRetry: () => this.backoff.wakeUp(),
      });
    }
  }

  /** Starts publishing in the background and resolves at once; it never rejects for an unreachable broker. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.state.started();
    if (this.configError !== null) {
      this.state.recordError('config', this.configError);
      this.logger.error(
        { relay: this.relayName, error: this.configError },
        `relay: not publishing to Kafka: ${this.configError}. Fix the configuration and restart; the API keeps accepting commands and every event will be published from the start then`,
      );
      return;
    }
    this.logger.info(
      { relay: this.relayName, brokers: this.brokers, topics: this.topics, checkpoints: this.options.checkpointStore.description, recordEncoder: this.recordEncoder },
      `relay: publishing to ${this.topics!.events} and ${this.topics!.status} on ${this.brokers.join(',')}`,
    );
    this.state.phase = 'starting';
    this.loop = this.run();
    this.probe?.start();
  }

  /**
   * Stops after the batch in flight was acknowledged (and checkpointed); if the broker does not
   * acknowledge within stopTimeoutMs, drops the connection: that batch is published again on
   * the next start.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.stopping = true;
    this.probe?.stop();
    this.backoff.wakeUp();
    await this.subscription?.close().catch(() => undefined);
    if (this.loop) {
      const { stopTimeoutMs } = this.timings;
      const finished = await Promise.race([this.loop.then(() => true), delay(stopTimeoutMs).then(() => false)]);
      if (!finished) {
        this.logger.warn(
          { relay: this.relayName, checkpoint: this.state.checkpoint },
          `relay: the broker did not acknowledge the last batch within ${stopTimeoutMs} ms; stopping without it (it is published again at the next start)`,
        );
        await this.publisher?.close();
        await Promise.race([this.loop, delay(5000)]);
      }
    }
    await this.publisher?.close();
    this.loop = undefined;
    this.running = false;
    this.state.phase = 'stopped';
    const checkpoint = this.state.checkpoint;
    this.logger.info({ relay: this.relayName, checkpoint }, `relay: stopped at position ${checkpoint ?? '(none)'}`);
  }

  async status(): Promise<RelayStatus> {
    const counters = this.state.counters();
    const base = {
      relayName: this.relayName,
      topics: this.topics,
      running: this.running,
      degraded: this.configError !== null || !counters.brokerReachable,
      ...counters,
      configError: this.configError,
      recordEncoder: this.recordEncoder,
      fastEncodedRecords: fastEncodedRecords(),
    };
    try {
      return { ...base, ...(await measureLag(this.options.eventStore, counters.checkpoint)) };
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
    while (this.state.checkpoint === null || store.comparePositions(this.state.checkpoint, head) < 0) {
      if (Date.now() > deadline) {
        const { lastError } = this.state;
        throw new Error(
          `the relay did not publish up to position ${head} within ${timeoutMs} ms (at ${this.state.checkpoint ?? 'nothing'})` +
            (lastError ? `; last error: ${lastError.message}` : ''),
        );
      }
      await delay(20);
    }
  }

  /** follow() until stop(); after each failure: count it, log it, drop the producer, back off, retry from the checkpoint. */
  private async run(): Promise<void> {
    this.backoff.reset();
    while (!this.stopping) {
      try {
        await this.follow();
        this.backoff.reset();
      } catch (error) {
        if (this.stopping) break;
        const { kind, message } = classifyFailure(error);
        this.state.recordFailure(kind, message);
        await this.publisher?.reset();
        this.state.logFailure(kind, message, this.backoff.delayMs);
        await this.backoff.wait();
      }
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
    const { checkpointStore, eventStore } = this.options;
    const checkpoint = await stage('checkpoint', () => checkpointStore.load(name));
    this.state.checkpoint = checkpoint ?? null;
    await stage('broker', () => publisher.connect());
    this.state.markBrokerReachable();
    const subscription = await stage('event-store', async () => eventStore.subscribeToAll(checkpoint === undefined ? {} : { afterPosition: checkpoint }));
    this.subscription = subscription;
    if (this.stopping) await subscription.close();
    const { batchSize, maxBatchBytes } = this.timings;
    const reader = new BatchReader(subscription, batchSize, maxBatchBytes, (events) => publisher.eventMessages(events));
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
        this.state.phase = 'waiting';
        const batch = await upcoming;
        if (batch === undefined) return;
        this.state.phase = 'publishing';
        const sending = stage('broker', () => publisher.publish(batch.events, batch.messages, true, batch.statuses));
        sending.catch(() => undefined);
        upcoming = batch.ended ? Promise.resolve(undefined) : readAhead();
        const published = await sending;
        this.state.markBrokerReachable();
        this.afterAck?.();
        const last = batch.events[batch.events.length - 1].position;
        // The checkpoint and where each event landed, in one transaction.
        await stage('checkpoint', () => checkpointStore.save(name, last, published.deliveries));
        this.state.recordBatch(last, published);
      }
    } finally {
      this.subscription = undefined;
      await subscription.close().catch(() => undefined);
    }
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
