import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { CommandPathModule } from '@agreements/application';
import { PinoNestLogger, type Runtime } from '@agreements/platform';
import { importScenario, type Scenario } from './import-scenario';

/**
 * `npm run cli -- import <file>`: the scenario's commands through the application's command bus,
 * with a line per step and a summary. Exit code 0 when all were recorded, 1 at a refused one.
 */
export async function runImport(runtime: Runtime, scenario: Scenario, actor: string, say: (line: string) => void): Promise<number> {
  const app = await NestFactory.createApplicationContext(CommandPathModule.forStore(runtime.eventStore, runtime.metrics), {
    logger: new PinoNestLogger(runtime.logger),
  });
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
}
