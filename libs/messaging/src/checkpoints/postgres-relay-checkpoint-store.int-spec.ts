import { Client } from 'pg';
import { openRelayCheckpointStore } from './open-relay-checkpoint-store';
import { PostgresRelayCheckpointStore } from './postgres-relay-checkpoint-store';
import { checkpointStoreContract } from '../testing/checkpoint-store.contract';
import { TEST_DATABASE_URL } from '../../../read-models/src/testing/backends';

// The repo's test PostgreSQL (TEST_DATABASE_URL, default 127.0.0.1:5432/test).
const DATABASE_URL = TEST_DATABASE_URL;
const schema = `relay_test_${process.pid}_${Date.now().toString(36)}`;

describe('the PostgreSQL relay checkpoint store (table relay_checkpoints)', () => {
  afterAll(async () => {
    const client = new Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  checkpointStoreContract(() => PostgresRelayCheckpointStore.open({ connectionString: DATABASE_URL, schema }));

  it('is chosen when DATABASE_URL is set, in the schema asked for', async () => {
    const store = await openRelayCheckpointStore({ dataDir: '/nonexistent', databaseUrl: DATABASE_URL, pgSchema: schema });
    expect(store.description).toBe(`postgres "${schema}".relay_checkpoints`);
    await store.save('kafka:x', '42');
    const client = new Client({ connectionString: DATABASE_URL });
    await client.connect();
    const { rows } = await client.query(`SELECT relay_name, position FROM "${schema}".relay_checkpoints WHERE relay_name = 'kafka:x'`);
    await client.end();
    expect(rows).toEqual([{ relay_name: 'kafka:x', position: '42' }]);
    await store.close();
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(PostgresRelayCheckpointStore.open({ connectionString: DATABASE_URL, schema: 'x"; drop' })).rejects.toThrow('invalid PostgreSQL schema name');
  });
});
