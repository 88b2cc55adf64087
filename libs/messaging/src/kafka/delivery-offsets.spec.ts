import type { PartitionerArgs, RecordMetadata } from 'kafkajs';
import { locateMessages, PartitionChoices } from './delivery-offsets';

const meta = (topicName: string, partition: number, baseOffset: string): RecordMetadata => ({ topicName, partition, errorCode: 0, baseOffset });

describe('locating each message of an acknowledged produce request', () => {
  // A partitioner as kafkajs calls it: the message object itself, once per message (again on a retry).
  const choose = (choices: PartitionChoices, messages: Array<{ key: string }>, partitionOf: (key: string) => number) => {
    const partitioner = choices.wrap(() => ({ message }: PartitionerArgs) => partitionOf(String(message.key)))();
    for (const message of messages) partitioner({ topic: 't', partitionMetadata: [], message: message as never });
  };

  it('gives the k-th message of a partition baseOffset + k, in the order the messages were given', () => {
    const choices = new PartitionChoices();
    const messages = ['a', 'b', 'a', 'c', 'b', 'a'].map((key) => ({ key }));
    const partitions: Record<string, number> = { a: 0, b: 2, c: 1 };
    choose(choices, messages, (key) => partitions[key]);

    const located = locateMessages('t', messages, [meta('t', 0, '100'), meta('t', 1, '7'), meta('t', 2, '9007199254740991'), meta('other', 0, '5')], choices);

    expect(located).toEqual([
      { topic: 't', partition: 0, offset: '100' },
      { topic: 't', partition: 2, offset: '9007199254740991' },
      { topic: 't', partition: 0, offset: '101' },
      { topic: 't', partition: 1, offset: '7' },
      { topic: 't', partition: 2, offset: '9007199254740992' },
      { topic: 't', partition: 0, offset: '102' },
    ]);
  });

  it('refuses to guess when the broker named no offset for a partition, or a message was never partitioned', () => {
    const choices = new PartitionChoices();
    const messages = [{ key: 'a' }];
    choose(choices, messages, () => 4);
    expect(() => locateMessages('t', messages, [meta('t', 0, '1')], choices)).toThrow("the broker's answer gave no offset for t partition 4");
    expect(() => locateMessages('t', [{ key: 'never' }], [meta('t', 0, '1')], choices)).toThrow('did not ask the partitioner');
  });
});
