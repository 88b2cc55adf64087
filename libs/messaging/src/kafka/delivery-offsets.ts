import type { ICustomPartitioner, RecordMetadata } from 'kafkajs';

/** Where the broker put one message: what an auditor needs to fetch it again. */
export interface MessageLocation {
  topic: string;
  partition: number;
  /** Kafka offsets are 64-bit: a decimal string, as kafkajs gives them. */
  offset: string;
}

/**
 * Wraps a partitioner so that the partition chosen for each message object is remembered. kafkajs
 * hands the partitioner the very objects given to sendBatch, so the caller can ask afterwards;
 * a retried request asks again and gets the same answer (messages are keyed).
 */
export class PartitionChoices {
  private readonly chosen = new WeakMap<object, number>();

  wrap(factory: ICustomPartitioner): ICustomPartitioner {
    return () => {
      const partitioner = factory();
      return (args) => {
        const partition = partitioner(args);
        this.chosen.set(args.message, partition);
        return partition;
      };
    };
  }

  partitionOf(message: object): number | undefined {
    return this.chosen.get(message);
  }
}

/**
 * The location of each message of `topic` in one acknowledged produce request, in the order given.
 * The broker answers a request with one RecordMetadata per partition: the offset of the first
 * record written there (baseOffset). kafkajs groups a topic's messages by partition keeping their
 * order, one record batch per partition with consecutive offsets, so the k-th message of a
 * partition in the request is at baseOffset + k.
 */
export function locateMessages(
  topic: string,
  messages: readonly object[],
  metadata: readonly RecordMetadata[],
  choices: PartitionChoices,
): MessageLocation[] {
  const base = new Map<number, string>();
  for (const entry of metadata) if (entry.topicName === topic && entry.baseOffset !== undefined) base.set(entry.partition, entry.baseOffset);
  const written = new Map<number, number>();
  return messages.map((message) => {
    const partition = choices.partitionOf(message);
    if (partition === undefined) throw new Error(`kafkajs did not ask the partitioner about a message of ${topic}`);
    const first = base.get(partition);
    if (first === undefined) throw new Error(`the broker's answer gave no offset for ${topic} partition ${partition}`);
    const k = written.get(partition) ?? 0;
    written.set(partition, k + 1);
    return { topic, partition, offset: addToOffset(first, k) };
  });
}

function addToOffset(offset: string, k: number): string {
  const n = Number(offset);
  const sum = n + k;
  return Number.isSafeInteger(sum) ? String(sum) : (BigInt(offset) + BigInt(k)).toString();
}
