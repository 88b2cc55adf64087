import type { Position } from '@agreements/event-store';

/**
 * Where a relay keeps the position of the last event the broker acknowledged, one row per relay
 * name (several relays, e.g. to two clusters, can share a database). It is written after every
 * acknowledged batch and read once at start.
 */
export interface RelayCheckpointStore {
  /** undefined when this relay never published anything. */
  load(relayName: string): Promise<Position | undefined>;
  save(relayName: string, position: Position): Promise<void>;
  /** Where the checkpoints are, for logs. */
  readonly description: string;
  close(): Promise<void>;
}

/** For tests and throwaway runs: forgets everything when the process ends. */
export class InMemoryRelayCheckpointStore implements RelayCheckpointStore {
  readonly description = 'memory';
  private readonly positions = new Map<string, Position>();

  async load(relayName: string): Promise<Position | undefined> {
    return this.positions.get(relayName);
  }

  async save(relayName: string, position: Position): Promise<void> {
    this.positions.set(relayName, position);
  }

  async close(): Promise<void> {}
}
