import type { RecordedEvent } from '@agreements/event-store';
import { type Hash, leafHash } from '../merkle/hashing';
import { canonicalJson } from './canonical-json';

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

const METADATA_MEMBERS = ['actor', 'occurredAt', 'sources', 'commandId', 'correlationId', 'causationId'] as const;

export function leafOf(event: StoredEvent): Leaf {
  const stored = event.metadata ?? {};
  const metadata: Leaf['metadata'] = { recordedAt: event.recordedAt };
  for (const member of METADATA_MEMBERS) {
    const value = stored[member];
    if (value !== undefined && value !== null) (metadata as Record<string, unknown>)[member] = value;
  }
  const leaf: Leaf = {
    eventId: event.eventId,
    streamId: event.streamId,
    revision: event.revision,
    position: event.position,
    type: event.type,
    data: event.data,
    metadata,
  };
  if (typeof stored.schemaVersion === 'number') leaf.schemaVersion = stored.schemaVersion;
  return leaf;
}

/** The leaf's RFC 8785 (JCS) bytes: what is hashed, and what an auditor recomputes. */
export function leafBytes(leaf: Leaf): Buffer {
  return Buffer.from(canonicalJson(leaf), 'utf8');
}

export function hashLeaf(leaf: Leaf): Hash {
  return leafHash(leafBytes(leaf));
}
