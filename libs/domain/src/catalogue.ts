import type { TSchema } from '@sinclair/typebox';
import {
  agreementCommandDataSchemas,
  agreementCommandTypes,
  type AgreementEventType,
  agreementEventDataSchemas,
  agreementEventTypes,
} from './agreement/agreement.schemas';
import {
  processCommandDataSchemas,
  processCommandTypes,
  type ProcessEventType,
  processEventDataSchemas,
  processEventTypes,
} from './process/process.schemas';
import type { StreamKind } from './shared/identifiers';
import { currentSchemaVersion, upcastData, type UpcasterChains, type VersionedData } from './shared/upcasting';
import { agreementUpcasters } from './agreement/agreement.upcasters';

export type EventType = AgreementEventType | ProcessEventType;

/** Every event type of v1, once (EventCorrected / EventRetracted belong to both streams). */
export const allEventTypes: EventType[] = [...new Set<EventType>([...agreementEventTypes, ...processEventTypes])];

export const eventDataSchemas: Record<EventType, TSchema> = {
  ...agreementEventDataSchemas,
  ...processEventDataSchemas,
};

/**
 * Every event type's upcaster chain, both streams (type names are unique across them; a
 * correction event is at version 1 on both). A change to an event's data shape bumps its version
 * and adds the step that reads the older one (see shared/upcasting.ts).
 */
export const eventUpcasters: UpcasterChains = { ...agreementUpcasters };

/** Each event type's current schema version: what new events are stored with and what readers get. */
export const eventSchemaVersions = Object.fromEntries(
  allEventTypes.map((type) => [type, currentSchemaVersion(eventUpcasters, type)]),
) as Record<EventType, number>;

/**
 * A stored event's data in its type's current shape, whichever stream it is of: for the readers
 * that take events one by one rather than folding a stream (history, the relay). A type or a
 * version this code does not know comes back as stored.
 */
export function upcastStoredData(type: string, stored: VersionedData): VersionedData {
  return upcastData(eventUpcasters, type, stored);
}

export const commandTypesByStreamKind: Record<StreamKind, readonly string[]> = {
  agreement: agreementCommandTypes,
  process: processCommandTypes,
};

export const commandDataSchemasByStreamKind: Record<StreamKind, Record<string, TSchema>> = {
  agreement: agreementCommandDataSchemas,
  process: processCommandDataSchemas,
};

export const eventTypesByStreamKind: Record<StreamKind, readonly EventType[]> = {
  agreement: agreementEventTypes,
  process: processEventTypes,
};

export function isEventType(type: string): type is EventType {
  return (allEventTypes as string[]).includes(type);
}
