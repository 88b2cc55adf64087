import { Registry } from 'prom-client';
import type { RelayStatus } from '../kafka/relay';
import { registerRelayMetrics, relayHealth } from './relay-observability';

const healthy: RelayStatus = {
  relayName: 'kafka:agreements.events.v1',
  topics: { events: 'agreements.events.v1', status: 'agreements.status.v1' },
  running: true,
  degraded: false,
  checkpoint: '120',
  headPosition: '150',
  lagEvents: 30,
  lagMs: 2500,
  publishedTotal: 120,
  statusPublishedTotal: 14,
  batchesTotal: 3,
  errorsTotal: 2,
  lastError: null,
  brokerReachable: true,
  configError: null,
  startedAt: '2026-01-01T00:00:00.000Z',
  lastPublishedAt: '2026-01-01T00:00:01.000Z',
  recordEncoder: 'fast',
  fastEncodedRecords: 134,
};

describe('relay health', () => {
  it('is up while the broker answers, degraded with the reason otherwise', () => {
    expect(relayHealth(healthy)).toEqual({ status: 'up', brokerReachable: true, checkpoint: '120', lagEvents: 30, lagMs: 2500 });
    const away = { ...healthy, brokerReachable: false, degraded: true, lastError: { kind: 'broker' as const, message: 'connect ECONNREFUSED 127.0.0.1:9092', at: '' } };
    expect(relayHealth(away)).toMatchObject({ status: 'degraded', detail: 'Kafka unreachable: connect ECONNREFUSED 127.0.0.1:9092' });
    expect(relayHealth({ ...healthy, configError: 'KAFKA_BROKERS is empty' })).toMatchObject({ status: 'degraded', detail: 'misconfigured: KAFKA_BROKERS is empty' });
    expect(relayHealth({ ...healthy, running: false })).toMatchObject({ status: 'degraded', detail: 'the relay is not running' });
  });
});

describe('relay metrics', () => {
  it('expose lag in events and seconds, events and summaries published, errors and broker reachability', async () => {
    const registry = new Registry();
    registerRelayMetrics(registry, { status: async () => healthy });
    const text = await registry.metrics();
    expect(text).toContain('agreements_relay_lag_events 30');
    expect(text).toContain('agreements_relay_lag_seconds 2.5');
    expect(text).toContain('agreements_relay_published_events_total 120');
    expect(text).toContain('agreements_relay_published_statuses_total 14');
    expect(text).toContain('agreements_relay_errors_total 2');
    expect(text).toContain('agreements_relay_broker_reachable 1');
    // From the status, that is from the encoder of the thread where the relay runs.
    expect(text).toContain('agreements_relay_fast_record_encoder 1');
    expect(text).toContain('agreements_relay_fast_encoded_records_total 134');
  });
});
