// A v2 agreement history recorded out of business order, for asking two event stores the same
// questions: adopted without signatures, endorsed, a group party, one party withdrawing and
// acceding again, the end recorded before facts dated earlier, a late breach, a dispute of the end.
import { randomUUID } from 'node:crypto';

export const V2_AGREEMENT = 'v2-nuclear-deal';
export const V2_PATH = `/v1/agreements/${V2_AGREEMENT}/commands`;

const E3 = {
  id: 'group:e3',
  name: 'E3 (France, Germany, United Kingdom)',
  members: [
    { id: 'FRA', name: 'France' },
    { id: 'DEU', name: 'Germany' },
    { id: 'GBR', name: 'United Kingdom' },
  ],
};
export const IRN = { id: 'IRN', name: 'Iran' };
export const USA = { id: 'USA', name: 'United States' };
export const RUS = { id: 'RUS', name: 'Russia' };
const UNSC = { id: 'igo:unsc', name: 'United Nations Security Council' };

export interface V2Step {
  body: { type: string; commandId: string; occurredAt: string; data: Record<string, unknown> };
  /** The answer both stores must give: 201, or a refusal's code. */
  expect: 201 | string;
}

const step = (type: string, occurredAt: string, data: Record<string, unknown>, expect: V2Step['expect'] = 201): V2Step => ({
  body: { type, commandId: randomUUID(), occurredAt, data },
  expect,
});

/** In recording order: the termination (2025) is recorded before the withdrawal, re-accession, provision and breach dated earlier. */
export function v2History(): V2Step[] {
  return [
    step('DraftAgreement', '2015-04-02', { title: 'Nuclear deal', kind: 'comprehensive', parties: [E3, IRN, USA] }),
    step('AdoptAgreement', '2015-07-14', { adoptedBy: [E3, IRN, USA], method: 'consensus', place: 'Vienna' }),
    step('BringIntoForce', '2016-01-16', {}),
    step('TerminateAgreement', '2025-10-18', { reason: 'termination day' }),
    step('RecordWithdrawal', '2018-05-08', { party: USA, reason: 'ceased participation' }),
    // An accession after the withdrawal, recorded after the end it precedes.
    step('RecordAccession', '2021-02-19', { party: USA }),
    step('AddProvision', '2015-07-14', { provisionId: 'enrichment-limit', kind: 'commitment', title: 'Enrichment up to 3.67%' }),
    step('AssessProvision', '2016-01-16', { provisionId: 'enrichment-limit', status: 'operating' }),
    step('EndorseAgreement', '2015-07-20', { by: UNSC, instrument: 'Resolution 2231 (2015)' }),
    // A breach dated years before the end, learnt after the end was recorded.
    step('ReportBreach', '2019-07-08', { provisionId: 'enrichment-limit', allegedBy: E3, against: IRN, description: 'enrichment above the limit' }),
    // A party's claim that the end is not valid: accepted although the status is final.
    step('DisputeStatus', '2025-10-20', { party: IRN, claim: 'in-force', reason: 'the end is not valid' }),
    step('WithdrawDispute', '2025-10-21', { party: RUS }, 'NO_DISPUTE'),
    // A fact dated after the end, and one the later withdrawal makes impossible.
    step('RecordAccession', '2026-01-01', { party: { id: 'CHN', name: 'China' } }, 'AGREEMENT_FINAL'),
    step('RecordAccession', '2019-01-01', { party: USA }, 'LATER_FACT_CONFLICT'),
  ];
}

/** The dates an analyst would ask about: every fact date, and the day before the first. */
export const V2_AS_OF = ['2015-04-01', '2015-04-02', '2015-07-14', '2015-07-20', '2016-01-16', '2018-05-08', '2019-07-08', '2021-02-19', '2025-10-18', '2025-10-20'];

/** What each store makes its own: event ids, recorded times, positions. Revisions stay (same recording order). */
const PER_STORE_KEYS = new Set(['eventId', 'eventIds', 'recordedAt', 'position', 'checkpoint', 'laterEventId']);

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** A command's answer as both stores must give it: the status, and a refusal's code, message (event ids out) and details. */
export function comparableAnswer(response: { status: number; json: any }): unknown {
  if (response.status === 201) return { status: 201, events: response.json.events.map((e: { type: string; revision: number }) => [e.type, e.revision]) };
  const { code, message, details } = response.json.error;
  return { status: response.status, code, message: String(message).replace(UUID, '<event>'), details: withoutPerStoreDetails(details) };
}

export function withoutPerStoreDetails(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPerStoreDetails);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([key]) => !PER_STORE_KEYS.has(key))
      .map(([key, inner]) => [key, withoutPerStoreDetails(inner)]),
  );
}
