import type { UpcasterChains } from '../shared/upcasting';

/**
 * TermSet v1 -> v2. A v1 duration always counted from entry into force (or from the first
 * signature while not in force): v2 says so (`countedFrom: 'entry-into-force'`). An `until` term
 * is the same in both. Data that already says what it counts from (a v2 correction merged into a
 * v1 event) is left as it is.
 */
export function termSetV1ToV2(data: Record<string, unknown>): Record<string, unknown> {
  if (data.duration === undefined || data.countedFrom !== undefined) return data;
  return { ...data, countedFrom: 'entry-into-force' };
}

/** The agreement stream's event types whose schema changed, with the steps that read their older versions. */
export const agreementUpcasters: UpcasterChains = {
  TermSet: { current: 2, steps: { 1: termSetV1ToV2 } },
};
