// Test support (excluded from the build): commands through the domain deciders and handleCommand
// into a real event store, as the API records them.
import { createHash } from 'node:crypto';
import { agreementDecider, eventSchemaVersions, processDecider } from '@agreements/domain';
import { type EventSource, type EventStore, handleCommand, type HandleCommandOutcome } from '@agreements/event-store';
import astana from '../../../../examples/astana-2017.json';

export interface CommandBody {
  type: string;
  commandId: string;
  occurredAt: string;
  sources?: EventSource[];
  data: Record<string, unknown>;
  expectedRevision?: number;
}

export interface ScenarioStep {
  path: string;
  body: CommandBody;
}

export const ASTANA_STEPS = astana.steps as ScenarioStep[];
export const MEMORANDUM = 'astana-deescalation-memorandum';

const PATH = /^\/v1\/(agreements|processes)\/([a-z0-9][a-z0-9-]{1,98}[a-z0-9])\/commands$/;

export async function runCommand(store: EventStore, path: string, body: CommandBody, actor = 'desk-1'): Promise<HandleCommandOutcome> {
  const match = PATH.exec(path);
  if (!match) throw new Error(`not a command path: ${path}`);
  const isAgreement = match[1] === 'agreements';
  const streamId = `${isAgreement ? 'agreement' : 'process'}-${match[2]}`;
  return handleCommand(store, {
    streamId,
    decider: (isAgreement ? agreementDecider : processDecider) as never,
    command: { type: body.type, data: body.data, occurredAt: body.occurredAt },
    expectedRevision: body.expectedRevision,
    context: {
      commandId: body.commandId,
      requestHash: createHash('sha256').update(JSON.stringify(body)).digest('hex'),
      actor,
      correlationId: body.commandId,
      causationId: body.commandId,
      occurredAt: body.occurredAt,
      sources: body.sources ?? [],
      schemaVersionOf: (type) => (eventSchemaVersions as Record<string, number>)[type] ?? 1,
    },
  });
}

export async function playScenario(store: EventStore, steps: readonly ScenarioStep[] = ASTANA_STEPS): Promise<HandleCommandOutcome[]> {
  const outcomes: HandleCommandOutcome[] = [];
  for (const step of steps) outcomes.push(await runCommand(store, step.path, step.body));
  return outcomes;
}

let commandCounter = 0;

/** A fresh command id (UUID v4 shape) for commands a test writes inline. */
export function newCommandId(): string {
  commandCounter += 1;
  const hex = (Date.now() * 1000 + commandCounter).toString(16).padStart(12, '0').slice(-12);
  return `${Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, '0')}-0000-4000-8000-${hex}`;
}

export function agreementPath(id: string): string {
  return `/v1/agreements/${id}/commands`;
}

export function processPath(id: string): string {
  return `/v1/processes/${id}/commands`;
}

/** Inline command helpers: `command('SignAgreement', '2017-05-04', { signatories: [...] })`. */
export function command(type: string, occurredAt: string, data: Record<string, unknown>, sources: EventSource[] = []): CommandBody {
  return { type, commandId: newCommandId(), occurredAt, data, sources };
}
