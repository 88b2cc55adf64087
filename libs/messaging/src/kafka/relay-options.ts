import type { EventStore } from '@agreements/event-store';
import type { RelayCheckpointStore } from '../checkpoints/relay-checkpoint-store';
import type { RelayLogger } from './kafka-client';

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

/** The timings and batch limits of RelayOptions, with their defaults filled in. */
export interface RelayTimings {
  batchSize: number;
  maxBatchBytes: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  probeIntervalMs: number;
  stopTimeoutMs: number;
}

export function relayTimings(options: RelayOptions): RelayTimings {
  return {
    batchSize: options.batchSize ?? DEFAULT_RELAY_BATCH_SIZE,
    maxBatchBytes: options.maxBatchBytes ?? 8 * 1024 * 1024,
    retryDelayMs: options.retryDelayMs ?? 500,
    maxRetryDelayMs: options.maxRetryDelayMs ?? 30_000,
    probeIntervalMs: options.probeIntervalMs ?? 10_000,
    stopTimeoutMs: options.stopTimeoutMs ?? 10_000,
  };
}
