// The client side of the lag and relay benches, in a worker thread of its own: the paced command
// load and, for the relay, a Kafka consumer on the events topic. The server side (API, projector,
// relay) keeps the main thread's event loop to itself, so neither delays the other's timestamps.
// Imports nothing of the product (no @agreements/* aliases needed in this thread).
import { parentPort, workerData } from 'node:worker_threads';
import { Kafka, logLevel } from 'kafkajs';
import { type Accepted, pacedCommands, type PacedLoadOptions, type PacedLoadResult } from './paced-load';
import { pacedReads, type PacedReadsOptions, type PacedReadsResult } from './paced-reads';
import { sleep, wallClock } from './util';

export interface ClientWorkerData {
  load: PacedLoadOptions;
  /** Consume this topic from the start, from before the load begins until told to stop. */
  kafka?: { brokers: string[]; topic: string; groupId: string };
  /** Reads mixed into the load, for as long as it runs (the soak). */
  reads?: Omit<PacedReadsOptions, 'base' | 'token'>;
  /** Keep every accepted result for the section (default); a long soak only counts them. */
  keepAccepted?: boolean;
}

export interface Consumed {
  eventId: string;
  at: number;
}

export type ClientMessage =
  | { kind: 'consumed'; items: Consumed[] }
  | { kind: 'loadDone'; result: PacedLoadResult; accepted: Accepted[]; reads?: PacedReadsResult }
  | { kind: 'error'; message: string }
  | { kind: 'stopped' };

const port = parentPort!;
const data = workerData as ClientWorkerData;
const post = (message: ClientMessage) => port.postMessage(message);

/** The bench consumer's longest wait for a fetch with nothing to return. */
const CONSUMER_MAX_WAIT_MS = 10;

async function main(): Promise<void> {
  let consumed: Consumed[] = [];
  let flushTimer: NodeJS.Timeout | undefined;
  let disconnect: () => Promise<void> = async () => undefined;

  if (data.kafka) {
    const kafka = new Kafka({
      clientId: 'agreements-bench-consumer',
      brokers: data.kafka.brokers,
      logLevel: logLevel.NOTHING,
    });
    // A latency-minded consumer (issue 14): a fetch answers as soon as one byte is there, an empty
    // one comes back after 10 ms rather than kafkajs' 5 s default (100 ms here before), and no
    // offset commit stands between two fetches (below).
    const consumer = kafka.consumer({ groupId: data.kafka.groupId, maxWaitTimeInMs: CONSUMER_MAX_WAIT_MS, minBytes: 1 });
    await consumer.connect();
    disconnect = () => consumer.disconnect();
    await consumer.subscribe({ topic: data.kafka.topic, fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      // kafkajs commits the offsets after every batch, and fetches again only once they are
      // committed: a round trip per partition batch before the next fetch, about 20 ms of the
      // end-to-end lag at 1,000 commands/s. A latency-minded consumer commits out of the fetch
      // loop (autoCommit off and its own periodic commitOffsets); this one, a new group each run
      // reading from the beginning, needs no commits at all.
      autoCommit: false,
      eachMessage: async ({ message }) => {
        const eventId = message.headers?.ce_id?.toString();
        if (eventId) consumed.push({ eventId, at: wallClock() });
      },
    });
    const timeout = sleep(30_000).then(() => {
      throw new Error('the bench consumer did not join its group within 30 s');
    });
    await Promise.race([joined, timeout]);
    flushTimer = setInterval(() => {
      if (consumed.length === 0) return;
      post({ kind: 'consumed', items: consumed });
      consumed = [];
    }, 20);
  }

  const stopped = new Promise<void>((resolve) => port.once('message', () => resolve()));
  const accepted: Accepted[] = [];
  const keep = data.keepAccepted ?? true;
  let latestStream: string | undefined; // the agreement id of the last accepted command
  let loadEnded = false;
  const reads = data.reads
    ? pacedReads({ ...data.reads, base: data.load.base, token: data.load.token }, () => latestStream, () => loadEnded)
    : undefined;
  const result = await pacedCommands(data.load, (a) => {
    latestStream = a.result.streamId.slice('agreement-'.length);
    if (keep) accepted.push(a);
  });
  loadEnded = true;
  post({ kind: 'loadDone', result, accepted, reads: await reads });
  await stopped;
  if (flushTimer) clearInterval(flushTimer);
  if (consumed.length > 0) post({ kind: 'consumed', items: consumed });
  await disconnect();
  post({ kind: 'stopped' });
}

main().catch((error: unknown) =>
  post({ kind: 'error', message: error instanceof Error ? error.message : String(error) }),
);
