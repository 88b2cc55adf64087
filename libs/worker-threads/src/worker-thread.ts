import { join } from 'node:path';
import { type ResourceLimits, Worker } from 'node:worker_threads';
import { type FromThread, fromThreadError, type ThreadStart, type ToThread } from './protocol';
import type { AnyThreadBody, DataOf, EventOf, ReplyOf, RequestOf } from './thread-body';

export interface StartThreadOptions<Data, Event> {
  /**
   * The module exporting the body, as an absolute path without extension, e.g.
   * join(__dirname, 'status-thread-body'): its .ts source under tests, its .js from dist/.
   */
  module: string;
  /** The name the module exports the body (a ThreadBody) under. */
  export: string;
  /** Handed to the body's open(): plain data (it is cloned). */
  data: Data;
  /** Names the thread in its errors ("materializing thread: ..."). */
  name: string;
  /** Messages the thread sends of its own accord (ThreadContext.emit). */
  onEvent?: (event: Event) => void;
  /**
   * The thread ended without being asked to (an uncaught error, an exit, a failed start): called
   * once, with why. Requests waiting then fail with the same error. A stop() is never a crash.
   */
  onCrash?: (error: Error) => void;
  /** Let the process exit while the thread still runs (default: the thread keeps it alive). */
  unref?: boolean;
  /** The thread's heap limits (node:worker_threads ResourceLimits); default: Node's. */
  resourceLimits?: ResourceLimits;
}

export interface RequestOptions {
  /** Fail the request when the thread has not answered within this time. */
  timeoutMs?: number;
}

interface Waiting {
  resolve(reply: unknown): void;
  reject(error: Error): void;
}

const FROM_SOURCES = __filename.endsWith('.ts');
/** Compiles the sources in the thread (tests); threads started from dist/ need nothing. */
const SWC_REGISTER = join(__dirname, 'swc-register.js');

/**
 * A module's body run on a worker thread: request/reply by id (replies may come in any order;
 * an ordered body answers in request order), errors thrown by the body rejected here as errors,
 * a stop that lets accepted requests finish and closes the body, and a crash reported once to
 * onCrash. The thread starts from thread-entry: the compiled .js from dist/, or the .ts source
 * under the swc hook of this lib when this code itself runs from its sources (jest).
 */
export class WorkerThread<Request, Reply, Event = never> {
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private stopping = false;
  private exited = false;
  private failure_: Error | undefined;
  private readonly started: Promise<void>;
  /** Settles when the thread has ended, with the error its body's close() threw, if any. */
  private readonly stopped: Promise<Error | undefined>;
  private markStarted!: (error?: Error) => void;
  private markStopped!: (error: Error | undefined) => void;

  private constructor(
    private readonly worker: Worker,
    private readonly options: StartThreadOptions<unknown, Event>,
  ) {
    this.started = new Promise<void>((resolve, reject) => {
      this.markStarted = (error) => (error ? reject(error) : resolve());
    });
    // Nobody may be waiting for the start: its failure is reported through onCrash.
    this.started.catch(() => undefined);
    this.stopped = new Promise((resolve) => (this.markStopped = resolve));
    worker.on('message', (message: FromThread) => this.receive(message));
    worker.on('error', (error) => this.crash(error));
    worker.on('exit', (code) => {
      this.exited = true;
      if (!this.stopping) this.crash(new Error(`${options.name} exited (code ${code})`));
      this.failWaiting(this.failure_ ?? new Error(`${options.name} stopped`));
      this.markStopped(undefined);
    });
    if (options.unref) worker.unref();
  }

  /** Starts the thread; requests may be sent at once (they wait for the body to open). */
  static start<Body extends AnyThreadBody>(
    options: StartThreadOptions<DataOf<Body>, EventOf<Body>>,
  ): WorkerThread<RequestOf<Body>, ReplyOf<Body>, EventOf<Body>> {
    const workerData: ThreadStart = { module: options.module, export: options.export, data: options.data };
    const entry = join(__dirname, FROM_SOURCES ? 'thread-entry.ts' : 'thread-entry.js');
    const worker = new Worker(entry, {
      workerData,
      execArgv: FROM_SOURCES ? ['-r', SWC_REGISTER] : [],
      resourceLimits: options.resourceLimits,
    });
    return new WorkerThread(worker, options as StartThreadOptions<unknown, EventOf<Body>>);
  }

  /** Resolves once the body is open; rejects if it failed to open or the thread died first. */
  ready(): Promise<void> {
    return this.started;
  }

  /** Why the thread ended without being asked to, if it did. */
  get failure(): Error | undefined {
    return this.failure_;
  }

  /** Requests sent and not answered yet. */
  get pending(): number {
    return this.waiting.size;
  }

  request(request: Request, options: RequestOptions = {}): Promise<Reply> {
    if (this.failure_) return Promise.reject(this.failure_);
    if (this.stopping || this.exited) return Promise.reject(new Error(`${this.options.name} is stopped`));
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.waiting.delete(id);
          reject(new Error(`${this.options.name} did not answer within ${options.timeoutMs} ms`));
        }, options.timeoutMs);
      }
      this.waiting.set(id, {
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply as Reply);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.worker.postMessage({ kind: 'request', id, body: request } satisfies ToThread);
    });
  }

  /**
   * Asks the thread to stop: the requests it accepted are answered, the body closes, and the
   * thread ends. If it has not within timeoutMs, it is terminated. Rejects only when the body's
   * close() threw. Never reported as a crash.
   */
  async stop(options: { timeoutMs?: number } = {}): Promise<void> {
    if (!this.stopping && !this.exited) {
      this.stopping = true;
      const timer = setTimeout(() => void this.worker.terminate(), options.timeoutMs ?? 5_000);
      this.worker.postMessage({ kind: 'stop' } satisfies ToThread);
      void this.stopped.finally(() => clearTimeout(timer));
    }
    this.stopping = true;
    const error = await this.stopped;
    if (error) throw error;
  }

  private receive(message: FromThread): void {
    switch (message.kind) {
      case 'ready':
        this.markStarted();
        break;
      case 'failed':
        this.crash(fromThreadError(`${this.options.name} failed to start`, message.error));
        break;
      case 'reply': {
        const waiting = this.waiting.get(message.id);
        if (!waiting) return;
        this.waiting.delete(message.id);
        if ('error' in message) waiting.reject(fromThreadError(this.options.name, message.error));
        else waiting.resolve(message.body);
        break;
      }
      case 'event':
        this.options.onEvent?.(message.body as Event);
        break;
      case 'stopped':
        // The body is closed and holds nothing: ending the thread now is safe, and spares waiting
        // for whatever else a library left on its event loop.
        this.markStopped(message.error && fromThreadError(`${this.options.name} did not close cleanly`, message.error));
        void this.worker.terminate();
        break;
    }
  }

  private crash(error: Error): void {
    if (this.failure_ || this.stopping) return;
    this.failure_ = error;
    this.markStarted(error);
    this.failWaiting(error);
    this.options.onCrash?.(error);
  }

  private failWaiting(error: Error): void {
    for (const waiting of this.waiting.values()) waiting.reject(error);
    this.waiting.clear();
  }
}
