// HTTP command bodies the benches send: valid for the agreement decider, a fresh commandId each.
// No @agreements/* imports: the client worker thread loads this file too.
import { randomUUID } from 'node:crypto';

/** Business time of the bench commands. */
export const OCCURRED_AT = '2017-06-01';

const PARTIES = [
  { id: 'RUS', name: 'Russia' },
  { id: 'TUR', name: 'Turkey' },
  { id: 'IRN', name: 'Iran' },
];

/** A valid agreement id (slug) unique to this run. */
export function benchAgreementId(tag: string, n: number): string {
  return `bench-${tag}-${n}`;
}

export function draftAgreementBody(n: number): Record<string, unknown> {
  return {
    type: 'DraftAgreement',
    commandId: randomUUID(),
    occurredAt: OCCURRED_AT,
    data: { title: `Bench agreement ${n}`, kind: 'ceasefire', parties: PARTIES },
  };
}

/** AddProvision is accepted on a draft agreement, so a stream takes any number of them. */
export function addProvisionBody(n: number): Record<string, unknown> {
  return {
    type: 'AddProvision',
    commandId: randomUUID(),
    occurredAt: OCCURRED_AT,
    data: { provisionId: `zone-${n}`, kind: 'zone', title: `De-escalation zone ${n}` },
  };
}

export const agreementCommandsPath = (agreementId: string): string => `/v1/agreements/${agreementId}/commands`;
