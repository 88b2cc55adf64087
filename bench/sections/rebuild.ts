// Section 3: rebuilding the read models from a large event log, into SQLite and PostgreSQL.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { SqliteEventStore } from '@agreements/event-store';
import { openReadModelStore, type ReadModelStore, rebuildReadModels, type RebuildProgress } from '@agreements/read-models';
import { runNodeScript } from '../lib/processes';
import { atLeast, atLeastRatio, type Report } from '../lib/report';
import { formatNumber, progress, ROOT, runTag, type Scope } from '../lib/util';
import { readAllRate } from './esdb';

/** Bump to make every cached fixture stale (the cache key also hashes the generator's sources). */
// v2: the store writes event data in canonical member order (the ledger hashes it as stored), so
// a fixture the v1 store wrote no longer stands for what the product stores.
const FIXTURE_VERSION = 'v2';
export const CACHE_DIR = join(tmpdir(), 'agreements-bench-cache');
const GENERATOR = join(ROOT, 'bench', 'fixtures', 'generate-events.js');
const SWC_REGISTER = join(ROOT, 'libs', 'worker-threads', 'src', 'swc-register.js');
const GENERATOR_SOURCES = [
  GENERATOR,
  join(ROOT, 'libs', 'read-models', 'src', 'testing', 'workload.ts'),
  join(ROOT, 'libs', 'read-models', 'src', 'testing', 'random.ts'),
];

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export type FixtureSize = 'full' | 'quick';

/** 16,000 agreement + 4,000 process streams of ~51 events: just over 1,000,000 events; quick: a tenth. */
const FIXTURES: Record<FixtureSize, { streams: number; perStream: number; seed: number }> = {
  full: { streams: 20_000, perStream: 51, seed: 1 },
  quick: { streams: 2_000, perStream: 51, seed: 1 },
};

export interface Fixture {
  file: string;
  events: number;
  streams: number;
  cached: boolean;
}

function fixtureKey(size: FixtureSize): string {
  const hash = createHash('sha256');
  for (const file of GENERATOR_SOURCES) hash.update(readFileSync(file));
  const { streams, perStream, seed } = FIXTURES[size];
  return `rebuild-${FIXTURE_VERSION}-${hash.digest('hex').slice(0, 10)}-${streams}x${perStream}-s${seed}`;
}

/**
 * The event store file of the given size, from the cache in os.tmpdir() when a run already made
 * it with the same generator, else generated (and cached) now. Stale fixtures (another version or
 * generator) are deleted.
 */
