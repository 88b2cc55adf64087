import { AppendReq, AppendResp, ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { Empty, StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import type { ExpectedVersion } from './check-commit';
import type { InMemoryEsdbState, LogRecord } from './in-memory-state';
import { invalidArgument } from './rpc-errors';

// The protocol's messages to and from the stand-in's own values.

export const MAX_UINT64 = (1n << 64n) - 1n;

export function streamNameOf(identifier: StreamIdentifier | undefined): string {
  if (!identifier) throw invalidArgument('a stream identifier is required');
  return Buffer.from(identifier.getStreamName_asU8()).toString('utf8');
}

export function expectedVersionOf(options: AppendReq.Options): ExpectedVersion {
  switch (options.getExpectedStreamRevisionCase()) {
    case AppendReq.Options.ExpectedStreamRevisionCase.ANY:
      return { kind: 'any' };
    case AppendReq.Options.ExpectedStreamRevisionCase.NO_STREAM:
      return { kind: 'no_stream' };
    case AppendReq.Options.ExpectedStreamRevisionCase.STREAM_EXISTS:
      return { kind: 'stream_exists' };
    case AppendReq.Options.ExpectedStreamRevisionCase.REVISION:
      return { kind: 'revision', revision: BigInt(options.getRevision()) };
    default:
      throw invalidArgument('an append needs an expected stream revision');
  }
}

export function success(currentRevision: bigint, position: bigint | undefined): AppendResp.Success {
  const result = new AppendResp.Success();
  if (currentRevision < 0n) result.setNoStream(new Empty());
  else result.setCurrentRevision(currentRevision.toString());
  if (position === undefined) result.setNoPosition(new Empty());
  else
    result.setPosition(
      new AppendResp.Position().setCommitPosition(position.toString()).setPreparePosition(position.toString()),
    );
  return result;
}

export function wrongExpectedVersion(
  expected: ExpectedVersion,
  currentVersion: bigint,
): AppendResp.WrongExpectedVersion {
  const result = new AppendResp.WrongExpectedVersion();
  // Both the fields of servers since 20.6.1 and the deprecated 20.6.0 ones, as the server sends them.
  if (currentVersion < 0n) {
    result.setCurrentNoStream(new Empty());
    result.setNoStream2060(new Empty());
  } else {
    result.setCurrentRevision(currentVersion.toString());
    result.setCurrentRevision2060(Number(currentVersion));
  }
  switch (expected.kind) {
    case 'any':
      result.setExpectedAny(new Empty());
      result.setAny2060(new Empty());
      break;
    case 'stream_exists':
      result.setExpectedStreamExists(new Empty());
      result.setStreamExists2060(new Empty());
      break;
    case 'no_stream':
      result.setExpectedNoStream(new Empty());
      break;
    case 'revision':
      result.setExpectedRevision(expected.revision.toString());
      result.setExpectedRevision2060(Number(expected.revision));
      break;
  }
  return result;
}

export function positionOf(position: ReadReq.Options.Position): bigint {
  // commit = prepare for every event here; the commit position orders the log.
  return BigInt(position.getCommitPosition());
}

export function firstIndexAfter(state: InMemoryEsdbState, position: bigint): number {
  const index = state.indexAtOrAfter(position);
  return index < state.log.length && state.log[index].position === position ? index + 1 : index;
}

export function uuidToString(uuid: UUID | undefined): string | undefined {
  if (!uuid) return undefined;
  if (uuid.hasStructured()) {
    const structured = uuid.getStructured()!;
    const hex =
      BigInt.asUintN(64, BigInt(structured.getMostSignificantBits())).toString(16).padStart(16, '0') +
      BigInt.asUintN(64, BigInt(structured.getLeastSignificantBits())).toString(16).padStart(16, '0');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  return uuid.getString().toLowerCase();
}

export function toUuid(id: string, structured: boolean): UUID {
  const uuid = new UUID();
  if (!structured) return uuid.setString(id);
  const hex = id.replace(/-/g, '');
  return uuid.setStructured(
    new UUID.Structured()
      .setMostSignificantBits(BigInt.asIntN(64, BigInt(`0x${hex.slice(0, 16)}`)).toString())
      .setLeastSignificantBits(BigInt.asIntN(64, BigInt(`0x${hex.slice(16)}`)).toString()),
  );
}

export function readEvent(record: LogRecord, structuredIds: boolean): ReadResp.ReadEvent {
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(toUuid(record.eventId, structuredIds))
    .setStreamIdentifier(new StreamIdentifier().setStreamName(Buffer.from(record.streamName, 'utf8')))
    .setStreamRevision(record.revision.toString())
    .setCommitPosition(record.position.toString())
    .setPreparePosition(record.position.toString())
    .setData(record.data)
    .setCustomMetadata(record.customMetadata);
  recorded
    .getMetadataMap()
    .set('type', record.type)
    .set('created', record.created.toString())
    .set('content-type', record.contentType);
  return new ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(record.position.toString());
}
