import type { EventEnvelope } from './decider';

/**
 * Turns the data of one schema version of an event type into the next version's shape. Pure.
 * An upcaster also takes data that already has some of the newer fields (a correction recorded
 * by newer code patches an event stored in the older shape, and corrections are merged before
 * the upcast): it fills only what is absent, so it never overrides what was recorded.
 */
export type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

/** One event type's versions: the current one, and for each older version v, the step from v to v + 1. */
export interface UpcasterChain {
  current: number;
  steps: Readonly<Record<number, Upcaster>>;
}

/** Event type -> its chain. A type without one is at version 1 and has never changed. */
export type UpcasterChains = Readonly<Record<string, UpcasterChain>>;

/** Stored events written before versions were recorded (never, in this product) count as version 1. */
export const FIRST_SCHEMA_VERSION = 1;

export function currentSchemaVersion(chains: UpcasterChains, type: string): number {
  return chains[type]?.current ?? FIRST_SCHEMA_VERSION;
}

export interface VersionedData {
  schemaVersion: number;
  data: Record<string, unknown>;
}

/**
 * The data of a stored event in its type's current shape. A version newer than this code knows
 * (written by a later release, read by an older one during a rollout) is left as it is: there is
 * nothing to downcast with, and evolve ignores fields it does not know.
 */
export function upcastData(chains: UpcasterChains, type: string, stored: VersionedData): VersionedData {
  const chain = chains[type];
  if (chain === undefined || stored.schemaVersion >= chain.current) return stored;
  let data = stored.data;
  for (let version = stored.schemaVersion; version < chain.current; version += 1) {
    const step = chain.steps[version];
    if (step === undefined) throw new Error(`no upcaster for ${type} from version ${version} to ${version + 1}`);
    data = step(data);
  }
  return { schemaVersion: chain.current, data };
}

/**
 * An envelope with its data in the current shape (the same object when there is nothing to do:
 * this runs for every event every fold reads, so the common case costs one lookup). An envelope
 * without a schemaVersion was made in memory from a decided event, so it is current already.
 */
export function upcastEnvelope<E extends EventEnvelope>(chains: UpcasterChains, event: E): E {
  const chain = chains[event.type];
  if (chain === undefined || event.schemaVersion === undefined || event.schemaVersion >= chain.current) return event;
  const upcast = upcastData(chains, event.type, { schemaVersion: event.schemaVersion, data: event.data });
  return { ...event, data: upcast.data, schemaVersion: upcast.schemaVersion };
}
