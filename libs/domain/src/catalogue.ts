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

export type EventType = AgreementEventType | ProcessEventType;

/** Every event type of v1, once (EventCorrected / EventRetracted belong to both streams). */
export const allEventTypes: EventType[] = [...new Set<EventType>([...agreementEventTypes, ...processEventTypes])];

export const eventDataSchemas: Record<EventType, TSchema> = {
  ...agreementEventDataSchemas,
  ...processEventDataSchemas,
};

/** Every event is at schema version 1; a change to an event's data shape bumps its number. */
export const eventSchemaVersions = Object.fromEntries(allEventTypes.map((type) => [type, 1])) as Record<
  EventType,
  number
>;

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
