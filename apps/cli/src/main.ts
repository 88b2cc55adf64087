import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig, unsupportedNodeReason } from '@agreements/platform';
import { runAuditReplay } from './audit-replay';
import { StoreMismatchError, withRuntime } from './cli-runtime';
import { runExport } from './export-command';
import { runImport } from './import-command';
import { LedgerMissingError, withLedger } from './ledger-access';
import { readScenario, ScenarioFormatError } from './import-scenario';
import { runRebuild } from './rebuild';
import { RepublishUsageError, runRepublish } from './republish';
import { runVerifyFile, runVerifyLive, VerifyUsageError } from './verify-command';

const say = (line: string) => process.stdout.write(line + '\n');
const progress = (line: string) => process.stderr.write(line + '\n');

const VERIFY_HELP = `
Exit codes: 0 everything matches; 1 a mismatch (the first differing line or event is named);
2 a usage error (a missing argument, an unreadable file or key, no ledger in DATA_DIR).`;

const WRITES_DATA_DIR = `
The CLI reads and writes the stores itself, not through a running server: the events and read
models its configuration names (DATA_DIR, DATABASE_URL, EVENTSTORE_CONNECTION_STRING, ...), the
same environment as the server's. With the embedded default (SQLite files in DATA_DIR) it may run
beside the server; it refuses to run when the server on its DATA_DIR uses other stores.`;

/** The commands, their arguments and their help; each action sets the exit code. */
function program(setExitCode: (code: number) => void): Command {
  const cli = new Command('npm run cli --')
    .description('Operator tools for the agreements event store and read models.')
    .exitOverride()
    .showHelpAfterError()
    .addHelpText('after', WRITES_DATA_DIR);
  // An unknown command answers as it always has (commander's own message quotes it differently).
  cli.on('command:*', (operands: string[]) => cli.error(`unknown command "${operands[0]}"`, { code: 'commander.unknownCommand' }));

  cli
    .command('import')
    .description(
      'Record every command of a scenario file (format: examples/astana-2017.json) through the command bus, in order; stops at the first refused command.',
    )
    .argument('<file>', 'the scenario file')
    .option('--actor <name>', 'the actor recorded on the events', 'cli-import')
    .addHelpText('after', WRITES_DATA_DIR)
    .action(async (file: string, options: { actor: string }) => {
      const scenario = readScenario(file);
      setExitCode(await withRuntime((runtime) => runImport(runtime, scenario, options.actor, say)));
    });

  cli
    .command('rebuild')
    .description('Rebuild every read model from position 0 into fresh tables, then switch over.')
    .addHelpText('after', WRITES_DATA_DIR)
    .action(async () => setExitCode(await withRuntime((runtime) => runRebuild(runtime, say))));

  cli
    .command('republish')
    .description('Publish the events from a position again to Kafka, with the same ce_ids, for a consumer that lost its data (needs KAFKA_BROKERS).')
    .requiredOption('--from <position>', 'the first position to publish (inclusive)')
    .option('--to <position>', 'the last position to publish (default: the head)')
    .action(async (options: { from: string; to?: string }) =>
      setExitCode(await withRuntime((runtime) => runRepublish(runtime, options.from, options.to, say))),
    );

  cli
    .command('audit-replay')
    .description(
      'Replay the whole log into fresh read models and compare every agreement and process, now and at each status change, with what the server at --url answers; prints each difference.',
    )
    .requiredOption('--url <url>', 'the running server to check, such as http://127.0.0.1:3000')
    .option('--token <token>', 'an auditor token of that server (default: the AUDIT_TOKEN variable)')
    .addHelpText(
      'after',
      `
It reads the log of the store its configuration names (DATA_DIR or EVENTSTORE_CONNECTION_STRING,
as the server's) and writes nothing there; the server must hold that same log.
Exit codes: 0 no difference; 1 differences (each printed on stdout); 2 could not compare (usage,
configuration, server unreachable or token refused, replay failed); 3 the server holds another log.
Progress goes to stderr.`,
    )
    .action(async (options: { url: string; token?: string }, command: Command) => {
      const token = options.token ?? process.env.AUDIT_TOKEN;
      if (!token) command.error('audit-replay needs an auditor token: --token or AUDIT_TOKEN', { exitCode: 2, code: 'audit.token' });
      setExitCode(await runAuditReplay(loadConfig(), { url: options.url, token: token! }, { say, note: progress }));
    });

  cli
    .command('export')
    .description(
      'Write the ledger as JSON Lines: one { index, leafHash, leaf } per event in log order, then { head }, the signed head over them (progress on stderr).',
    )
    .requiredOption('--to <file>', 'the file to write')
    .action(async (options: { to: string }) =>
      setExitCode(await withLedger((access) => runExport(access, options.to, say, progress))),
    );

  cli
    .command('verify')
    .description(
      'Without FILE: check the live store (every leaf recomputed from the event store against the tree, every signed head against the tree, its signature and the head before). ' +
        'With FILE and --key: check an export offline (no server, no DATA_DIR).',
    )
    .argument('[file]', 'an export written by `export --to`')
    .option('--key <pem>', 'the public key (SPKI PEM, as GET /v1/ledger/key serves it) to check the head of FILE with')
    .addHelpText('after', VERIFY_HELP)
    .action(async (file: string | undefined, options: { key?: string }) => {
      if (file !== undefined) {
        if (!options.key) throw new VerifyUsageError('verify FILE needs --key PEM: the public key to check the head with');
        setExitCode(await runVerifyFile(file, options.key, say, progress));
        return;
      }
      if (options.key) throw new VerifyUsageError('--key goes with FILE; without FILE, verify checks the live store with its own key');
      setExitCode(await withLedger((access) => runVerifyLive(access, say, progress)));
    });
  return cli;
}

async function main(argv: string[]): Promise<number> {
  const reason = unsupportedNodeReason();
  if (reason) {
    console.error(reason);
    return 1;
  }
  let exitCode = 0;
  const cli = program((code) => (exitCode = code));
  if (argv.length === 0) {
    cli.outputHelp();
    return 1;
  }
  await cli.parseAsync(argv, { from: 'user' });
  return exitCode;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    // Help asked for exits 0; a usage error was printed by commander, with the usage, and exits 2.
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
    if (err instanceof RepublishUsageError || err instanceof StoreMismatchError || err instanceof VerifyUsageError || err instanceof LedgerMissingError)
      console.error(err.message);
    else if (err instanceof ConfigError) console.error(`configuration error: ${err.message}`);
    else if (err instanceof ScenarioFormatError) console.error(`cannot read the scenario: ${err.message}`);
    else console.error('failed:', err);
    process.exit(2);
  },
);
