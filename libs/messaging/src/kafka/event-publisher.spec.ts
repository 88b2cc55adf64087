import { Partitioners } from 'kafkajs';
import { memoizedDefaultPartitioner } from './event-publisher';

describe('the memoized partitioner', () => {
  it('puts every key on the partition kafkajs\' default (Java-compatible) partitioner chooses, also when the partition count changes', () => {
    const plain = Partitioners.DefaultPartitioner();
    const memoized = memoizedDefaultPartitioner();
    for (const partitions of [1, 3, 6, 12]) {
      const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
      for (let i = 0; i < 500; i += 1) {
        const key = i % 2 === 0 ? `agreement-a-${i}` : `process-p-${i}`;
        const args = { topic: 'agreements.events.v1', partitionMetadata, message: { key, value: 'x' } };
        const first = memoized(args);
        expect(first).toBe(plain(args));
        expect(memoized(args)).toBe(first);
      }
    }
  });
});
