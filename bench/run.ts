// The benchmark suite: `npm run bench` (builds, then runs dist/bench/run.js).
//
//   npm run bench                         every section, full sizes (about 5 min on 2 cores; the
//                                         first run also generates the 1M-event fixture, cached after)
//   npm run bench -- --only store,http    a subset: store, http, rebuild, lag, esdb, relay, ledger, console, health
//   npm run bench -- --only soak          the soak (never part of a plain run): 30 min of 1,000
//                                         commands/s with reads; --soak-minutes N for a shorter one,
//                                         --soak-rate N for N commands/s (a busy machine: memory
//                                         is judged at a rate the server keeps up with)
//   npm run bench -- --quick              smoke sizes (100k-event rebuild, short load runs)
//   npm run bench -- --note "text"        a remark printed with the results (say, a busy machine)
//   npm run bench -- --no-write           print only; leave docs/benchmarks.md alone
//   npm run bench -- --keep-kafka         leave the development broker running if the bench started it
//   npm run bench -- --fresh-fixtures     generate the cached event store fixtures again
//   npm run bench -- --database-url URL   PostgreSQL for the rebuild (default $BENCH_DATABASE_URL,
//                                         else postgres://postgres@127.0.0.1:5432/test)
//
// Every run first measures the baseline (raw SQLite insert ceiling) and prints each throughput
// with its ratio to it; targets print PASS or SHORT and never change the exit code. The exit code
// is 1 only when a section failed with an error.
import 'reflect-metadata';
import { writeResults, DOC_FILE } from './lib/doc';
import { machineInfo, Report, type RunInfo, SECTION_TITLES, type SectionName } from './lib/report';
import { errorMessage, formatNumber, markSectionStart, Scope, SectionNotRun } from './lib/util';
import { consoleSizes, runConsoleSection } from './sections/console';
import { esdbSizes, runEsdbSection } from './sections/esdb';
import { httpSizes, runHttpSection } from './sections/http';
import { healthSizes, runHealthSection } from './sections/health';
import { lagSizes, runLagSection } from './sections/lag';
import { ledgerSizes, runLedgerSection } from './sections/ledger';
import { DEFAULT_DATABASE_URL, runRebuildSection } from './sections/rebuild';
import { relaySizes, runRelaySection } from './sections/relay';
import { runSoakSection, soakSizes } from './sections/soak';
import { measureRawCeiling, runStoreSection, storeSizes } from './sections/store';

const SECTIONS: SectionName[] = ['store', 'http', 'rebuild', 'lag', 'esdb', 'relay', 'ledger', 'console', 'health', 'soak'];
/** Run only when named in --only: the soak takes half an hour. */
const ON_REQUEST: SectionName[] = ['soak'];

interface Options {
  only: SectionName[] | undefined;
  quick: boolean;
  note: string | undefined;
  write: boolean;
  keepKafka: boolean;
  freshFixtures: boolean;
  databaseUrl: string;
  soakMinutes: number;
  soakRate: number;
}

class UsageError extends Error {}

