/** What a thread body can do besides answering requests. */
export interface ThreadContext<Event> {
  /** Sends a message of the thread's own accord (a log line, say): WorkerThread's onEvent gets it. */
  emit(event: Event): void;
}

/** A running body: answers requests until it is stopped. */
export interface ThreadService<Request, Reply> {
  handle(request: Request): Reply | Promise<Reply>;
  /** Releases what open() took (connections, timers), so that the thread can end. */
  close?(): void | Promise<void>;
}

/**
 * The code a thread runs, exported by a module that WorkerThread.start names. open() runs once in
 * the thread, with the data the thread was started with; its service then answers every request.
 */
export interface ThreadBody<Data, Request, Reply, Event = never> {
  /**
   * Requests are handled one at a time, in the order they were sent (their replies come in that
   * order too), for a body whose answers depend on the requests before. Otherwise an async
   * handle() may run for several requests at once.
   */
  ordered?: boolean;
  open(
    data: Data,
    thread: ThreadContext<Event>,
  ): ThreadService<Request, Reply> | Promise<ThreadService<Request, Reply>>;
}

/** Declares a thread body (an identity function: it lets TypeScript infer the body's types). */
export function threadBody<Data, Request, Reply, Event = never>(
  body: ThreadBody<Data, Request, Reply, Event>,
): ThreadBody<Data, Request, Reply, Event> {
  return body;
}

export type AnyThreadBody = ThreadBody<any, any, any, any>;
export type DataOf<B> = B extends ThreadBody<infer D, any, any, any> ? D : never;
export type RequestOf<B> = B extends ThreadBody<any, infer Q, any, any> ? Q : never;
export type ReplyOf<B> = B extends ThreadBody<any, any, infer R, any> ? R : never;
export type EventOf<B> = B extends ThreadBody<any, any, any, infer E> ? E : never;
