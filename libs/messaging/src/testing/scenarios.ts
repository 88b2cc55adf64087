// Test support (excluded from the build): real events, made the way the API makes them (the
// domain deciders through handleCommand), in a real event store.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { agreementDecider, eventSchemaVersions, processDecider } from '@agreements/domain';
import { type AppendResult, type CommandDecider, type EventStore, handleCommand } from '@agreements/event-store';

export const ASTANA_SCENARIO_FILE = join(__dirname, '..', '..', '..', '..', 'examples', 'astana-2017.json');

export interface CommandBody {
  type: string;
  commandId?: string;
  occurredAt?: string;
  sources?: Array<{ publisher: string; url?: string; publishedAt?: string; quote?: string }>;
  data: Record<string, unknown>;
}

const deciders: Record<'agreement' | 'process', CommandDecider<unknown, unknown>> = {
  agreement: agreementDecider as unknown as CommandDecider<unknown, unknown>,
  process: processDecider as unknown as CommandDecider<unknown, unknown>,
};

let counter = 0;

/** A command on `agreement-{id}` / `process-{id}`, decided and stored as the API would. */
export async function recordCommand(
  store: EventStore,
  kind: 'agreement' | 'process',
  id: string,
  body: CommandBody,
  actor = 'operator',
): Promise<AppendResult> {
  counter += 1;
  const commandId = body.commandId ?? createHash('sha1').update(`${process.pid}/${Date.now()}/${counter}/${Math.random()}`).digest('hex').slice(0, 32);
  const occurredAt = body.occurredAt ?? new Date().toISOString();
  const streamId = `${kind}-${id}`;
  const { result } = await handleCommand(store, {
    streamId,
    decider: deciders[kind],
    command: { type: body.type, data: body.data, occurredAt },
    context: {
      commandId,
      requestHash: createHash('sha256').update(JSON.stringify({ streamId, body })).digest('base64url'),
      actor,
      correlationId: `corr-${commandId}`,
      causationId: commandId,
      occurredAt,
      sources: body.sources ?? [],
      schemaVersionOf: (type) => (eventSchemaVersions as Record<string, number>)[type] ?? 1,
    },
  });
  return result;
}

/** The Astana scenario of examples/astana-2017.json, every step through its decider. */
export async function recordAstanaScenario(store: EventStore): Promise<void> {
  const scenario = JSON.parse(readFileSync(ASTANA_SCENARIO_FILE, 'utf8')) as { steps: Array<{ path: string; body: CommandBody }> };
  for (const step of scenario.steps) {
    const match = /^\/v1\/(agreements|processes)\/([^/]+)\/commands$/.exec(step.path);
    if (!match) throw new Error(`unexpected scenario path ${step.path}`);
    await recordCommand(store, match[1] === 'agreements' ? 'agreement' : 'process', match[2], step.body);
  }
}

const RUS = { id: 'RUS', name: 'Russia' };
const TUR = { id: 'TUR', name: 'Turkey' };
const IRN = { id: 'IRN', name: 'Iran' };
const OPPOSITION = { id: 'group:syrian-opposition', name: 'Syrian opposition delegation' };
const UN = { id: 'igo:un', name: 'United Nations' };

/**
 * Commands that together give every event type of the catalogue at least once, in streams named
 * with `suffix`. The last agreement's drafting is retracted, so it ends as a tombstone on the
 * status topic.
 */