function parseOptions(args: string[]): Options {
  const options: Options = {
    only: undefined,
    quick: false,
    note: undefined,
    write: true,
    keepKafka: false,
    freshFixtures: false,
    databaseUrl: process.env.BENCH_DATABASE_URL || DEFAULT_DATABASE_URL,
    soakMinutes: 30,
    soakRate: 1000,
  };
  const value = (i: number, name: string): string => {
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${name} needs a value`);
    return v;
  };
  for (let i = 0; i < args.length; i += 1) {
    const [flag, inline] = args[i].includes('=')
      ? [args[i].slice(0, args[i].indexOf('=')), args[i].slice(args[i].indexOf('=') + 1)]
      : [args[i], undefined];
    const take = () => inline ?? value(i++, flag);
    switch (flag) {
      case '--only': {
        const names = take()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const unknown = names.filter((n) => !(SECTIONS as string[]).includes(n));
        if (unknown.length > 0 || names.length === 0)
          throw new UsageError(
            `--only takes sections from ${SECTIONS.join(', ')}; got ${unknown.join(', ') || 'nothing'}`,
          );
        options.only = names as SectionName[];
        break;
      }
      case '--quick':
        options.quick = true;
        break;
      case '--note':
        options.note = take();
        break;
      case '--no-write':
        options.write = false;
        break;
      case '--keep-kafka':
        options.keepKafka = true;
        break;
      case '--fresh-fixtures':
        options.freshFixtures = true;
        break;
      case '--database-url':
        options.databaseUrl = take();
        break;
      case '--soak-minutes': {
        const minutes = Number(take());
        if (!Number.isFinite(minutes) || minutes < 1) throw new UsageError('--soak-minutes takes a number of minutes, at least 1');
        options.soakMinutes = minutes;
        break;
      }
      case '--soak-rate': {
        const rate = Number(take());
        if (!Number.isInteger(rate) || rate < 10) throw new UsageError('--soak-rate takes commands per second, at least 10');
        options.soakRate = rate;
        break;
      }
      case '--help':
      case '-h':
        throw new UsageError('');
      default:
        throw new UsageError(`unknown option ${args[i]}`);
    }
  }
  return options;
}

async function runSection(
  report: Report,
  name: SectionName | 'baseline',
  body: (scope: Scope) => Promise<void>,
): Promise<void> {
  console.log('');
  console.log(`== ${SECTION_TITLES[name]}`);
  markSectionStart();
  const started = Date.now();
  const scope = new Scope(name);
  try {
    await body(scope);
    report.outcomes.set(name, { status: 'ran', seconds: (Date.now() - started) / 1000 });
  } catch (error) {
    if (error instanceof SectionNotRun) {
      console.log(`  not run: ${error.message}`);
      report.outcomes.set(name, { status: 'not run', reason: error.message });
    } else {
      console.log(`  FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      report.outcomes.set(name, {
        status: 'failed',
        reason: errorMessage(error),
        seconds: (Date.now() - started) / 1000,
      });
    }
  } finally {
    await scope.close();
  }
}

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (error.message) console.error(`bench: ${error.message}`);
    console.error(
      'usage: npm run bench -- [--only store,http,rebuild,lag,esdb,relay,ledger,console,health,soak] [--soak-minutes N] [--soak-rate N] [--quick] [--note TEXT] [--no-write] [--keep-kafka] [--fresh-fixtures] [--database-url URL]',
    );
    return error.message ? 2 : 0;
  }
  const info: RunInfo = {
    quick: options.quick,
    only: options.only,
    note: options.note,
    startedAt: new Date(),
    machine: machineInfo(),
  };
  const m = info.machine;
  console.log(`agreements bench${options.quick ? ' (--quick: smoke sizes)' : ''}`);
  console.log(
    `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, node ${m.node}, load ${m.loadAtStart}, commit ${m.commit}`,
  );
  const runStarted = Date.now();
  const report = new Report();
  const quick = options.quick;

  await runSection(report, 'baseline', async (scope) => {
    await measureRawCeiling(scope, report, storeSizes(quick));
  });
  const wanted = SECTIONS.filter((s) => (options.only ? options.only.includes(s) : !ON_REQUEST.includes(s)));
  for (const section of wanted) {
    await runSection(report, section, async (scope) => {
      switch (section) {
        case 'store':
          return runStoreSection(scope, report, storeSizes(quick));
        case 'http':
          return runHttpSection(scope, report, httpSizes(quick));
        case 'rebuild':
          return runRebuildSection(scope, report, {
            quick,
            databaseUrl: options.databaseUrl,
            freshFixture: options.freshFixtures,
          });
        case 'lag':
          return runLagSection(scope, report, lagSizes(quick));
        case 'esdb':
          return runEsdbSection(scope, report, esdbSizes(quick));
        case 'relay':
          return runRelaySection(scope, report, relaySizes(quick, options.keepKafka, options.freshFixtures));
        case 'ledger':
          return runLedgerSection(scope, report, ledgerSizes(quick));
        case 'health':
          return runHealthSection(scope, report, healthSizes(quick));
        case 'soak':
          return runSoakSection(scope, report, soakSizes(options.soakMinutes, options.keepKafka, options.soakRate));
        case 'console':
          return runConsoleSection(scope, report, consoleSizes(quick));
      }
    });
  }

  const minutes = ((Date.now() - runStarted) / 60_000).toFixed(1);
  console.log('');
  console.log(`== Summary (${minutes} min)`);
  if (report.baseline) console.log(`  baseline (raw ceiling): ${formatNumber(report.baseline)} appends/s`);
  for (const figure of report.figures.filter((f) => f.target)) {
    console.log(
      `  ${report.verdict(figure).padEnd(5)}  ${figure.section.padEnd(8)} ${figure.label}: ${formatNumber(figure.value, figure.unit === 'ms' ? 1 : figure.unit.startsWith('×') ? 2 : 0)} ${figure.unit} (target ${figure.target!.text})`,
    );
  }
  for (const [name, outcome] of report.outcomes) {
    if (outcome.status !== 'ran') console.log(`  ${outcome.status.toUpperCase()}  ${name}: ${outcome.reason}`);
  }

  const markdown = report.markdown(info, ['baseline', ...wanted]);
  console.log('');
  console.log('== Markdown');
  console.log(markdown);
  if (options.write) {
    writeResults(markdown);
    console.log(`(results written to ${DOC_FILE})`);
  }
  return [...report.outcomes.values()].some((o) => o.status === 'failed') ? 1 : 0;
}

let interrupted = false;
const interrupt = (signal: NodeJS.Signals) => {
  if (interrupted) process.exit(130);
  interrupted = true;
  console.error(`\nbench: ${signal}: cleaning up (temp dirs, child processes, schemas, topics)…`);
  void Scope.closeAll().finally(() => process.exit(130));
};
process.on('SIGINT', interrupt);
process.on('SIGTERM', interrupt);

main().then(
  (code) => process.exit(code),
  async (error) => {
    console.error(error);
    await Scope.closeAll();
    process.exit(1);
  },
);
