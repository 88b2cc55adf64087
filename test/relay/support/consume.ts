import { Kafka, logLevel } from 'kafkajs';

export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  value: string | null;
  headers: Record<string, string>;
}

/**
 * Reads the topics from the beginning with a fresh consumer group until `done` says so (or
 * timeoutMs passes: then it rejects, saying how many messages it had).
 */
export async function consumeUntil(
  brokers: string,
  topics: string[],
  done: (messages: ConsumedMessage[]) => boolean,
  timeoutMs = 45_000,
): Promise<ConsumedMessage[]> {
  const kafka = new Kafka({ clientId: 'relay-test-consumer', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `relay-test-${Date.now()}-${Math.random().toString(36).slice(2)}`, sessionTimeout: 10_000, heartbeatInterval: 1000 });
  const messages: ConsumedMessage[] = [];
  let resolveDone!: () => void;
  const finished = new Promise<void>((resolve) => (resolveDone = resolve));
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(Array.isArray(value) ? value[0] : value);
          messages.push({
            topic: batch.topic,
            partition: batch.partition,
            offset: message.offset,
            key: message.key?.toString('utf8') ?? '',
            value: message.value === null ? null : message.value.toString('utf8'),
            headers,
          });
        }
        if (done(messages)) resolveDone();
      },
    });
    if (done(messages)) return messages;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const outcome = await Promise.race([finished.then(() => 'done' as const), timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      throw new Error(`consumed ${messages.length} messages from ${topics.join(', ')} in ${timeoutMs} ms without reaching the expected end`);
    }
    return messages;
  } finally {
    await consumer.disconnect();
  }
}

export function eventsOf(messages: ConsumedMessage[], topic: string): ConsumedMessage[] {
  return messages.filter((m) => m.topic === topic);
}

/** The last message per key of a topic, in partition order (what compaction keeps). */
export function latestByKey(messages: ConsumedMessage[], topic: string): Map<string, ConsumedMessage> {
  const latest = new Map<string, ConsumedMessage>();
  for (const message of messages.filter((m) => m.topic === topic).sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)))) {
    latest.set(message.key, message);
  }
  return latest;
}

/** A logger that keeps its lines for assertions. */
export function memoryLogger() {
  const lines: Array<{ level: string; obj: Record<string, unknown>; msg: string }> = [];
  const at = (level: string) => (obj: object, msg?: string) => {
    lines.push({ level, obj: obj as Record<string, unknown>, msg: msg ?? '' });
  };
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug'), text: () => lines.filter((l) => l.level !== 'debug').map((l) => `${l.level}: ${l.msg}`).join('\n') };
}
