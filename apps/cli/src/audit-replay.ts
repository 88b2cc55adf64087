import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore, Position } from '@agreements/event-store';
import { type AppConfig, openEventStore } from '@agreements/platform';
import { Projector, type ReadModelQueries, ReadModelStore, type View } from '@agreements/read-models';
import { ServerClient, ServerError } from './server-client';
import { diffViews, showValue } from './view-diff';

/** audit-replay's exit codes (docs/auditing.md lists them). */
export const AUDIT_EXIT = {
  /** Every agreement and process answers the same, now and at each status change. */
  equal: 0,
  /** At least one difference, each printed. */
  differences: 1,
  /** Could not compare: the server unreachable or refusing the token, the replay failed, bad options. */
  failed: 2,
  /** The server at --url holds another log than the store this configuration names. */
  otherLog: 3,
} as const;

export interface AuditReplayOptions {
  url: string;
  token: string;
}

export interface AuditOutput {
  /** A difference or the summary (stdout). */
  say(line: string): void;
  /** Progress and problems (stderr). */
  note(line: string): void;
}

const PAGE = 500;
const PROGRESS_EVERY_MS = 1000;

interface HistoryPage {
  items: Array<{ eventId: string; position: string; metadata: { recordedAt: string } }>;
}

/**
 * `audit-replay`: replays the whole log this configuration names into fresh read models (the
 * live projector's code, into a SQLite file of a temporary folder: the store needs two
 * connections, so not `:memory:`), then asks the server at --url for every agreement and process,
 * now and as of each business date its status changed, and prints every field that differs.
 */
export async function runAuditReplay(config: AppConfig, options: AuditReplayOptions, out: AuditOutput): Promise<number> {
  let server: ServerClient;
  try {
    server = new ServerClient(options.url, options.token);
  } catch (error) {
    out.note(`audit-replay failed: ${(error as Error).message}`);
    return AUDIT_EXIT.failed;
  }
  const eventStore = await openEventStore(config, { info: () => undefined });
  const work = mkdtempSync(join(tmpdir(), 'agreements-audit-'));
  let replay: ReadModelStore | undefined;
  try {
    const head = await eventStore.headPosition();
    const other = await otherLog(server, eventStore, head);
    if (other) {
      out.note(`refusing to compare: ${other}. Run audit-replay with the server's configuration (DATA_DIR or EVENTSTORE_CONNECTION_STRING).`);
      return AUDIT_EXIT.otherLog;
    }
    replay = await ReadModelStore.open({ sqliteFile: join(work, 'replay.sqlite') });
    await replayLog(eventStore, replay, head, out);
    const audit = new Comparison(replay.queries, server, eventStore, head, out);
    const differences = await audit.run();
    out.say(
      differences === 0
        ? `no difference: ${audit.agreements} agreements and ${audit.processes} processes, ${audit.views} views compared up to position ${head ?? '(empty log)'}`
        : `${differences} differences in ${audit.agreements} agreements and ${audit.processes} processes (${audit.views} views compared up to position ${head})`,
    );
    return differences === 0 ? AUDIT_EXIT.equal : AUDIT_EXIT.differences;
  } catch (error) {
    if (error instanceof ServerError || error instanceof ReplayError) {
      out.note(`audit-replay failed: ${error.message}`);
      return AUDIT_EXIT.failed;
    }
    throw error;
  } finally {
    await replay?.close();
    await eventStore.close();
    rmSync(work, { recursive: true, force: true });
  }
}

class ReplayError extends Error {}

/**
 * Why the server does not hold this store's log, or undefined when it does: the first and the
 * last event here must be there at the same positions, recorded at the same instants (the same
 * scenario imported into two stores gives the same event ids, not the same record). An auditor
 * token reads /v1/events.
 */
async function otherLog(server: ServerClient, eventStore: EventStore, head: Position | undefined): Promise<string | undefined> {
  const served = await server.get<HistoryPage>('/v1/events', { limit: '1' });
  if (head === undefined) return served?.items.length ? `the server at ${server.origin} holds events, the store of this configuration none` : undefined;
  const [first] = await eventStore.readAll({ maxCount: 1 });
  const [last] = await eventStore.readAll({ direction: 'backwards', maxCount: 1 });
  for (const event of [first, last]) {
    const page = await server.get<HistoryPage>('/v1/events', { fromPosition: event.position, limit: '1' });
    const there = page?.items[0];
    if (there?.eventId !== event.eventId || there.position !== event.position || there.metadata.recordedAt !== event.recordedAt) {
      const theirs = there ? `event ${there.eventId} recorded at ${there.metadata.recordedAt}` : 'no event';
      return `the server at ${server.origin} has ${theirs} at position ${event.position}, this store's log ${event.eventId} recorded at ${event.recordedAt}`;
    }
  }
  return undefined;
}

