// Section 7, the ledger (issue 12): what keeping the tree costs the embedded store's appends, how
// fast the keeper and `verify` go through a million events, and how long an inclusion proof takes
// at a million leaves.
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '@agreements/event-store';
import { HeadSigner, LedgerKeeper, LedgerService, loadSigningKey, SqliteLedgerStore } from '@agreements/ledger';
import { loadConfig, startLedgerThread, verifyLedger } from '@agreements/platform';
import pino from 'pino';
import { atLeast, below, type Report } from '../lib/report';
import { formatNumber, now, percentile, progress, type Scope } from '../lib/util';
import { ensureFixture } from './rebuild';
import { concurrentAppends } from './store';

export interface LedgerSizes {
  /** Appends of each run with and without the keeper. */
  appends: number;
  /** Rounds of (without, with): the ratio is taken over the sums, so one noisy run weighs less. */
  rounds: number;
  fixture: 'full' | 'quick';
  proofs: number;
}

export const ledgerSizes = (quick: boolean): LedgerSizes =>
  quick ? { appends: 10_000, rounds: 1, fixture: 'quick', proofs: 2000 } : { appends: 30_000, rounds: 4, fixture: 'full', proofs: 20_000 };

export async function runLedgerSection(scope: Scope, report: Report, sizes: LedgerSizes): Promise<void> {
  // (a) The store's 50-writer appends with and without a keeper following it in the same process,
  // on its worker thread as `npm start` runs it, alternating, each run on a fresh store.
  {
    let plainSeconds = 0;
    let keptSeconds = 0;
    for (let round = 0; round < sizes.rounds; round += 1) {
      progress(`round ${round + 1}: ${formatNumber(sizes.appends)} appends without the keeper`);
      plainSeconds += (await concurrentAppends(scope, sizes.appends)).seconds;
      progress(`round ${round + 1}: ${formatNumber(sizes.appends)} appends with the keeper`);
      const dir = scope.tempDir(`ledger-kept-${round}`);
      const store = await SqliteEventStore.open({ file: join(dir, 'events.sqlite') });
      const ledger = SqliteLedgerStore.open(join(dir, 'ledger.sqlite'));
      const keeper = await startLedgerThread(loadConfig({ DATA_DIR: dir }), join(dir, 'ledger.sqlite'), pino({ level: 'silent' }));
      const result = await concurrentAppends(scope, sizes.appends, store);
      keptSeconds += result.seconds;
      const leaves = await keeper.catchUp();
      await keeper.stop();
      if (leaves !== sizes.appends) throw new Error(`the keeper holds ${leaves} leaves, not ${sizes.appends}`);
      ledger.close();
      await store.close();
    }
    const plain = (sizes.appends * sizes.rounds) / plainSeconds;
    const kept = (sizes.appends * sizes.rounds) / keptSeconds;
    const cost = 100 * (1 - kept / plain);
    report.add({
      section: 'ledger',
      label: 'embedded appends with the keeper running, 50 writers',
      value: kept,
      unit: 'appends/s',
      rate: true,
      detail: `${formatNumber(plain)} appends/s without it in the same rounds: the keeper (on its worker thread, as npm start runs it) costs ${cost.toFixed(1)}%; ${sizes.rounds} round(s) of ${formatNumber(sizes.appends)} appends each way, alternating`,
    });
    report.add({
      section: 'ledger',
      label: 'cost of keeping the tree, share of embedded append throughput',
      value: cost,
      unit: '%',
      rate: false,
      target: { text: '≤ 10 %', met: (v) => v <= 10 },
    });
  }

  // (b) A million events: the keeper's catch-up, inclusion proofs, `verify`.
  const fixture = await ensureFixture(scope, sizes.fixture);
  const dir = scope.tempDir('ledger-million');
  const file = join(dir, 'events.sqlite');
  copyFileSync(fixture.file, file);
  if (existsSync(`${fixture.file}-wal`)) copyFileSync(`${fixture.file}-wal`, `${file}-wal`);
  const events = await SqliteEventStore.open({ file });
  scope.defer('close the million-event store', () => events.close());
  const ledger = SqliteLedgerStore.open(join(dir, 'ledger.sqlite'));
  scope.defer('close the million-leaf ledger', () => ledger.close());
  const key = loadSigningKey({ dataDir: dir });

  progress(`keeper: ${formatNumber(fixture.events)} events into the tree`);
  const keeper = new LedgerKeeper(events, ledger, { batchSize: 5000 });
  let started = now();
  const leaves = await keeper.catchUp();
  const keeperSeconds = (now() - started) / 1000;
  report.add({
    section: 'ledger',
    label: 'keeper catch-up (canonical leaf, hash, tree)',
    value: leaves / keeperSeconds,
    unit: 'events/s',
    rate: true,
    detail: `${formatNumber(leaves)} events in ${keeperSeconds.toFixed(1)} s from the rebuild fixture, one thread`,
  });
  await new HeadSigner({ store: ledger, key, intervalMs: 0 }).signNow();

  const service = new LedgerService({ eventStore: events, store: ledger, key, headIntervalMs: 60_000 });
  const ids = ledger.leaves(0, 1).length ? Array.from({ length: 1000 }, (_, i) => ledger.leaves(Math.floor((i * 7919 * 131) % leaves), 1)[0].eventId) : [];
  const latencies: number[] = [];
  for (let i = 0; i < sizes.proofs; i += 1) {
    const t = now();
    service.inclusionProof(ids[i % ids.length]);
    latencies.push(now() - t);
  }
  latencies.sort((a, b) => a - b);
  report.add({
    section: 'ledger',
    label: `inclusion proof at ${formatNumber(leaves)} leaves, p99`,
    value: percentile(latencies, 99),
    unit: 'ms',
    rate: false,
    target: below(5, 'ms'),
    detail: `${formatNumber(sizes.proofs)} proofs of 1,000 events spread over the log (event id look-up, ${Math.ceil(Math.log2(leaves))} path hashes from stored subtrees); p50 ${percentile(latencies, 50).toFixed(3)} ms, max ${latencies[latencies.length - 1].toFixed(2)} ms`,
  });

  progress(`verify: ${formatNumber(leaves)} leaves recomputed from the log`);
  started = now();
  const verdict = await verifyLedger({ eventStore: events, store: ledger, ledgerFile: join(dir, 'ledger.sqlite'), key });
  const verifySeconds = (now() - started) / 1000;
  if (!verdict.ok) throw new Error(`verify failed on the fixture: ${verdict.failures[0]}`);
  report.add({
    section: 'ledger',
    label: '`verify` of the live store',
    value: verdict.leavesChecked / verifySeconds,
    unit: 'events/s',
    rate: true,
    target: atLeast(200_000, 'events/s'),
    detail: `${formatNumber(verdict.leavesChecked)} leaves recomputed from the log and compared (one thread per core), ${verdict.headsChecked} head(s) checked, in ${verifySeconds.toFixed(1)} s`,
  });
}
