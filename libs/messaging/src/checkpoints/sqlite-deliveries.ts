import type Database from 'better-sqlite3';
import type { DeliveryAnswer } from './event-delivery';

/**
 * The delivery record in `relay.sqlite`, shared by the relay's checkpoint store (which writes it)
 * and the API's reader. Indexed by the event's position, which only grows: each batch's rows go
 * at the end of the index (an index on the random event ids cost 5 to 10 µs per row, growing with
 * the table). No unique key: an event sent twice and recorded twice (another relay name, a
 * checkpoint reset by hand) has two rows. `kafka_offset` because OFFSET is an SQL word.
 */
export const SQLITE_DELIVERIES_SCHEMA = `
  CREATE TABLE IF NOT EXISTS relay_deliveries (
    position     TEXT    NOT NULL,
    event_id     TEXT    NOT NULL,
    relay_name   TEXT    NOT NULL,
    topic        TEXT    NOT NULL,
    partition    INTEGER NOT NULL,
    kafka_offset INTEGER NOT NULL,
    published_at TEXT    NOT NULL
  );
  CREATE INDEX IF NOT EXISTS relay_deliveries_by_position ON relay_deliveries (position);
`;

export const DELIVERY_COLUMNS = ['position', 'event_id', 'relay_name', 'topic', 'partition', 'kafka_offset', 'published_at'] as const;

interface DeliveryRow {
  topic: string;
  partition: bigint;
  kafka_offset: bigint;
  published_at: string;
}

/** Oldest first (rowid: insertion order). Integers as BigInt, so a 64-bit offset keeps every digit. */
export function readDeliveriesStatement(db: Database.Database): Database.Statement<[string, string], DeliveryRow> {
  return db
    .prepare<[string, string], DeliveryRow>(
      'SELECT topic, partition, kafka_offset, published_at FROM relay_deliveries WHERE position = ? AND event_id = ? ORDER BY rowid',
    )
    .safeIntegers(true);
}

export function toDeliveryAnswer(row: DeliveryRow): DeliveryAnswer {
  return { topic: row.topic, partition: Number(row.partition), offset: row.kafka_offset.toString(), publishedAt: row.published_at };
}