export async function ensureFixture(scope: Scope, size: FixtureSize, fresh = false): Promise<Fixture> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const key = fixtureKey(size);
  const versionPrefix = key.slice(0, key.indexOf('-', `rebuild-${FIXTURE_VERSION}-`.length) + 1);
  for (const name of readdirSync(CACHE_DIR)) {
    if (name.startsWith('rebuild-') && !name.startsWith(versionPrefix)) {
      rmSync(join(CACHE_DIR, name), { force: true });
      progress(`removed stale cached fixture ${name}`);
    }
  }
  const file = join(CACHE_DIR, `${key}.sqlite`);
  const metaFile = join(CACHE_DIR, `${key}.json`);
  if (fresh) {
    rmSync(file, { force: true });
    rmSync(metaFile, { force: true });
  }
  if (existsSync(file) && existsSync(metaFile)) {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as { events: number; streams: number };
    progress(`event store fixture from the cache (${formatNumber(meta.events)} events, generation skipped): ${file}`);
    return { file, events: meta.events, streams: meta.streams, cached: true };
  }

  const { streams, perStream, seed } = FIXTURES[size];
  const partial = `${file}.partial-${process.pid}`;
  scope.defer('remove an unfinished fixture', () => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${partial}${suffix}`, { force: true });
  });
  progress(
    `generating the event store fixture (${formatNumber(streams)} streams × ~${perStream} events; cached for later runs)`,
  );
  const output = await runNodeScript(scope, [GENERATOR, partial, String(streams), String(perStream), String(seed)], {
    nodeOptions: ['--max-old-space-size=6144', '-r', SWC_REGISTER],
  });
  const resultLine = output.split('\n').find((line) => line.startsWith('RESULT '));
  if (!resultLine) throw new Error('the fixture generator printed no RESULT line');
  const result = JSON.parse(resultLine.slice('RESULT '.length)) as { events: number; streams: number; seconds: number };
  renameSync(partial, file);
  writeFileSync(metaFile, JSON.stringify({ ...result, key, generatedAt: new Date().toISOString() }, null, 2));
  return { file, events: result.events, streams: result.streams, cached: false };
}

function progressPrinter(label: string, total: number): (p: RebuildProgress) => void {
  let last = 0;
  let lastPhase = '';
  return (p) => {
    // Each phase when it starts, then every 3 s.
    if (p.phase === lastPhase && Date.now() - last < 3000) return;
    last = Date.now();
    lastPhase = p.phase;
    const what =
      p.phase === 'loading'
        ? `copying, ${formatNumber(p.events)} / ${formatNumber(total)} events`
        : p.phase === 'materializing'
          ? `materializing, ${formatNumber(p.streams)} streams, ${formatNumber(p.events)} / ${formatNumber(total)} events folded`
          : p.phase;
    progress(`${label}: ${what}`);
  };
}

/** Cores this process kept busy since `before` (process.cpuUsage), over `seconds`. */
function cpuCores(before: NodeJS.CpuUsage, seconds: number): string {
  const used = process.cpuUsage(before);
  return `${((used.user + used.system) / 1e6 / seconds).toFixed(2)} cores`;
}

/** Median time of `times` runs of a query, in ms. */
async function medianMs(times: number, run: () => Promise<unknown>): Promise<number> {
  const took: number[] = [];
  for (let i = 0; i < times; i += 1) {
    const started = performance.now();
    await run();
    took.push(performance.now() - started);
  }
  return took.sort((a, b) => a - b)[Math.floor(times / 2)];
}

/**
 * Lists at a time (asOf) fold each candidate agreement's events, so they cost what the list must
 * scan: a first page where most agreements match, and a filter no agreement matches, the worst
 * case, which one request scans up to its budget of 1,000 agreements, on the read models just rebuilt.
 */
async function measureListsAt(report: Report, store: ReadModelStore, streams: number): Promise<void> {
  const asOf = '2018-01-01';
  const firstPage = await medianMs(5, () => store.queries.listAgreements({ asOf }, { limit: 100 }));
  report.add({
    section: 'rebuild',
    label: 'list at a time (asOf): first page of 100',
    value: firstPage,
    unit: 'ms',
    rate: false,
    detail: `GET /v1/agreements?asOf=${asOf}&limit=100 on the rebuilt SQLite read models; median of 5`,
  });
  const scanAll = await medianMs(3, () => store.queries.listAgreements({ asOf, kind: 'no-such-kind' }, { limit: 100 }));
  report.add({
    section: 'rebuild',
    label: 'list at a time (asOf): a filter nothing matches, one request',
    value: scanAll,
    unit: 'ms',
    rate: false,
    detail: `asOf=${asOf} with a kind no agreement has, one request: it folds 1,000 agreements at most (the scan budget; the store has about ${formatNumber(Math.round(streams * 0.8))}) and ends its page short with a cursor to go on from; median of 3`,
  });
}

export async function dropPgSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

export async function runRebuildSection(
  scope: Scope,
  report: Report,
  options: { quick: boolean; databaseUrl: string; freshFixture: boolean },
): Promise<void> {
  const fixture = await ensureFixture(scope, options.quick ? 'quick' : 'full', options.freshFixture);
  const events = await SqliteEventStore.open({ file: fixture.file });
  scope.defer('close the fixture event store', () => events.close());
  const source = `${formatNumber(fixture.events)} events over ${formatNumber(fixture.streams)} agreement and process streams${fixture.cached ? ' (cached fixture)' : ''}`;

  // The ceiling of a rebuild: reading the same log alone, in the same run (issue 14's ratios).
  progress('catch-up reading alone: readAll over the fixture');
  const catchUp = await readAllRate(events);
  report.add({
    section: 'rebuild',
    label: 'catch-up read of the fixture alone (readAll, pages of 5,000)',
    value: catchUp.rate,
    unit: 'events/s',
    rate: true,
    detail: `${formatNumber(catchUp.events)} events read and parsed, nothing written: the ceiling the rebuild ratios below divide by`,
  });
  const shareOfCatchUp = (label: string, rate: number, target: number) =>
    report.add({
      section: 'rebuild',
      label: `${label}: share of the catch-up read rate`,
      value: rate / catchUp.rate,
      unit: '× catch-up',
      rate: false,
      target: atLeastRatio(target, 'catch-up read rate'),
      detail: `${formatNumber(rate)} against ${formatNumber(catchUp.rate)} events/s in the same run`,
    });

  {
    const dataDir = scope.tempDir('rebuild-sqlite');
    const store = await openReadModelStore({ dataDir });
    scope.defer('close SQLite read models', () => store.close());
    progress('rebuilding into SQLite');
    const cpu = process.cpuUsage();
    const summary = await rebuildReadModels(events, store, { onProgress: progressPrinter('sqlite', fixture.events) });
    const cores = cpuCores(cpu, summary.seconds);
    await measureListsAt(report, store, fixture.streams);
    await store.close();
    report.add({
      section: 'rebuild',
      label: 'rebuildReadModels into SQLite',
      value: summary.events / summary.seconds,
      unit: 'events/s',
      rate: true,
      target: atLeast(50_000, 'events/s'),
      detail: `${source}; ${summary.seconds.toFixed(1)} s including indexes and switch-over; this process kept ${cores} busy`,
    });
    shareOfCatchUp('rebuild into SQLite', summary.events / summary.seconds, 0.6);
  }

  {
    const schema = `bench_rm_${runTag()}`;
    scope.defer(`drop PostgreSQL schema ${schema}`, () => dropPgSchema(options.databaseUrl, schema));
    const store = await openReadModelStore({ databaseUrl: options.databaseUrl, pgSchema: schema });
    scope.defer('close PostgreSQL read models', () => store.close());
    progress(`rebuilding into PostgreSQL (schema ${schema})`);
    const cpu = process.cpuUsage();
    const summary = await rebuildReadModels(events, store, { onProgress: progressPrinter('postgres', fixture.events) });
    const cores = cpuCores(cpu, summary.seconds);
    await store.close();
    report.add({
      section: 'rebuild',
      label: 'rebuildReadModels into PostgreSQL',
      value: summary.events / summary.seconds,
      unit: 'events/s',
      rate: true,
      target: atLeast(20_000, 'events/s'),
      detail: `${source}; ${summary.seconds.toFixed(1)} s including indexes and switch-over; this process kept ${cores} busy (PostgreSQL's own CPU not counted); ${options.databaseUrl.replace(/\/\/[^@/]*@/, '//')}`,
    });
    shareOfCatchUp('rebuild into PostgreSQL', summary.events / summary.seconds, 0.3);
  }
}