export async function recordEveryEventType(store: EventStore, suffix: string): Promise<{ agreements: string[]; processes: string[] }> {
  const processId = `talks-${suffix}`;
  const memo = `memo-${suffix}`;
  const ceasefire = `ceasefire-${suffix}`;
  const framework = `framework-${suffix}`;
  const retracted = `retracted-${suffix}`;
  const adopted = `adopted-${suffix}`;
  const p = (body: CommandBody) => recordCommand(store, 'process', processId, body);
  const a = (id: string, body: CommandBody) => recordCommand(store, 'agreement', id, body);

  await p({ type: 'OpenProcess', occurredAt: '2017-01', data: { name: 'Astana talks', conflict: 'Syrian civil war', hostCountry: 'KAZ' } });
  const admitted = await p({ type: 'AdmitParticipant', occurredAt: '2017-01-23', data: { actor: RUS, role: 'guarantor', delegationHead: { id: 'person:alexander-lavrentiev', name: 'Alexander Lavrentiev' } } });
  await p({ type: 'AdmitParticipant', occurredAt: '2017-01-23', data: { actor: UN, role: 'observer' } });
  await p({ type: 'RecordParticipantWithdrawal', occurredAt: '2017-03', data: { actor: UN, reason: 'mandate ended' } });
  await p({ type: 'ScheduleTalks', occurredAt: '2017-06-20', data: { roundId: 'round-5', ordinal: 5, venue: 'Astana', window: '2017-07' } });
  await p({ type: 'PostponeTalks', occurredAt: '2017-06-25', data: { roundId: 'round-5', newWindow: '2017-07-04', reason: 'delegations' } });
  await p({ type: 'ConveneTalks', occurredAt: '2017-07-04', data: { roundId: 'round-5', delegations: [RUS, TUR, IRN], observers: [] } });
  await p({ type: 'ConcludeTalks', occurredAt: '2017-07-05', data: { roundId: 'round-5', outcome: 'a working group on detainees' } });
  await p({ type: 'ScheduleTalks', occurredAt: '2017-07-05', data: { roundId: 'round-6', ordinal: 6, venue: 'Astana', window: '2017-08' } });
  await p({ type: 'CancelTalks', occurredAt: '2017-08-10', data: { roundId: 'round-6', reason: 'no agreement on the agenda' } });
  await p({ type: 'FormWorkingGroup', occurredAt: '2017-07-05', data: { workingGroupId: 'detainees', name: 'Detainees', mandate: 'exchange of detainees', members: [RUS, TUR, IRN], agreementIds: [memo] } });
  await p({ type: 'DissolveWorkingGroup', occurredAt: '2018', data: { workingGroupId: 'detainees', reason: 'done' } });
  await p({ type: 'TableDocument', occurredAt: '2017-07-05', data: { documentId: 'zones-map', title: 'Maps of the zones', topic: 'de-escalation', tabledBy: RUS } });
  await p({ type: 'AdoptDocument', occurredAt: '2017-09-15', data: { documentId: 'zones-map', agreementId: memo } });
  await p({ type: 'IssueStatement', occurredAt: '2017-07-05', data: { issuers: [RUS, TUR, IRN], kind: 'joint-statement', summary: 'The guarantors welcome progress' } });
  const scheduledCorrection = admitted.events[0].eventId;
  await p({ type: 'RecordCorrection', occurredAt: '2017-07-06', data: { targetEventId: scheduledCorrection, occurredAt: '2017-01-24', reason: 'the delegation arrived a day later' } });
  const extraStatement = await p({ type: 'IssueStatement', occurredAt: '2017-07-06', data: { issuers: [UN], kind: 'remarks', summary: 'misattributed' } });
  await p({ type: 'RetractEvent', occurredAt: '2017-07-07', data: { targetEventId: extraStatement.events[0].eventId, reason: 'misattributed' } });
  await p({ type: 'CloseProcess', occurredAt: '2019', data: { reason: 'talks moved to Geneva' } });

  await a(memo, { type: 'DraftAgreement', occurredAt: '2017-05', data: { title: 'Memorandum on de-escalation areas', kind: 'memorandum', processId, parties: [RUS, TUR, IRN] } });
  await a(memo, { type: 'SignAgreement', occurredAt: '2017-05-04', data: { signatories: [RUS, TUR, IRN], place: 'Astana' } });
  await a(memo, { type: 'RatifyAgreement', occurredAt: '2017-05-05', data: { party: RUS } });
  await a(memo, { type: 'BringIntoForce', occurredAt: '2017-05-06', data: {} });
  await a(memo, { type: 'SetTerm', occurredAt: '2017-05-04', data: { duration: 'P6M', renewal: 'automatic' } });
  await a(memo, { type: 'ExtendTerm', occurredAt: '2017-11', data: { until: '2018-05', basis: 'automatic' } });
  await a(memo, { type: 'AddProvision', occurredAt: '2017-05-04', data: { provisionId: 'idlib', kind: 'zone', title: 'Idlib zone', area: 'Idlib province' } });
  await a(memo, { type: 'AssessProvision', occurredAt: '2017-09', data: { provisionId: 'idlib', status: 'operating', level: 2 } });
  await a(memo, { type: 'ReportBreach', occurredAt: '2017-10', data: { provisionId: 'idlib', allegedBy: TUR, against: RUS, description: 'air strikes in the zone' } });
  await a(memo, { type: 'RecordRejection', occurredAt: '2017-05-04', data: { party: OPPOSITION, reason: 'Iran as a guarantor' } });
  await a(memo, { type: 'RecordWithdrawal', occurredAt: '2018-01', data: { party: TUR, reason: 'offensive' } });
  await a(memo, { type: 'SuspendAgreement', occurredAt: '2018-02', data: { reason: 'offensive' } });
  await a(memo, { type: 'ResumeAgreement', occurredAt: '2018-03', data: {} });
  await a(memo, { type: 'ExpireAgreement', occurredAt: '2018-06', data: {} });

  await a(ceasefire, { type: 'DraftAgreement', occurredAt: '2016-12', data: { title: 'Nationwide ceasefire', kind: 'ceasefire', parties: [RUS, TUR] } });
  await a(ceasefire, { type: 'SignAgreement', occurredAt: '2016-12-29', data: { signatories: [RUS, TUR] } });
  await a(ceasefire, { type: 'TerminateAgreement', occurredAt: '2017-02', data: { reason: 'collapse' } });

  await a(framework, { type: 'DraftAgreement', occurredAt: '2017', data: { title: 'Framework', kind: 'framework', parties: [RUS] } });
  await a(framework, { type: 'SignAgreement', occurredAt: '2017-06', data: { signatories: [RUS] } });
  await a(framework, { type: 'SupersedeAgreement', occurredAt: '2017-07', data: { byAgreementId: memo } });

  // v2: adopted without signatures, endorsed, acceded to, disputed.
  await a(adopted, { type: 'DraftAgreement', occurredAt: '2015-06', data: { title: 'Adopted deal', kind: 'comprehensive', parties: [RUS, IRN] } });
  await a(adopted, { type: 'AdoptAgreement', occurredAt: '2015-07-14', data: { adoptedBy: [RUS, IRN], method: 'consensus', place: 'Vienna' } });
  await a(adopted, { type: 'EndorseAgreement', occurredAt: '2015-07-20', data: { by: UN, instrument: 'Resolution 2231' } });
  await a(adopted, { type: 'RecordAccession', occurredAt: '2016', data: { party: TUR } });
  await a(adopted, { type: 'DisputeStatus', occurredAt: '2016-06', data: { party: IRN, claim: 'not-in-force', reason: 'sanctions not lifted' } });
  await a(adopted, { type: 'WithdrawDispute', occurredAt: '2016-07', data: { party: IRN } });

  const drafted = await a(retracted, { type: 'DraftAgreement', occurredAt: '2017', data: { title: 'Never was', kind: 'protocol', parties: [] } });
  await a(retracted, { type: 'RecordCorrection', occurredAt: '2017', data: { targetEventId: drafted.events[0].eventId, data: { title: 'Never was, really' }, reason: 'typo' } });
  await a(retracted, { type: 'RetractEvent', occurredAt: '2017', data: { targetEventId: drafted.events[0].eventId, reason: 'recorded by mistake' } });

  return { agreements: [memo, ceasefire, framework, retracted, adopted], processes: [processId] };
}

