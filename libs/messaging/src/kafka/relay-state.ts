import type { Position } from '@agreements/event-store';
import type { TopicNames } from './config';
import type { RelayLogger } from './kafka-client';
import type { RelayErrorKind } from './relay-stage';

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
  /**
   * The kafkajs record encoder of the relay's thread ('fast' or 'kafkajs', see
   * fast-record-encoding.ts) and the records the fast one wrote: read from the encoder where the
   * relay runs, which may be a worker thread whose module state the API's thread cannot see.
   */
  recordEncoder: string;
  fastEncodedRecords: number;
}

/** 'waiting': following the store with nothing to send, when a broker probe makes sense. */
export type RelayPhase = 'starting' | 'waiting' | 'publishing' | 'retrying' | 'stopped';

export interface RelayStateContext {
  relayName: string;
  brokers: readonly string[];
  /** Where the checkpoints are kept, for the log line of a checkpoint failure. */
  checkpoints: string;
  logger: RelayLogger;
}

/**
 * What the relay knows about itself (checkpoint, counters, the last error, whether the broker
 * answers), and the log line for each change of it: a failure once per attempt with what happens
 * next, the broker coming back once.
 */
export class RelayState {
  phase: RelayPhase = 'stopped';
  checkpoint: Position | null = null;
  brokerReachable = false;
  /** When the broker last answered (Date.now()). */
  lastBrokerContact = 0;
  consecutiveFailures = 0;
  lastError: RelayStatus['lastError'] = null;
  private publishedTotal = 0;
  private statusPublishedTotal = 0;
  private batchesTotal = 0;
  private errorsTotal = 0;
  private startedAt: string | null = null;
  private lastPublishedAt: string | null = null;

  constructor(private readonly context: RelayStateContext) {}

  started(): void {
    this.startedAt = new Date().toISOString();
  }

  recordError(kind: RelayErrorKind, message: string): void {
    this.errorsTotal += 1;
    this.lastError = { kind, message, at: new Date().toISOString() };
  }

  /** A failed attempt: counted, and the broker marked away when it was the broker's. */
  recordFailure(kind: RelayErrorKind, message: string): void {
    this.consecutiveFailures += 1;
    this.recordError(kind, message);
    if (kind === 'broker') this.brokerReachable = false;
    this.phase = 'retrying';
  }

  /** The first failure in a row at error level, the ones after it at warn. */
  logFailure(kind: RelayErrorKind, message: string, retryInMs: number): void {
    const { relayName, brokers, checkpoints, logger } = this.context;
    const context = { relay: relayName, kind, attempt: this.consecutiveFailures, retryInMs, checkpoint: this.checkpoint, error: message };
    const what =
      kind === 'broker'
        ? `cannot publish to Kafka at ${brokers.join(',')}`
        : kind === 'checkpoint'
          ? `cannot read or write the relay checkpoint (${checkpoints})`
          : 'cannot read the event store';
    const line = `relay: ${what}: ${message}; retrying in ${retryInMs} ms from position ${this.checkpoint ?? '(start)'} (failed attempt ${this.consecutiveFailures}). Events stay in the store and are published once this is resolved`;
    if (this.consecutiveFailures === 1) logger.error(context, line);
    else logger.warn(context, line);
  }

  markBrokerReachable(): void {
    this.lastBrokerContact = Date.now();
    if (this.brokerReachable) return;
    this.brokerReachable = true;
    const { relayName, logger } = this.context;
    if (this.consecutiveFailures > 0 || this.lastError?.kind === 'broker') {
      logger.info(
        { relay: relayName, failedAttempts: this.consecutiveFailures, checkpoint: this.checkpoint },
        `relay: Kafka is reachable again; publishing from position ${this.checkpoint ?? '(start)'}`,
      );
    } else {
      logger.info({ relay: relayName, checkpoint: this.checkpoint }, `relay: connected to Kafka; publishing from position ${this.checkpoint ?? '(start)'}`);
    }
  }

  /** An idle relay's probe found the broker away: said once, while nothing waits to be published. */
  markBrokerLost(message: string): void {
    const { relayName, brokers, logger } = this.context;
    this.brokerReachable = false;
    this.recordError('broker', message);
    logger.error(
      { relay: relayName, kind: 'broker', checkpoint: this.checkpoint, error: message },
      `relay: Kafka at ${brokers.join(',')} does not answer: ${message}; nothing is waiting to be published, the next events are retried until it is back`,
    );
  }

  /** A batch the broker acknowledged and whose checkpoint is saved. */
  recordBatch(last: Position, published: { events: number; statuses: number }): void {
    this.checkpoint = last;
    this.consecutiveFailures = 0;
    this.publishedTotal += published.events;
    this.statusPublishedTotal += published.statuses;
    this.batchesTotal += 1;
    this.lastPublishedAt = new Date().toISOString();
  }

  /** The part of status() this state knows (no lag, no configuration). */
  counters() {
    return {
      checkpoint: this.checkpoint,
      publishedTotal: this.publishedTotal,
      statusPublishedTotal: this.statusPublishedTotal,
      batchesTotal: this.batchesTotal,
      errorsTotal: this.errorsTotal,
      lastError: this.lastError,
      brokerReachable: this.brokerReachable,
      startedAt: this.startedAt,
      lastPublishedAt: this.lastPublishedAt,
    };
  }
}
