// What the store benches write: the append a command makes (one event plus its command log entry).
import { createHash, randomUUID } from 'node:crypto';
import { type AppendOptions, eventIdFor, type EventToAppend } from '@agreements/event-store';
import { OCCURRED_AT } from './http-commands';

export interface StoreAppend {
  streamId: string;
  events: EventToAppend[];
  options: AppendOptions;
}

/**
 * The append handleCommand makes for an AddProvision: one event whose id derives from the command
 * id, the metadata the API writes, the exact revision decided on, and the command log entry.
 */
export function commandAppend(streamId: string, revision: number, n: number): StoreAppend {
  const commandId = randomUUID();
  return {
    streamId,
    events: [
      {
        eventId: eventIdFor(commandId, 0),
        type: 'ProvisionAdded',
        data: { provisionId: `zone-${n}`, kind: 'zone', title: `De-escalation zone ${n}` },
        metadata: {
          actor: 'bench',
          causationId: commandId,
          commandId,
          correlationId: commandId,
          occurredAt: OCCURRED_AT,
          schemaVersion: 1,
          sources: [],
        },
      },
    ],
    options: {
      expectedRevision: revision === -1 ? 'no_stream' : revision,
      command: { commandId, requestHash: createHash('sha256').update(commandId).digest('base64url') },
    },
  };
}

/** The stream of the i-th of `streams` bench streams. */
export function benchStreamId(i: number): string {
  return `agreement-bench-${String(i).padStart(5, '0')}`;
}