/** The live projector's code over the whole log into fresh tables, up to the head read at start. */
async function replayLog(eventStore: EventStore, store: ReadModelStore, head: Position | undefined, out: AuditOutput): Promise<void> {
  if (head === undefined) return;
  let failure: unknown;
  const projector = new Projector(eventStore, store, { onError: (error) => (failure ??= error) });
  const started = Date.now();
  let applied = 0;
  projector.onApplied((batch) => (applied += batch.events));
  out.note(`replaying the log up to position ${head} into fresh read models`);
  await projector.start();
  try {
    let lastNote = Date.now();
    for (;;) {
      const checkpoint = await store.queries.checkpoint();
      if (checkpoint !== undefined && eventStore.comparePositions(checkpoint, head) >= 0) break;
      if (failure !== undefined) throw new ReplayError(`the replay stopped at position ${checkpoint ?? 0}: ${failure instanceof Error ? failure.message : String(failure)}`);
      if (Date.now() - lastNote >= PROGRESS_EVERY_MS) {
        lastNote = Date.now();
        out.note(`  replayed ${applied} events, at position ${checkpoint ?? 0} of ${head}, ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await projector.stop();
  }
  out.note(`replayed ${applied} events in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** The comparison itself: each stream, now and at each status change, replayed against served. */
class Comparison {
  agreements = 0;
  processes = 0;
  views = 0;
  private differences = 0;
  private compared = 0;
  private total = 0;
  private lastNote = Date.now();
  private readonly minPosition: Record<string, string>;

  constructor(
    private readonly replayed: ReadModelQueries,
    private readonly server: ServerClient,
    private readonly eventStore: EventStore,
    head: Position | undefined,
    private readonly out: AuditOutput,
  ) {
    // The server answers once its read models reached the replayed head (else 503, a ServerError).
    this.minPosition = head === undefined ? {} : { 'min-position': head };
  }

  async run(): Promise<number> {
    const agreementIds = await this.ids('agreements', 'agreementId');
    const processIds = await this.ids('processes', 'processId');
    this.total = agreementIds.length + processIds.length;
    this.agreements = agreementIds.length;
    this.processes = processIds.length;
    if (this.total > 0) this.out.note(`comparing ${agreementIds.length} agreements and ${processIds.length} processes with ${this.server.origin}`);
    for (const id of agreementIds) {
      await this.agreement(id);
      this.progress();
    }
    for (const id of processIds) {
      await this.process(id);
      this.progress();
    }
    return this.differences;
  }

  /** The ids both sides list; one listed on one side only is a difference. */
  private async ids(kind: 'agreements' | 'processes', key: 'agreementId' | 'processId'): Promise<string[]> {
    const replayed: string[] = [];
    let cursor: string | undefined;
    do {
      const page: { items: View[]; nextCursor: string | null } =
        kind === 'agreements' ? await this.replayed.listAgreements({}, { limit: PAGE, cursor }) : await this.replayed.listProcesses({ limit: PAGE, cursor });
      for (const item of page.items) replayed.push(String(item[key]));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const served = new Set<string>();
    cursor = undefined;
    do {
      const page: { items: View[]; nextCursor: string | null } | undefined = await this.server.get(`/v1/${kind}`, { limit: String(PAGE), cursor }, this.minPosition);
      if (!page) throw new ServerError(`GET /v1/${kind} answered 404`);
      for (const item of page.items) served.add(String(item[key]));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const singular = kind === 'agreements' ? 'agreement' : 'process';
    const known = new Set(replayed);
    for (const id of served) if (!known.has(id)) this.report(`${singular}-${id}`, 'now', [{ field: `(listed in /v1/${kind})`, expected: undefined, served: id }]);
    return replayed;
  }

  private async agreement(id: string): Promise<void> {
    const stream = `agreement-${id}`;
    const path = `/v1/agreements/${encodeURIComponent(id)}`;
    await this.compare(stream, 'now', await this.replayed.getAgreement(id, {}), path, {});
    const timeline = await this.replayed.getAgreementTimeline(id, {});
    await this.compare(stream, 'now', timeline, `${path}/timeline`, {}, 'timeline.');
    // Each business date at which the status changed, as the replayed timeline says.
    const statuses = (timeline?.statuses ?? []) as Array<{ from?: string | null }>;
    const dates = [...new Set(statuses.map((s) => s.from).filter((from): from is string => typeof from === 'string'))];
    for (const asOf of dates) await this.compare(stream, `asOf ${asOf}`, await this.replayed.getAgreement(id, { asOf }), path, { asOf });
  }

  private async process(id: string): Promise<void> {
    const stream = `process-${id}`;
    const path = `/v1/processes/${encodeURIComponent(id)}`;
    await this.compare(stream, 'now', await this.replayed.getProcess(id, {}), path, {});
    // Processes have no timeline: their status changes are found by replaying the process as of
    // each business date of its events and keeping the dates at which the status differs.
    const dates = [...new Set((await this.eventStore.readStream(stream)).map((e) => e.metadata.occurredAt))];
    let previous: unknown = Symbol('none');
    for (const asOf of dates) {
      const view = await this.replayed.getProcess(id, { asOf });
      if (view === undefined || view.status === previous) continue;
      previous = view.status;
      await this.compare(stream, `asOf ${asOf}`, view, path, { asOf });
    }
  }

  private async compare(stream: string, when: string, expected: View | undefined, path: string, query: Record<string, string>, prefix = ''): Promise<void> {
    this.views += 1;
    const served = await this.server.get<View>(path, query, this.minPosition);
    const differences = diffViews(expected, served).map((d) => ({ ...d, field: prefix + d.field }));
    if (differences.length > 0) this.report(stream, when, differences);
  }

  private report(stream: string, when: string, differences: ReturnType<typeof diffViews>): void {
    for (const d of differences) {
      this.differences += 1;
      this.out.say(`${stream} ${when}: ${d.field}: expected ${showValue(d.expected)}, served ${showValue(d.served)}`);
    }
  }

  private progress(): void {
    this.compared += 1;
    if (Date.now() - this.lastNote < PROGRESS_EVERY_MS) return;
    this.lastNote = Date.now();
    this.out.note(`  compared ${this.compared} of ${this.total} streams (${this.views} views), ${this.differences} differences so far`);
  }
}
