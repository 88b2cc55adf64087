// Test support (excluded from the build).
import type { RelayCheckpointStore } from '../checkpoints/relay-checkpoint-store';

/** The behaviour every checkpoint store has; the PostgreSQL one runs it in its integration test. */
export function checkpointStoreContract(open: () => Promise<RelayCheckpointStore>): void {
  it('knows no checkpoint for a relay that never saved one', async () => {
    const store = await open();
    expect(await store.load('kafka:never')).toBeUndefined();
    await store.close();
  });

  it('keeps the last position saved per relay name, across a reopen', async () => {
    const store = await open();
    await store.save('kafka:a', '10');
    await store.save('kafka:a', '25');
    await store.save('kafka:b', '3');
    await store.close();
    const reopened = await open();
    expect(await reopened.load('kafka:a')).toBe('25');
    expect(await reopened.load('kafka:b')).toBe('3');
    await reopened.close();
  });
}
