import { canonicalJson, type RecordedEvent } from '@agreements/event-store';
import { type Hash, leafHash } from '../merkle/hashing';

/**
 * The object a leaf hashes (docs: /v1/ledger/leaves answers it as `leaf`): the event exactly as
 * stored, `data` before any upcasting, optional members absent rather than null.
 */
export interface Leaf {
  eventId: string;
  streamId: string;
  revision: number;
  position: string;
  type: string;
  schemaVersion?: number;
  data: unknown;
  metadata: {
    actor?: string;
    recordedAt: string;
    occurredAt?: string;
    sources?: unknown;
    commandId?: string;
    correlationId?: string;
    causationId?: string;
  };
}

/** An event as a store holds it; metadata as stored (it may lack members old events never had). */
export type StoredEvent = Pick<RecordedEvent, 'eventId' | 'streamId' | 'revision' | 'position' | 'type' | 'data' | 'recordedAt'> & {
  metadata: Record<string, unknown>;
};

// In sorted key order (data, eventId, metadata, ...; actor, causationId, ...): canonicalJson then
// writes the leaf with JSON.stringify as it is, without copying it.
export const METADATA_MEMBERS = ['actor', 'causationId', 'commandId', 'correlationId', 'occurredAt', 'recordedAt', 'sources'] as const;

export function leafOf(event: StoredEvent): Leaf {
  const stored = event.metadata ?? {};
  const metadata: Record<string, unknown> = {};
  for (const member of METADATA_MEMBERS) {
    const value = member === 'recordedAt' ? event.recordedAt : stored[member];
    if (value !== undefined && value !== null) metadata[member] = value;
  }
  const leaf: Record<string, unknown> = {
    data: event.data,
    eventId: event.eventId,
    metadata,
    position: event.position,
    revision: event.revision,
  };
  if (typeof stored.schemaVersion === 'number') leaf.schemaVersion = stored.schemaVersion;
  leaf.streamId = event.streamId;
  leaf.type = event.type;
  return leaf as unknown as Leaf;
}

/** The leaf's RFC 8785 (JCS) bytes: what is hashed, and what an auditor recomputes. */
export function leafBytes(leaf: Leaf): Buffer {
  return Buffer.from(canonicalJson(leaf), 'utf8');
}

export function hashLeaf(leaf: Leaf): Hash {
  return leafHash(canonicalJson(leaf));
}
