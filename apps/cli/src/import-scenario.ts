import { readFileSync } from 'node:fs';
import type { CommandBus } from '@nestjs/cqrs';
import { commandTarget, prepareCommand, type Principal, type RecordOutcome, refusalOf } from '@agreements/application';

export interface ScenarioStep {
  path: string;
  body: unknown;
  note?: string;
}

export interface Scenario {
  name: string;
  steps: ScenarioStep[];
}

export class ScenarioFormatError extends Error {}

export function readScenario(file: string): Scenario {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ScenarioFormatError(`${file}: ${(err as Error).message}`);
  }
  const s = parsed as Partial<Scenario>;
  if (!s || typeof s !== 'object' || !Array.isArray(s.steps)) {
    throw new ScenarioFormatError(`${file}: expected { "name", "steps": [{ "path", "body" }] }`);
  }
  s.steps.forEach((step, i) => {
    if (!step || typeof step.path !== 'string' || !commandTarget(step.path)) {
      throw new ScenarioFormatError(`${file}: step ${i + 1} needs a path like /v1/agreements/{id}/commands`);
    }
  });
  return { name: typeof s.name === 'string' ? s.name : file, steps: s.steps };
}

export interface ImportReport {
  stored: number;
  replayed: number;
  /** The global position of the last command's events (for Min-Position). */
  lastPosition?: string;
  failedAt?: { step: number; type: string; path: string; status: number; code: string; message: string; details?: unknown };
}

/**
 * Sends each step through the same command bus as the HTTP API (validation, deciders, command
 * log), in order, and stops at the first refused command. Importing a file twice appends nothing
 * the second time: each step's commandId is recognised.
 */
export async function importScenario(
  commandBus: CommandBus,
  scenario: Scenario,
  principal: Principal,
  progress: (line: string) => void,
): Promise<ImportReport> {
  const report: ImportReport = { stored: 0, replayed: 0 };
  const total = scenario.steps.length;
  const width = String(total).length;
  for (const [i, step] of scenario.steps.entries()) {
    const target = commandTarget(step.path)!;
    const type = String((step.body as { type?: unknown })?.type ?? '?');
    const label = `[${String(i + 1).padStart(width)}/${total}] ${type} on ${target.kind.streamId(target.id)}`;
    try {
      const { command } = prepareCommand(target.kind, target.id, step.body, principal, {}, new Date());
      const outcome = await commandBus.execute<typeof command, RecordOutcome>(command);
      if (outcome.replayed) report.replayed++;
      else report.stored++;
      report.lastPosition = outcome.result.position;
      progress(`${label}: ${outcome.replayed ? 'already recorded' : 'stored'}, revision ${outcome.result.revision}, position ${outcome.result.position}`);
    } catch (err) {
      const e = refusalOf(err);
      // Only a refused command stops the import with a report; the store being away or a bug is a failure.
      if (!e || e.status >= 500) throw err;
      report.failedAt = { step: i + 1, type, path: step.path, status: e.status, code: e.code, message: e.message, details: e.details };
      progress(`${label}: REFUSED ${e.status} ${e.code}: ${e.message}`);
      return report;
    }
  }
  return report;
}
