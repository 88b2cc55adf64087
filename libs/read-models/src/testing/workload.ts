// Test and bench support (excluded from the build): plausible agreement and process streams,
// every command decided by the real deciders (refused ones are dropped), interleaved across
// streams the way concurrent operators would write them.
import {
  agreementDecider,
  type AgreementState,
  DomainError,
  type EventEnvelope,
  type LoadedStream,
  processDecider,
  type ProcessState,
} from '@agreements/domain';
import type { EventSource, EventStore, EventToAppend } from '@agreements/event-store';
import { pick, seededRandom, uuidOf } from './random';

export interface WorkloadOptions {
  seed?: number;
  agreements: number;
  processes: number;
  /** Roughly how many events each agreement stream gets. Default 12. */
  eventsPerAgreement?: number;
  /** Roughly how many events each process stream gets. Default 12. */
  eventsPerProcess?: number;
}

/** One command's events for one stream, ready to append. */
export interface WorkloadAppend {
  streamId: string;
  events: EventToAppend[];
}

interface PlannedCommand {
  type: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

interface StreamPlan {
  streamId: string;
  kind: 'agreement' | 'process';
  next: (state: any, history: EventEnvelope[]) => PlannedCommand | undefined;
  stream: LoadedStream<AgreementState | ProcessState>;
  history: EventEnvelope[];
}

const SOURCES: EventSource[][] = [
  [{ publisher: 'Xinhua', url: 'http://www.xinhuanet.com/english/2017-07/06/c_136421889.htm', publishedAt: '2017-07-06' }],
  [{ publisher: 'Reuters', publishedAt: '2017-05-04', quote: 'the memorandum was signed' }],
  [],
];
const ACTORS = [
  { id: 'RUS', name: 'Russia' },
  { id: 'TUR', name: 'Turkey' },
  { id: 'IRN', name: 'Iran' },
  { id: 'USA', name: 'United States' },
  { id: 'JOR', name: 'Jordan' },
  { id: 'KAZ', name: 'Kazakhstan' },
  { id: 'SYR', name: 'Syria' },
  { id: 'igo:un', name: 'United Nations' },
  { id: 'group:syrian-opposition', name: 'Syrian opposition delegation' },
  { id: 'gov:syrian-government', name: 'Syrian government delegation' },
];
const KINDS = ['memorandum', 'ceasefire', 'framework', 'comprehensive', 'implementation', 'protocol'];

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function dayText(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function monthText(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
}

const DAY = 86_400_000;

export function agreementIdOf(i: number): string {
  return `agreement-${String(i).padStart(6, '0')}`;
}

export function processIdOf(i: number): string {
  return `process-${String(i).padStart(5, '0')}`;
}

/**
 * The workload as appends, in the order to write them. Deterministic for a seed: the same
 * options always give the same events (ids included).
 */
export function generateWorkload(options: WorkloadOptions): WorkloadAppend[] {
  const random = seededRandom(options.seed ?? 1);
  const perAgreement = options.eventsPerAgreement ?? 12;
  const perProcess = options.eventsPerProcess ?? 12;
  let eventCounter = 0;
  const plans: StreamPlan[] = [];

  for (let p = 0; p < options.processes; p += 1) {
    const processId = processIdOf(p);
    const served = Array.from({ length: 1 + Math.floor(random() * 3) }, () => agreementIdOf(Math.floor(random() * Math.max(1, options.agreements))));
    const start = Date.UTC(2012, 0, 1) + Math.floor(random() * 3000) * DAY;
    let step = 0;
    plans.push({
      streamId: `process-${processId}`,
      kind: 'process',
      stream: processDecider.load([]),
      history: [],
      next: (state: ProcessState, history) => {
        step += 1;
        if (history.length >= perProcess || step > perProcess * 3) return undefined;
        const at = start + step * 20 * DAY;
        if (!state.process) return { type: 'OpenProcess', occurredAt: monthText(start), data: { name: `Talks ${p}`, hostCountry: 'KAZ' } };
        const rounds = state.process.rounds;
        const roll = random();
        if (roll < 0.2) return { type: 'AdmitParticipant', occurredAt: dayText(at), data: { actor: pick(random, ACTORS), role: pick(random, ['party', 'guarantor', 'observer', 'mediator']) } };
        if (roll < 0.35) {
          const ordinal = rounds.length + 1;
          return { type: 'ScheduleTalks', occurredAt: dayText(at), data: { roundId: `round-${ordinal}`, ordinal, venue: 'Astana', window: monthText(at + 40 * DAY) } };
        }
        const open = rounds.filter((r) => r.status === 'scheduled' || r.status === 'postponed');
        const convened = rounds.filter((r) => r.status === 'convened');
        if (roll < 0.45 && open.length > 0) return { type: 'PostponeTalks', occurredAt: dayText(at), data: { roundId: open[0].roundId, newWindow: monthText(at + 70 * DAY), reason: 'logistics' } };
        if (roll < 0.55 && open.length > 0) return { type: 'ConveneTalks', occurredAt: dayText(at), data: { roundId: open[0].roundId, delegations: [pick(random, ACTORS)], observers: [] } };
        if (roll < 0.65 && convened.length > 0) return { type: 'ConcludeTalks', occurredAt: dayText(at + DAY), data: { roundId: convened[0].roundId, outcome: 'joint statement' } };
        if (roll < 0.75) {
          const n = state.process.workingGroups.length + 1;
          return { type: 'FormWorkingGroup', occurredAt: dayText(at), data: { workingGroupId: `wg-${n}`, name: `Working group ${n}`, mandate: 'monitor', members: [pick(random, ACTORS)], agreementIds: [...new Set(served)] } };
        }
        if (roll < 0.8 && state.process.workingGroups.some((g) => g.status === 'active')) {
          const group = state.process.workingGroups.find((g) => g.status === 'active')!;
          return { type: 'DissolveWorkingGroup', occurredAt: dayText(at), data: { workingGroupId: group.workingGroupId } };
        }
        if (roll < 0.88) return { type: 'TableDocument', occurredAt: dayText(at), data: { documentId: `doc-${step}`, title: 'Paper', topic: 'zones' } };
        if (roll < 0.895) {
          const target = pick(random, history);
          return { type: 'RecordCorrection', occurredAt: dayText(at), data: { targetEventId: target.eventId, occurredAt: dayText(at - 10 * DAY), reason: 'misdated' } };
        }
        return { type: 'IssueStatement', occurredAt: dayText(at), data: { issuers: [pick(random, ACTORS)], kind: 'joint-statement', summary: 'progress' } };
      },
    });
  }

  for (let a = 0; a < options.agreements; a += 1) {
    const agreementId = agreementIdOf(a);
    const start = Date.UTC(2012, 0, 1) + Math.floor(random() * 3000) * DAY;
    const parties = [...new Set([pick(random, ACTORS), pick(random, ACTORS), pick(random, ACTORS)])];
    const kind = pick(random, KINDS);
    const processId = options.processes > 0 && random() < 0.7 ? processIdOf(Math.floor(random() * options.processes)) : undefined;
    const provisions = ['north', 'south', 'east', 'west'].slice(0, 1 + Math.floor(random() * 4));
    let step = 0;
    plans.push({
      streamId: `agreement-${agreementId}`,
      kind: 'agreement',
      stream: agreementDecider.load([]),
      history: [],
      next: (state: AgreementState, history) => {
        step += 1;
        if (history.length >= perAgreement || step > perAgreement * 3) return undefined;
        const agreement = state.agreement;
        const at = start + step * 15 * DAY;
        if (!agreement) {
          return { type: 'DraftAgreement', occurredAt: monthText(start), data: { title: `Agreement ${a}`, kind, parties, ...(processId ? { processId } : {}) } };
        }
        if (agreement.status === 'draft') return { type: 'SignAgreement', occurredAt: dayText(start + 40 * DAY), data: { signatories: parties } };
        const missing = provisions.find((id) => !agreement.provisions.some((p) => p.provisionId === id));
        // Provisions are recorded after the signature but took effect with it: out of business order.
        if (missing) return { type: 'AddProvision', occurredAt: dayText(start + 40 * DAY), data: { provisionId: missing, kind: 'zone', title: `Zone ${missing}` } };
        if (agreement.status === 'signed' && random() < 0.8) return { type: 'BringIntoForce', occurredAt: dayText(start + 42 * DAY), data: {} };
        if (!agreement.term && random() < 0.5) return { type: 'SetTerm', occurredAt: dayText(start + 40 * DAY), data: { duration: 'P6M', renewal: 'by-consensus' } };
        const roll = random();
        if (roll < 0.35) {
          return {
            type: 'AssessProvision',
            occurredAt: random() < 0.5 ? monthText(at) : dayText(at),
            data: { provisionId: pick(random, provisions), status: pick(random, ['operating', 'violated', 'collapsed', 'implemented']), ...(random() < 0.5 ? { level: Math.floor(random() * 4) } : {}) },
          };
        }
        if (roll < 0.45) return { type: 'ReportBreach', occurredAt: dayText(at), data: { provisionId: pick(random, provisions), allegedBy: pick(random, ACTORS), description: 'shelling' } };
        if (roll < 0.5) return { type: 'RecordRejection', occurredAt: dayText(at), data: { party: { id: 'group:syrian-opposition', name: 'Syrian opposition delegation' }, reason: 'territorial integrity' } };
        if (roll < 0.57 && agreement.status === 'in-force') return { type: 'SuspendAgreement', occurredAt: dayText(at), data: { reason: 'violations' } };
        if (roll < 0.64 && agreement.status === 'suspended') return { type: 'ResumeAgreement', occurredAt: dayText(at), data: {} };
        if (roll < 0.66 && random() < 0.25) {
          const target = pick(random, history.filter((e) => e.type !== 'EventCorrected' && e.type !== 'EventRetracted'));
          if (target) return { type: 'RecordCorrection', occurredAt: dayText(at), data: { targetEventId: target.eventId, occurredAt: dayText(Date.parse(new Date(at).toISOString()) - 30 * DAY), reason: 'misdated' } };
        }
        if (roll < 0.67 && random() < 0.5) {
          const target = history.find((e) => e.type === 'BreachReported' || e.type === 'ProvisionAssessed');
          if (target && !history.some((e) => e.type === 'EventRetracted' && e.data.targetEventId === target.eventId)) {
            return { type: 'RetractEvent', occurredAt: dayText(at), data: { targetEventId: target.eventId, reason: 'unconfirmed' } };
          }
        }
        if (roll > 0.985 && history.length > perAgreement * 0.8) return { type: 'TerminateAgreement', occurredAt: dayText(at), data: { reason: 'replaced' } };
        return { type: 'AssessProvision', occurredAt: dayText(at), data: { provisionId: pick(random, provisions), status: 'operating' } };
      },
    });
  }

  const appends: WorkloadAppend[] = [];
  const active = [...plans];
  while (active.length > 0) {
    const index = Math.floor(random() * active.length);
    const plan = active[index];
    const planned = plan.next(plan.stream.state, plan.history);
    if (!planned) {
      active[index] = active[active.length - 1];
      active.pop();
      continue;
    }
    const decider: any = plan.kind === 'agreement' ? agreementDecider : processDecider;
    let decided: Array<{ type: string; data: Record<string, unknown> }>;
    try {
      decided = decider.decide(planned, plan.stream);
    } catch (error) {
      if (error instanceof DomainError) continue;
      throw error;
    }
    const sources = pick(random, SOURCES);
    const events: EventToAppend[] = decided.map((event) => {
      eventCounter += 1;
      const eventId = uuidOf(eventCounter, options.seed ?? 1);
      const envelope: EventEnvelope = {
        eventId,
        type: event.type,
        data: event.data,
        occurredAt: planned.occurredAt,
        recordedAt: '2020-01-01T00:00:00.000Z',
        revision: plan.history.length,
        streamId: plan.streamId,
      };
      plan.history.push(envelope);
      plan.stream = decider.load([envelope], plan.stream);
      return {
        eventId,
        type: event.type,
        data: event.data,
        metadata: {
          actor: 'bench',
          commandId: eventId,
          correlationId: eventId,
          causationId: eventId,
          occurredAt: planned.occurredAt,
          sources,
          schemaVersion: 1,
        },
      };
    });
    if (events.length > 0) appends.push({ streamId: plan.streamId, events });
  }
  return appends;
}

/** Appends the workload, many appends in flight at once (the store groups them into transactions). */
export async function appendWorkload(store: EventStore, appends: readonly WorkloadAppend[], concurrency = 500): Promise<void> {
  for (let start = 0; start < appends.length; start += concurrency) {
    // Appends to one stream must keep their order: one in flight per stream within a window.
    const window = appends.slice(start, start + concurrency);
    const byStream = new Map<string, WorkloadAppend[]>();
    for (const append of window) {
      const list = byStream.get(append.streamId) ?? [];
      list.push(append);
      byStream.set(append.streamId, list);
    }
    await Promise.all(
      [...byStream.values()].map(async (list) => {
        for (const append of list) await store.append(append.streamId, append.events, { expectedRevision: 'any' });
      }),
    );
  }
}
