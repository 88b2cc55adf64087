/** Injection tokens of what the command path needs from the process that runs it. */
export const EVENT_STORE = Symbol('EVENT_STORE');
export const COMMAND_METRICS = Symbol('COMMAND_METRICS');

/** The counters the command path moves (the platform's Metrics has them). */
export interface CommandMetrics {
  eventsAppended: { inc(labels: { stream_kind: string }, value?: number): void };
  commandsRejected: { inc(labels: { code: string }): void };
}
