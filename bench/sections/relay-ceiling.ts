// The relay's ceiling (issue 14): a plain kafkajs producer sending the records the relay sends
// for the same fixture, in the same batches and request sizes, with the same producer settings
// (idempotent, one request in flight, acks from all in-sync replicas, no compression), cut into
// requests by the publisher's own produceRequests. The records
// are built before the clock starts: what is left is kafkajs and the broker. The relay's share
// of it is what its reading, encoding, status folding and checkpoints cost.
import { CompressionTypes, type Kafka } from 'kafkajs';
import { SqliteEventStore } from '@agreements/event-store';
import type { TopicMessages } from '@agreements/messaging';
import type { Report } from '../lib/report';
import { formatNumber, progress, runTag, type Scope, wallClock } from '../lib/util';
import { ensureFixture } from './rebuild';

type Messaging = typeof import('@agreements/messaging');

export async function rawProducerCeiling(scope: Scope, report: Report, messaging: Messaging, kafka: Kafka, freshFixture: boolean): Promise<number> {
  const fixture = await ensureFixture(scope, 'quick', freshFixture);
  const eventStore = await SqliteEventStore.open({ file: fixture.file });
  scope.defer('close the ceiling fixture event store', () => eventStore.close());
  const prefix = `bench-${runTag()}.`;
  const topics = messaging.topicNames(prefix);
  scope.defer(`delete topics ${topics.events}, ${topics.status}`, async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics: [topics.events, topics.status], timeout: 10_000 });
    } finally {
      await admin.disconnect();
    }
  });

  progress(`raw producer ceiling: building the relay's records for ${formatNumber(fixture.events)} events (not timed)`);
  const folder = new messaging.AgreementStatusFolder(eventStore);
  const batches: Array<{ events: number; requests: TopicMessages[][] }> = [];
  let from: string | undefined;
  let events = 0;
  for (;;) {
    const read = await eventStore.readAll({ fromPosition: from, maxCount: messaging.DEFAULT_RELAY_BATCH_SIZE + (from === undefined ? 0 : 1) });
    const batch = from === undefined ? read : read.slice(1);
    if (batch.length === 0) break;
    const statuses = await folder.statusMessages(batch);
    batches.push({
      events: batch.length,
      requests: messaging.produceRequests([
        { topic: topics.events, messages: batch.map((event) => messaging.eventMessage(event, '/agreements')) },
        { topic: topics.status, messages: statuses },
      ], messaging.DEFAULT_MAX_REQUEST_BYTES),
    });
    events += batch.length;
    from = batch[batch.length - 1].position;
  }

  const admin = kafka.admin();
  await admin.connect();
  try {
    await messaging.ensureTopics(admin, { topics, partitions: 6, logger: { info: () => undefined, warn: () => undefined, error: () => undefined } });
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  scope.defer('disconnect the ceiling producer', () => producer.disconnect());
  progress(`raw producer ceiling: ${batches.length} batches (${batches.reduce((n, b) => n + b.requests.length, 0)} requests) to ${topics.events}`);
  const acknowledged: Array<{ events: number; at: number }> = [];
  let sent = 0;
  for (const batch of batches) {
    for (const request of batch.requests) await producer.sendBatch({ topicMessages: request, acks: -1, compression: CompressionTypes.None });
    sent += batch.events;
    acknowledged.push({ events: sent, at: wallClock() });
  }
  // As the relay's figure: from the first acknowledged batch to the last.
  const first = acknowledged[0];
  const last = acknowledged[acknowledged.length - 1];
  const rate = last.at > first.at ? (last.events - first.events) / ((last.at - first.at) / 1000) : Number.NaN;
  report.add({
    section: 'relay',
    label: 'raw kafkajs producer, the same records and batches',
    value: rate,
    unit: 'events/s',
    rate: true,
    detail: `${formatNumber(events)} events (+ their status summaries) in ${batches.length} batches of up to ${formatNumber(messaging.DEFAULT_RELAY_BATCH_SIZE)}, requests of at most ${messaging.DEFAULT_MAX_REQUEST_BYTES / 1024} KiB, cut as the publisher cuts them, idempotent producer, one request in flight, acks=-1, records built before timing; rate from the first acknowledged batch to the last`,
  });
  return rate;
}
