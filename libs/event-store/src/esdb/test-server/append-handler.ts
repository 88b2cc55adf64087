import * as grpc from '@grpc/grpc-js';
import { AppendResp, type AppendReq } from '@eventstore/db-client/generated/streams_pb';
import { checkCommit } from './check-commit';
import type { InMemoryEsdbState } from './in-memory-state';
import { invalidArgument, missingMetadata, statusOf } from './rpc-errors';
import type { AppendCall, ServerContext } from './server-context';
import { expectedVersionOf, streamNameOf, success, uuidToString, wrongExpectedVersion } from './wire';

/** `Streams.Append`: the options message, then the proposed messages; answered once the client ends its side. */
export function handleAppend(context: ServerContext, call: AppendCall, callback: grpc.sendUnaryData<AppendResp>): void {
  context.openCalls.add(call);
  const record = context.calls.start('append');
  const messages: AppendReq[] = [];
  let answered = false;
  const answer = (error: Partial<grpc.StatusObject> | null, response?: AppendResp) => {
    if (answered) return;
    answered = true;
    context.openCalls.delete(call);
    context.calls.end(record);
    callback(error, response);
  };
  call.on('data', (message: AppendReq) => {
    const identifier = messages.length === 0 ? message.getOptions()?.getStreamIdentifier() : undefined;
    if (identifier) record.stream = streamNameOf(identifier);
    messages.push(message);
  });
  call.on('error', (error: Partial<grpc.StatusObject>) =>
    answer({ code: error.code ?? grpc.status.CANCELLED, details: error.details ?? 'Call cancelled' }),
  );
  const decide = () => {
    if (answered) return;
    try {
      answer(null, decideAppend(context.state, messages));
    } catch (error) {
      answer(statusOf(error));
    }
  };
  // With a latency, the write happens when the answer leaves, as if the request had travelled that long.
  call.on('end', () => (context.latencyMs > 0 ? setTimeout(decide, context.latencyMs) : decide()));
}

function decideAppend(state: InMemoryEsdbState, messages: AppendReq[]): AppendResp {
  const [header, ...proposed] = messages;
  const options = header?.getOptions();
  if (!options) throw invalidArgument('the first message of an append must be its options');
  const streamName = streamNameOf(options.getStreamIdentifier());
  const expected = expectedVersionOf(options);

  const events = proposed.map((message) => {
    const proposedMessage = message.getProposedMessage();
    if (!proposedMessage) throw invalidArgument('after the options, an append carries proposed messages only');
    const metadata = proposedMessage.getMetadataMap();
    const type = metadata.get('type');
    if (type === undefined) throw missingMetadata('type');
    const contentType = metadata.get('content-type');
    if (contentType === undefined) throw missingMetadata('content-type');
    const eventId = uuidToString(proposedMessage.getId());
    if (!eventId) throw invalidArgument('a proposed message needs an id');
    return {
      eventId,
      type,
      contentType: contentType === 'application/json' ? 'application/json' : 'application/octet-stream',
      data: proposedMessage.getData_asU8(),
      customMetadata: proposedMessage.getCustomMetadata_asU8(),
    };
  });

  const decision = checkCommit(
    state,
    streamName,
    expected,
    events.map((event) => event.eventId),
  );
  const response = new AppendResp();
  switch (decision.decision) {
    case 'wrong_expected_version': {
      response.setWrongExpectedVersion(wrongExpectedVersion(expected, decision.currentVersion));
      return response;
    }
    case 'idempotent': {
      const last = state.recordAt(streamName, decision.lastRevision);
      response.setSuccess(success(decision.lastRevision, last?.position));
      return response;
    }
    case 'ok': {
      const written = state.write(streamName, events);
      const last = written.at(-1);
      response.setSuccess(success(state.lastRevision(streamName), last?.position));
      return response;
    }
  }
}
