import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { AppModule } from '../../api/src/app.module';
import { ConfigError, loadConfig } from '../../api/src/config';
import { createRuntime, Runtime } from '../../api/src/infrastructure/runtime';
import { importScenario, readScenario, ScenarioFormatError } from './import-scenario';
import { runRebuild } from './rebuild';
import { RepublishUsageError, runRepublish } from './republish';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  import <file> [--actor NAME]   Record every command of a scenario file (format: examples/astana-2017.json)
                                 through the command bus, in order; stops at the first refused command.
                                 The actor recorded on the events is NAME (default: cli-import).
  rebuild                        Rebuild every read model from position 0 into fresh tables, then switch over.
  republish --from P [--to Q]    Publish the events from position P (inclusive) to Kafka again, with the same
                                 ce_ids, for a consumer that lost its data (needs KAFKA_BROKERS).
  help                           This text.

Configuration comes from the same environment as the server (DATA_DIR, DATABASE_URL,
EVENTSTORE_CONNECTION_STRING, ...). Stop the server first only if you run it without WAL-capable
storage; with the embedded default both may run at once.`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i === -1) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value`);
  args.splice(i, 2);
  return value;
}

class UsageError extends Error {}

async function withRuntime<T>(role: string, run: (runtime: Runtime) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const runtime = await createRuntime(config, { role, projector: false, relay: false });
  try {
    return await run(runtime);
  } finally {
    await runtime.close();
  }
}

const say = (line: string) => process.stdout.write(line + '\n');

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'import': {
      const actor = option(args, '--actor') ?? 'cli-import';
      const file = args[0];
      if (!file || args.length > 1) throw new UsageError('import takes one file');
      const scenario = readScenario(file);
      return withRuntime('cli', async (runtime) => {
        const app = await NestFactory.createApplicationContext(AppModule.forRuntime(runtime), { logger: ['error', 'warn'] });
        try {
          say(`importing "${scenario.name}": ${scenario.steps.length} commands as ${actor}`);
          const started = Date.now();
          const report = await importScenario(app.get(CommandBus), scenario, { name: actor, role: 'operator' }, say);
          const seconds = ((Date.now() - started) / 1000).toFixed(2);
          if (report.failedAt) {
            const f = report.failedAt;
            say(`stopped at step ${f.step} (${f.type} on ${f.path}): ${f.code}: ${f.message}`);
            if (f.details !== undefined) say(`details: ${JSON.stringify(f.details)}`);
            say(`${report.stored} stored, ${report.replayed} already recorded before it; fix the step and import again (recorded steps are recognised by their commandId)`);
            return 1;
          }
          say(`done in ${seconds} s: ${report.stored} stored, ${report.replayed} already recorded`);
          if (report.lastPosition) {
            say(`the read models show it once they reach position ${report.lastPosition}: send "Min-Position: ${report.lastPosition}" to wait for that`);
          }
          return 0;
        } finally {
          await app.close();
        }
      });
    }
    case 'rebuild':
      if (args.length) throw new UsageError('rebuild takes no arguments');
      return withRuntime('cli', (runtime) => runRebuild(runtime, say));
    case 'republish': {
      const from = option(args, '--from');
      const to = option(args, '--to');
      if (from === undefined) throw new UsageError('republish needs --from <position>');
      if (args.length) throw new UsageError(`republish does not take ${args.join(' ')}`);
      return withRuntime('cli', (runtime) => runRepublish(runtime, from, to, say));
    }
    case undefined:
    case 'help':
    case '--help':
      say(USAGE);
      return command === undefined ? 1 : 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof RepublishUsageError) console.error(err.message);
    else if (err instanceof UsageError) console.error(`${err.message}\n\n${USAGE}`);
    else if (err instanceof ConfigError) console.error(`configuration error: ${err.message}`);
    else if (err instanceof ScenarioFormatError) console.error(`cannot read the scenario: ${err.message}`);
    else console.error('failed:', err);
    process.exit(2);
  },
);
