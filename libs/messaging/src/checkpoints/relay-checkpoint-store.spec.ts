import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRelayCheckpointStore } from './open-relay-checkpoint-store';
import { checkpointStoreContract } from '../testing/checkpoint-store.contract';
import { InMemoryRelayCheckpointStore } from './relay-checkpoint-store';
import { SqliteRelayCheckpointStore } from './sqlite-relay-checkpoint-store';

describe('the SQLite relay checkpoint store (DATA_DIR/relay.sqlite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-checkpoints-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  checkpointStoreContract(() => SqliteRelayCheckpointStore.open({ file: join(dir, 'nested', 'relay.sqlite') }));

  it('is the default without a database URL', async () => {
    const store = await openRelayCheckpointStore({ dataDir: dir });
    expect(store.description).toBe(`sqlite ${join(dir, 'relay.sqlite')}`);
    await store.close();
  });
});

describe('the in-memory relay checkpoint store', () => {
  const shared = new InMemoryRelayCheckpointStore();
  checkpointStoreContract(async () => shared);
});
