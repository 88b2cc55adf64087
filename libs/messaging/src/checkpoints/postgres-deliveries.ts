import type { Pool } from 'pg';
import type { DeliveredEvent, DeliveryAnswer } from './event-delivery';

/** The delivery record beside `relay_checkpoints`, keyed by position (see sqlite-deliveries.ts for why). */
export function postgresDeliveriesSchema(schema: string | undefined): string {
  const table = deliveriesTable(schema);
  return `
    CREATE TABLE IF NOT EXISTS ${table} (
      id           BIGSERIAL PRIMARY KEY,
      position     TEXT        NOT NULL,
      event_id     TEXT        NOT NULL,
      relay_name   TEXT        NOT NULL,
      topic        TEXT        NOT NULL,
      partition    INTEGER     NOT NULL,
      kafka_offset BIGINT      NOT NULL,
      published_at TIMESTAMPTZ NOT NULL
    );
    CREATE INDEX IF NOT EXISTS relay_deliveries_by_position ON ${table} (position);`;
}

export function deliveriesTable(schema: string | undefined): string {
  return schema === undefined ? 'relay_deliveries' : `"${schema}".relay_deliveries`;
}

/** Oldest first; [] when the table does not exist yet (no relay ever ran against this database). */
export async function readPostgresDeliveries(pool: Pool, schema: string | undefined, event: DeliveredEvent): Promise<DeliveryAnswer[]> {
  try {
    const { rows } = await pool.query<{ topic: string; partition: number; kafka_offset: string; published_at: Date }>(
      `SELECT topic, partition, kafka_offset::text AS kafka_offset, published_at FROM ${deliveriesTable(schema)} WHERE position = $1 AND event_id = $2 ORDER BY id`,
      [event.position, event.eventId],
    );
    return rows.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.kafka_offset, publishedAt: r.published_at.toISOString() }));
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') return [];
    throw error;
  }
}
