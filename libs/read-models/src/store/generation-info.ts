export interface GenerationInfo {
  generation: number;
  status: 'active' | 'building' | 'retired';
  /** The last global position applied to this generation; undefined before the first. */
  checkpoint: string | undefined;
  /** recordedAt of the event at the checkpoint. */
  lastRecordedAt: string | undefined;
  eventsApplied: number;
  createdAt: string;
  activatedAt: string | undefined;
  updatedAt: string | undefined;
}

/** A row of rm_generations, as either database returns it. */
export interface GenerationRow {
  generation: number | string;
  status: string;
  checkpoint: string | null;
  last_recorded_at: string | null;
  events_applied: number | string;
  created_at: string;
  activated_at: string | null;
  updated_at: string | null;
}

export function toGenerationInfo(row: GenerationRow): GenerationInfo {
  return {
    generation: Number(row.generation),
    status: row.status as GenerationInfo['status'],
    checkpoint: row.checkpoint ?? undefined,
    lastRecordedAt: row.last_recorded_at ?? undefined,
    eventsApplied: Number(row.events_applied),
    createdAt: row.created_at,
    activatedAt: row.activated_at ?? undefined,
    updatedAt: row.updated_at ?? undefined,
  };
}

// Duck-typed: a SqliteError may come from another realm (see isUniqueViolation in the event store).
export function isMissingTable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (typeof e !== 'object' || e === null) return false;
  return e.code === '42P01' || (typeof e.message === 'string' && /no such table/i.test(e.message));
}
