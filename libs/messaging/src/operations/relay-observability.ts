import { Counter, Gauge, type Registry } from 'prom-client';
import type { RelayStatus } from '../kafka/relay';

export interface RelayStatusSource {
  status(): Promise<RelayStatus>;
}

export interface RelayHealth {
  status: 'up' | 'degraded';
  detail?: string;
  brokerReachable: boolean;
  checkpoint: string | null;
  lagEvents: number | null;
  lagMs: number | null;
}

/**
 * For /health/ready: `degraded` (with the reason) while the relay cannot publish; the API keeps
 * working meanwhile, and nothing is lost: the relay catches up from its checkpoint.
 */
export function relayHealth(status: RelayStatus): RelayHealth {
  const common = { brokerReachable: status.brokerReachable, checkpoint: status.checkpoint, lagEvents: status.lagEvents, lagMs: status.lagMs };
  if (status.configError !== null) return { status: 'degraded', detail: `misconfigured: ${status.configError}`, ...common };
  if (!status.running) return { status: 'degraded', detail: 'the relay is not running', ...common };
  if (!status.brokerReachable) {
    const reason = status.lastError ? `: ${status.lastError.message}` : ' yet';
    return { status: 'degraded', detail: `Kafka unreachable${reason}`, ...common };
  }
  return { status: 'up', ...common };
}

/**
 * Relay metrics on a prom-client registry, read from status() at scrape time (one status() per
 * scrape): lag in events and seconds, events and summaries published (rate() of it is the publish
 * rate), errors, broker reachability; and which kafkajs record encoder this process runs.
 */
export function registerRelayMetrics(registry: Registry, relay: RelayStatusSource, prefix = 'agreements_'): void {
  let cached: { at: number; status: Promise<RelayStatus> } | undefined;
  const current = (): Promise<RelayStatus> => {
    const now = Date.now();
    if (!cached || now - cached.at > 250) cached = { at: now, status: relay.status() };
    return cached.status;
  };
  const registers = [registry];
  new Gauge({
    name: `${prefix}relay_lag_events`,
    help: 'Events stored but not yet acknowledged by Kafka',
    registers,
    async collect() {
      const { lagEvents } = await current();
      if (lagEvents !== null) this.set(lagEvents);
    },
  });
  new Gauge({
    name: `${prefix}relay_lag_seconds`,
    help: 'Age of the oldest event not yet acknowledged by Kafka (0 when caught up)',
    registers,
    async collect() {
      const { lagMs } = await current();
      if (lagMs !== null) this.set(lagMs / 1000);
    },
  });
  new Counter({
    name: `${prefix}relay_published_events_total`,
    help: 'Events acknowledged by Kafka since the process started',
    registers,
    async collect() {
      this.reset();
      this.inc((await current()).publishedTotal);
    },
  });
  new Counter({
    name: `${prefix}relay_published_statuses_total`,
    help: 'Agreement summaries acknowledged by Kafka since the process started',
    registers,
    async collect() {
      this.reset();
      this.inc((await current()).statusPublishedTotal);
    },
  });
  new Counter({
    name: `${prefix}relay_errors_total`,
    help: 'Failed relay attempts (broker, event store, checkpoint, configuration) since the process started',
    registers,
    async collect() {
      this.reset();
      this.inc((await current()).errorsTotal);
    },
  });
  new Gauge({
    name: `${prefix}relay_broker_reachable`,
    help: '1 while the Kafka broker answers, 0 otherwise',
    registers,
    async collect() {
      this.set((await current()).brokerReachable ? 1 : 0);
    },
  });
  // Counted by the encoder itself, where the relay runs (a worker thread of its own under npm
  // start, whose module state this thread cannot see): a count above 0 shows kafkajs really calls it.
  new Gauge({
    name: `${prefix}relay_fast_record_encoder`,
    help: "1 when the relay replaced kafkajs' record encoder with its faster one (same bytes), 0 when it uses kafkajs' own",
    registers,
    async collect() {
      this.set((await current()).recordEncoder === 'fast' ? 1 : 0);
    },
  });
  new Counter({
    name: `${prefix}relay_fast_encoded_records_total`,
    help: 'Kafka records (events and summaries) written by the fast record encoder, counted by the encoder as kafkajs calls it',
    registers,
    async collect() {
      const { fastEncodedRecords } = await current();
      this.reset();
      this.inc(fastEncodedRecords);
    },
  });
}
