import { randomUUID } from 'node:crypto';

/** A command body as a client posts it: a fresh commandId, business time 1 June 2017 unless `extra` says otherwise. */
export const commandBody = (type: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type,
  commandId: randomUUID(),
  occurredAt: '2017-06-01',
  data,
  ...extra,
});
