import type { Pool } from 'pg';
import type { DeliveryAnswer } from './event-delivery';

/** The delivery record beside `relay_checkpoints` (see sqlite-deliveries.ts for the shape). */
export function postgresDeliveriesSchema(schema: string | undefined): string {
  const table = deliveriesTable(schema);
  return `
    CREATE TABLE IF NOT EXISTS ${table} (
      id           BIGSERIAL PRIMARY KEY,
      event_id     TEXT        NOT NULL,
      relay_name   TEXT        NOT NULL,
      topic        TEXT        NOT NULL,
      partition    INTEGER     NOT NULL,
      kafka_offset BIGINT      NOT NULL,
      published_at TIMESTAMPTZ NOT NULL
    );
    CREATE INDEX IF NOT EXISTS relay_deliveries_by_event ON ${table} (event_id);`;
}

export function deliveriesTable(schema: string | undefined): string {
  return schema === undefined ? 'relay_deliveries' : `"${schema}".relay_deliveries`;
}

/** Oldest first; [] when the table does not exist yet (no relay ever ran against this database). */
export async function readPostgresDeliveries(pool: Pool, schema: string | undefined, eventId: string): Promise<DeliveryAnswer[]> {
  try {
    const { rows } = await pool.query<{ topic: string; partition: number; kafka_offset: string; published_at: Date }>(
      `SELECT topic, partition, kafka_offset::text AS kafka_offset, published_at FROM ${deliveriesTable(schema)} WHERE event_id = $1 ORDER BY id`,
      [eventId],
    );
    return rows.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.kafka_offset, publishedAt: r.published_at.toISOString() }));
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') return [];
    throw error;
  }
}
