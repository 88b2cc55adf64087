import * as grpc from '@grpc/grpc-js';

/** A failure to answer with a gRPC status (the handlers throw it; the call ends with it). */
export class RpcError extends Error {
  constructor(readonly status: Partial<grpc.StatusObject>) {
    super(status.details);
  }
}

/** The status a handler's error ends its call with. */
export function statusOf(error: unknown): Partial<grpc.StatusObject> {
  return error instanceof RpcError ? error.status : { code: grpc.status.UNKNOWN, details: String(error) };
}

export function invalidArgument(details: string): RpcError {
  return new RpcError({ code: grpc.status.INVALID_ARGUMENT, details });
}

export function missingMetadata(property: string): RpcError {
  const metadata = new grpc.Metadata();
  metadata.set('exception', 'missing-required-metadata-property');
  metadata.set('required-metadata-properties', property);
  return new RpcError({
    code: grpc.status.INVALID_ARGUMENT,
    details: `Required metadata property ${property} is missing`,
    metadata,
  });
}
