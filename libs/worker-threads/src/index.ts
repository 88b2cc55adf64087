export { WorkerThread, type RequestOptions, type StartThreadOptions } from './worker-thread';
export { threadBody, type ThreadBody, type ThreadContext, type ThreadService } from './thread-body';
