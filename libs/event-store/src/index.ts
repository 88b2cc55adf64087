import type { EsdbEventStore as EsdbEventStoreClass } from './esdb/esdb-event-store';

export * from './event-store.port';
export type * from './fast-log.port';
export * from './handle-command';
export { canonicalJson, jsonInCanonicalOrder } from './canonical-json';
export { SqliteEventStore } from './sqlite/sqlite-event-store';
export type { SqliteEventStoreOptions, SqliteEventStoreStats } from './sqlite/sqlite-event-store';
export { openFastLogReader } from './sqlite/fast-log-reader';
export { type MultiRowInsert, MultiRowInserter } from './sqlite/multi-row-insert';
export type { EsdbEventStoreOptions } from './esdb/esdb-event-store';

export type EsdbEventStore = EsdbEventStoreClass;
/**
 * The EventStoreDB adapter, loaded on first use: its client takes about 170 ms to load, which
 * threads that only read the SQLite log (a rebuild's, the relay's status thread) should not pay.
 */
export const EsdbEventStore = {
  connect(...args: Parameters<typeof EsdbEventStoreClass.connect>): Promise<EsdbEventStoreClass> {
    return (require('./esdb/esdb-event-store') as typeof import('./esdb/esdb-event-store')).EsdbEventStore.connect(...args);
  },
};