/** Many small events, fast: appended directly (no decider), for load and crash tests. Agreement streams get real drafts. */
export async function appendLoad(store: EventStore, options: { streams: number; eventsPerStream: number; prefix: string }): Promise<number> {
  const { streams, eventsPerStream, prefix } = options;
  const appends: Array<Promise<unknown>> = [];
  let total = 0;
  for (let s = 0; s < streams; s += 1) {
    const streamId = `agreement-${prefix}-${s}`;
    const events = [];
    for (let r = 0; r < eventsPerStream; r += 1) {
      const eventId = uuidOf(`${prefix}/${s}/${r}`);
      const metadata = { actor: 'loader', commandId: eventId, correlationId: eventId, causationId: eventId, occurredAt: '2017-05-04', sources: [], schemaVersion: 1 };
      events.push(
        r === 0
          ? { eventId, type: 'AgreementDrafted', data: { title: `Agreement ${s}`, kind: 'memorandum', parties: [RUS, TUR] }, metadata }
          : { eventId, type: 'ProvisionAdded', data: { provisionId: `p-${r}`, kind: 'zone', title: `Zone ${r}` }, metadata },
      );
    }
    appends.push(store.append(streamId, events, { expectedRevision: 'no_stream' }));
    total += events.length;
  }
  await Promise.all(appends);
  return total;
}

export function uuidOf(text: string): string {
  const hex = createHash('sha1').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
