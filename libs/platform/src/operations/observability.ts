import type { EventStore } from '@agreements/event-store';
import { registerRelayMetrics, relayHealth, type RelayStatusSource } from '@agreements/messaging';
import { readModelLag, type ProjectorStatus, type ReadModelStore } from '@agreements/read-models';
import type { HealthRegistry } from './health';
import type { Metrics } from './metrics';

/** The event store answers (its head position) within the registry's timeout, or is down. */
export function registerEventStoreHealth(health: HealthRegistry, eventStore: EventStore): void {
  health.register({
    name: 'eventStore',
    async check() {
      const head = await eventStore.headPosition();
      return { status: 'up', headPosition: head ?? null };
    },
  });
}

/** Relay lag, publish counts and errors in /metrics; the broker's reachability as the `kafka` component. */
export function registerRelayObservability(relay: RelayStatusSource, metrics: Metrics, health: HealthRegistry): void {
  registerRelayMetrics(metrics.registry, relay);
  health.register({ name: 'kafka', check: async () => ({ ...relayHealth(await relay.status()) }) });
}

/** Behind by more than this many events, or this long, readiness reports degraded. */
const FAR_BEHIND_EVENTS = 10_000;
const FAR_BEHIND_MS = 60_000;

/**
 * Projection lag in /metrics and /health/ready. Read from both stores, so it is right also in an
 * API whose projector runs in another process.
 */
export function registerReadModelObservability(
  eventStore: EventStore,
  readModelStore: ReadModelStore,
  metrics: Metrics,
  health: HealthRegistry,
): void {
  // One lag reading serves both gauges of a scrape (readiness reads its own, fresh).
  let cached: { at: number; value: Promise<Awaited<ReturnType<typeof readModelLag>>> } | undefined;
  const lag = () => {
    if (!cached || Date.now() - cached.at > 250) cached = { at: Date.now(), value: readModelLag(eventStore, readModelStore) };
    return cached.value;
  };
  metrics.gauge('agreements_projection_lag_events', 'Events in the store not yet applied to the read models', async () => (await lag()).lagEvents);
  metrics.gauge(
    'agreements_projection_lag_milliseconds',
    'Age of the oldest event not yet applied to the read models (0 when caught up)',
    async () => (await lag()).lagMs,
  );
  health.register({
    name: 'readModels',
    async check() {
      const l = await readModelLag(eventStore, readModelStore);
      const far = l.lagEvents > FAR_BEHIND_EVENTS || l.lagMs > FAR_BEHIND_MS;
      return {
        status: far ? 'degraded' : 'up',
        detail: far ? `read models are ${l.lagEvents} events / ${l.lagMs} ms behind the event store` : undefined,
        checkpoint: l.checkpoint,
        headPosition: l.headPosition,
        lagEvents: l.lagEvents,
        lagMs: l.lagMs,
      };
    },
  });
}

/** A projector wherever it runs (this thread or its own): what its health check needs. */
export interface ProjectorStatusSource {
  status(): Promise<ProjectorStatus>;
}

export function registerProjectorHealth(projector: ProjectorStatusSource, health: HealthRegistry): void {
  health.register({
    name: 'projector',
    async check() {
      const s = await projector.status();
      if (s.stuck) {
        return { status: 'degraded', detail: `projector made no progress while behind (last error: ${s.lastError?.message ?? 'none'})`, ...s };
      }
      return { status: 'up', eventsApplied: s.eventsApplied, lastError: s.lastError };
    },
  });
}
