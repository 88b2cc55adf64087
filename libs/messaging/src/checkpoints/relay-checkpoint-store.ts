import type { Position } from '@agreements/event-store';
import type { DeliveredEvent, DeliveryAnswer, DeliveryReader, EventDelivery } from './event-delivery';

/**
 * Where a relay keeps the position of the last event the broker acknowledged, one row per relay
 * name (several relays, e.g. to two clusters, can share a database), and the delivery record:
 * where each acknowledged event landed. It is written after every acknowledged batch and read
 * once at start.
 */
export interface RelayCheckpointStore extends DeliveryReader {
  /** undefined when this relay never published anything. */
  load(relayName: string): Promise<Position | undefined>;
  /** Moves the checkpoint and records the batch's deliveries in one transaction: both or neither. */
  save(relayName: string, position: Position, deliveries?: readonly EventDelivery[]): Promise<void>;
  /** Where the checkpoints are, for logs. */
  readonly description: string;
  close(): Promise<void>;
}

/** For tests and throwaway runs: forgets everything when the process ends. */
export class InMemoryRelayCheckpointStore implements RelayCheckpointStore {
  readonly description = 'memory';
  private readonly positions = new Map<string, Position>();
  private readonly deliveries = new Map<string, DeliveryAnswer[]>();

  async load(relayName: string): Promise<Position | undefined> {
    return this.positions.get(relayName);
  }

  async save(relayName: string, position: Position, deliveries: readonly EventDelivery[] = []): Promise<void> {
    // All or nothing, as the databases' transactions do.
    if (deliveries.some((d) => typeof d.eventId !== 'string')) throw new Error('a delivery without an event id');
    for (const { eventId, position: _position, ...where } of deliveries) {
      const list = this.deliveries.get(eventId) ?? [];
      list.push(where);
      this.deliveries.set(eventId, list);
    }
    this.positions.set(relayName, position);
  }

  async deliveriesOf(event: DeliveredEvent): Promise<DeliveryAnswer[]> {
    return [...(this.deliveries.get(event.eventId) ?? [])];
  }

  async close(): Promise<void> {}
}
