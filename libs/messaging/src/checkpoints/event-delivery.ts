/**
 * One acknowledged message of an event on the events topic: the relay's delivery record. Rows
 * are written in the transaction that moves the relay's checkpoint past the event, so a
 * checkpoint never passes an event without its delivery.
 */
export interface EventDelivery {
  eventId: string;
  /** The event's position in the store's log: the record's key (positions only grow, so rows append). */
  position: string;
  topic: string;
  partition: number;
  /** Kafka offsets are 64-bit: a decimal string, as kafkajs gives them. */
  offset: string;
  /** When the broker's acknowledgement reached the relay (RFC 3339, UTC). */
  publishedAt: string;
}

/** What the API answers for an event: its deliveries without the id it was asked for. */
export type DeliveryAnswer = Omit<EventDelivery, 'eventId' | 'position'>;

/** The event asked about, as the event store holds it. */
export interface DeliveredEvent {
  eventId: string;
  position: string;
}

/** Where the API reads the deliveries the relay recorded. */
export interface DeliveryReader {
  /** Every recorded delivery of the event, oldest first; [] when none (or no relay ever ran). */
  deliveriesOf(event: DeliveredEvent): Promise<DeliveryAnswer[]>;
  close(): Promise<void>;
}
