// @agreements/messaging: the Kafka relay (the store's events and agreement summaries to Kafka),
// replay, its checkpoints, and the message contract (docs/asyncapi.yaml is generated from it).
export * from './kafka/config';
export { createKafkaClient, describeError, silentLogger, type RelayLogger } from './kafka/kafka-client';
export { ensureTopics, type EnsureTopicsOptions } from './kafka/topics';
export { EventPublisher, type EventPublisherOptions, type PublishedBatch } from './kafka/event-publisher';
export { DEFAULT_MAX_REQUEST_BYTES, messageBytes, produceRequests, type TopicMessages } from './kafka/produce-requests';
export { DEFAULT_RELAY_BATCH_SIZE, Relay, startRelay, type RelayOptions, type RelayStatus, type RelayErrorKind } from './kafka/relay';
export { fastEncodedRecords, KafkajsInternalsChanged, recordEncoding, type RecordEncoding, useFastRecordEncoding } from './kafka/fast-record-encoding';
export { LedgerHeadPublisher, type LedgerHeadPublisherOptions, type PublishedTreeHead } from './kafka/ledger-head-publisher';
export { republish, type RepublishOptions, type RepublishProgress, type RepublishResult } from './kafka/republish';
export * from './contracts/cloud-events';
export * from './contracts/agreement-summary';
export * from './contracts/agreement-status-folder';
export { type RelayCheckpointStore, InMemoryRelayCheckpointStore } from './checkpoints/relay-checkpoint-store';
export { SqliteRelayCheckpointStore } from './checkpoints/sqlite-relay-checkpoint-store';
export { PostgresRelayCheckpointStore, type PostgresRelayCheckpointStoreOptions } from './checkpoints/postgres-relay-checkpoint-store';
export { openRelayCheckpointStore, type OpenRelayCheckpointStoreOptions } from './checkpoints/open-relay-checkpoint-store';
export type { DeliveredEvent, DeliveryAnswer, DeliveryReader, EventDelivery } from './checkpoints/event-delivery';
export { openDeliveryReader } from './checkpoints/open-delivery-reader';
export { relayHealth, registerRelayMetrics, type RelayHealth, type RelayStatusSource } from './operations/relay-observability';
export { buildAsyncApiDocument } from './asyncapi/document';
