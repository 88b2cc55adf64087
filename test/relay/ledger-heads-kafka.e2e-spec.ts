import { verify } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { astana, startTestApp, TOKENS, type TestApp } from '../support/app';
import { deleteTopics, ensureKafka, uniqueTopicPrefix } from '../support/kafka';

// With KAFKA_BROKERS set, every signed tree head also goes to agreements.ledger.v1 (key "head"),
// so that copies of the heads live outside the server. The real broker of scripts/kafka.sh.

const auditor = { token: TOKENS.auditor };

interface Head {
  treeSize: number;
  rootHash: string;
  timestamp: string;
  keyId: string;
  signature: string;
}

describe('signed tree heads on Kafka', () => {
  let brokers: string;
  let t: TestApp;
  const prefix = uniqueTopicPrefix('ledger');

  beforeAll(async () => {
    brokers = await ensureKafka();
    t = await startTestApp({ KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix, KAFKA_PARTITIONS: '1', LEDGER_HEAD_INTERVAL_MS: '200' });
  });
  afterAll(async () => {
    await t?.close();
    if (brokers) await deleteTopics(brokers, [prefix]);
  });

  it('publishes each head the server signs, in order, with key "head", exactly as /v1/ledger/heads lists it', async () => {
    for (const step of astana.steps) expect((await t.api.post(step.path, step.body)).status).toBe(201);
    const total = (await t.api.get('/v1/events?limit=1000', auditor)).json.items.length;

    const received: Array<{ key: string; head: Head }> = [];
    const consumer = new Kafka({ clientId: 'ledger-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).consumer({ groupId: `${prefix}reader` });
    await consumer.connect();
    try {
      // The topic is created on the first head; wait for it before subscribing.
      const deadline = Date.now() + 60_000;
      while ((await t.api.get('/v1/ledger/head', auditor)).json?.treeSize !== total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      await consumer.subscribe({ topic: `${prefix}agreements.ledger.v1`, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no head of ${total} leaves on Kafka; got ${JSON.stringify(received.map((r) => r.head.treeSize))}`)), 60_000);
        void consumer.run({
          eachMessage: async ({ message }) => {
            const head = JSON.parse(message.value!.toString()) as Head;
            received.push({ key: message.key!.toString(), head });
            if (head.treeSize === total) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
    } finally {
      await consumer.disconnect();
    }

    const listed = (await t.api.get('/v1/ledger/heads?limit=1000', auditor)).json.items as Head[];
    expect(received.map((r) => r.key)).toEqual(received.map(() => 'head'));
    expect(received.map((r) => r.head)).toEqual(listed.slice(0, received.length));
    expect(received.at(-1)!.head.treeSize).toBe(total);
    const key = (await t.api.get('/v1/ledger/key', auditor)).json.publicKey;
    for (const { head } of received) {
      const signed = `{"rootHash":"${head.rootHash}","timestamp":"${head.timestamp}","treeSize":${head.treeSize}}`;
      expect(verify(null, Buffer.from(signed), key, Buffer.from(head.signature, 'base64'))).toBe(true);
    }
  });
});
