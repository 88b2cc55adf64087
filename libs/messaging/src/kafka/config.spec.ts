import { checkPartitions, KafkaConfigError, parseKafkaBrokers, topicNames } from './config';

describe('KAFKA_BROKERS', () => {
  it('takes a comma-separated list of host:port, spaces around entries allowed', () => {
    expect(parseKafkaBrokers('127.0.0.1:9092')).toEqual(['127.0.0.1:9092']);
    expect(parseKafkaBrokers(' kafka-1:9092, kafka-2.internal:19092 ,[::1]:9093')).toEqual(['kafka-1:9092', 'kafka-2.internal:19092', '[::1]:9093']);
    expect(parseKafkaBrokers(['a:1', 'b:2'])).toEqual(['a:1', 'b:2']);
  });

  it.each([
    [undefined, 'KAFKA_BROKERS is not set'],
    ['', 'KAFKA_BROKERS is empty'],
    ['localhost', '"localhost" has no port'],
    ['localhost:abc', '"localhost:abc" has an invalid port "abc"'],
    ['localhost:70000', 'invalid port "70000"'],
    ['a:1,,b:2', 'an empty entry'],
    ['kafka://broker:9092', 'has a scheme: leave out "kafka://"'],
    ['bad host:9092', 'invalid host "bad host"'],
  ])('refuses %p with a message that says what is wrong (%s)', (value, expected) => {
    expect(() => parseKafkaBrokers(value)).toThrow(KafkaConfigError);
    expect(() => parseKafkaBrokers(value)).toThrow(expected);
  });
});

describe('topic names', () => {
  it('are the contract names, with KAFKA_TOPIC_PREFIX in front', () => {
    expect(topicNames()).toEqual({ events: 'agreements.events.v1', status: 'agreements.status.v1' });
    expect(topicNames('staging.')).toEqual({ events: 'staging.agreements.events.v1', status: 'staging.agreements.status.v1' });
  });

  it('refuse a prefix Kafka would refuse', () => {
    expect(() => topicNames('my prefix/')).toThrow('KAFKA_TOPIC_PREFIX may only hold letters, digits');
    expect(() => topicNames('x'.repeat(240))).toThrow('too long');
  });

  it('KAFKA_PARTITIONS must be a positive whole number', () => {
    expect(checkPartitions(6)).toBe(6);
    expect(() => checkPartitions(0)).toThrow('KAFKA_PARTITIONS must be a whole number from 1 to 10000');
    expect(() => checkPartitions(1.5)).toThrow(KafkaConfigError);
  });
});
