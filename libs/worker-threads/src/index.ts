export { WorkerThread, type RequestOptions, type StartThreadOptions } from './worker-thread';
export type { AnyThreadBody, DataOf, EventOf, ReplyOf, RequestOf } from './thread-body';
export { threadBody, type ThreadBody, type ThreadContext, type ThreadService } from './thread-body';
