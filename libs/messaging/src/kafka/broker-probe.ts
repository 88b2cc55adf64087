import type { Kafka } from 'kafkajs';
import { describeError } from './kafka-client';
import type { RelayState } from './relay-state';

export interface BrokerProbeOptions {
  kafka: Kafka;
  /** A topic whose metadata the probe asks for: an answer means the broker works. */
  topic: string;
  state: RelayState;
  /** How long the relay may go without hearing from the broker before an idle probe. */
  intervalMs: number;
  stopping: () => boolean;
  /** Ends the relay's backoff wait: the broker answers again. */
  wakeRetry: () => void;
}

/**
 * While idle, notices a broker that went away (for status() and the log); while waiting to
 * retry after a broker failure, notices it came back and retries at once rather than at the
 * end of a long backoff.
 */
export class BrokerProbe {
  private timer: NodeJS.Timeout | undefined;
  private probing = false;

  constructor(private readonly options: BrokerProbeOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.probe(), Math.max(50, Math.min(this.options.intervalMs, 5000)));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async probe(): Promise<void> {
    const { kafka, topic, state, intervalMs, stopping } = this.options;
    if (this.probing || stopping()) return;
    const idle = state.phase === 'waiting' && Date.now() - state.lastBrokerContact >= intervalMs;
    const awaitingBroker = state.phase === 'retrying' && state.lastError?.kind === 'broker';
    if (!idle && !awaitingBroker) return;
    this.probing = true;
    const admin = kafka.admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      await admin.fetchTopicMetadata({ topics: [topic] });
      if (state.phase === 'retrying') this.options.wakeRetry();
      else state.markBrokerReachable();
    } catch (error) {
      if (state.brokerReachable && !stopping() && state.phase === 'waiting') state.markBrokerLost(describeError(error));
    } finally {
      await admin.disconnect().catch(() => undefined);
      this.probing = false;
    }
  }
}
