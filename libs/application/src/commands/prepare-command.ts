import { createHash } from 'node:crypto';
import { validationFailed } from '../outcome/refusal';
import type { Principal } from '../principal';
import { checkStreamId } from './command-validation';
import { RecordAgreementCommand, RecordProcessCommand } from './record-command';
import { AGREEMENTS, PROCESSES, StreamKind } from './stream-kinds';

/** Stable JSON: the same body with its keys in another order hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*(?:W\/)?"?(-?\d+)"?\s*$/.exec(header);
  const revision = match ? Number(match[1]) : NaN;
  // Beyond a safe integer the store cannot hold it (a 500 before): refused like any bad revision.
  if (!Number.isSafeInteger(revision) || revision < -1) {
    throw validationFailed([{ field: 'If-Match', message: 'must be a revision in quotes, such as "3"' }]);
  }
  return revision;
}

export interface CommandHeaders {
  ifMatch?: string;
  correlationId?: string;
}

export interface PreparedCommand {
  command: RecordAgreementCommand | RecordProcessCommand;
  /** The revision came in If-Match (a conflict then answers 412, not 409). */
  expectedFromIfMatch: boolean;
}

/**
 * Validates a command as the contract says and builds the CQRS command for it. Shared by the
 * HTTP controller and the CLI import, so both refuse exactly the same input.
 */
export function prepareCommand(
  kind: StreamKind,
  id: string,
  body: unknown,
  principal: Principal,
  headers: CommandHeaders,
  now: Date,
): PreparedCommand {
  checkStreamId(kind.idParam, id);
  const command = kind.validator.validate(body);
  if (command.expectedRevision !== undefined && !Number.isSafeInteger(command.expectedRevision)) {
    throw validationFailed([{ field: 'expectedRevision', message: `must be a whole number from -1 to ${Number.MAX_SAFE_INTEGER}` }]);
  }
  const ifMatch = parseIfMatch(headers.ifMatch);
  if (ifMatch !== undefined && command.expectedRevision !== undefined && ifMatch !== command.expectedRevision) {
    throw validationFailed([{ field: 'If-Match', message: 'disagrees with expectedRevision in the body; send one of them' }]);
  }
  if (headers.correlationId !== undefined && !CORRELATION_ID.test(headers.correlationId)) {
    throw validationFailed([{ field: 'X-Correlation-Id', message: 'must be 1 to 128 letters, digits or . _ : -' }]);
  }
  // The hash is of what the client sent, so a retry of the same body is recognised as such.
  const requestHash = createHash('sha256')
    .update(canonicalJson({ stream: kind.streamId(id), body: command }))
    .digest('base64url');
  const Command = kind === AGREEMENTS ? RecordAgreementCommand : RecordProcessCommand;
  return {
    command: new Command(
      id,
      kind.validator.withStatesNamed(command),
      principal,
      headers.correlationId ?? command.commandId,
      requestHash,
      now.toISOString(),
      command.expectedRevision ?? ifMatch,
    ),
    expectedFromIfMatch: ifMatch !== undefined && command.expectedRevision === undefined,
  };
}

/** `/v1/agreements/{id}/commands` or `/v1/processes/{id}/commands` → the kind and id. */
export function commandTarget(path: string): { kind: StreamKind; id: string } | undefined {
  const match = /^\/v1\/(agreements|processes)\/([^/]+)\/commands$/.exec(path);
  if (!match) return undefined;
  return { kind: match[1] === 'agreements' ? AGREEMENTS : PROCESSES, id: decodeURIComponent(match[2]) };
}
