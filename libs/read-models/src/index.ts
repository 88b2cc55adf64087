// @agreements/read-models: the query side. Projector, read-model stores (SQLite / PostgreSQL),
// rebuild, lag, and the queries the API asks.
export * from './read-model.port';
export { openReadModelStore, ReadModelStore, isMissingTable } from './store/read-model-store';
export type { ReadModelStoreOptions, GenerationInfo } from './store/read-model-store';
export { Projector } from './projection/projector';
export type { ProjectorOptions, ProjectorStatus, AppliedBatch } from './projection/projector';
export { rebuildReadModels } from './projection/rebuild';
export type { RebuildOptions, RebuildProgress, RebuildSummary } from './projection/rebuild';
export { readModelLag } from './projection/lag';
export type { ReadModelLag } from './projection/lag';
export type { BatchHooks } from './projection/apply-batch';
export type { TimelineEntry, WorkingGroupRef } from './queries/time-views';
