// The messages between a WorkerThread (the starting side) and serveThread (inside the thread).

/** An error as it crosses the thread boundary (structured clone keeps no class, and not every property). */
export interface ThreadError {
  name: string;
  message: string;
  stack?: string;
  code?: unknown;
}

export type ToThread = { kind: 'request'; id: number; body: unknown } | { kind: 'stop' };

export type FromThread =
  | { kind: 'ready' }
  | { kind: 'failed'; error: ThreadError }
  | { kind: 'reply'; id: number; body: unknown }
  | { kind: 'reply'; id: number; error: ThreadError }
  | { kind: 'event'; body: unknown }
  | { kind: 'stopped'; error?: ThreadError };

/** What the thread's first module (thread-entry) receives as workerData. */
export interface ThreadStart {
  /** Absolute path of the module holding the body, without extension. */
  module: string;
  /** The name it exports the body under. */
  export: string;
  data: unknown;
}

export function toThreadError(error: unknown): ThreadError {
  if (error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)) {
    const e = error as Error & { code?: unknown };
    return { name: String(e.name ?? 'Error'), message: String(e.message), stack: e.stack, code: e.code };
  }
  return { name: 'Error', message: String(error) };
}

/**
 * The error again on this side: its message prefixed with the thread's name (so a log line says
 * where it happened), its name and code kept, and the thread's stack frames after this message.
 */
export function fromThreadError(threadName: string, error: ThreadError): Error {
  const rebuilt = new Error(`${threadName}: ${error.message}`);
  rebuilt.name = error.name;
  if (error.code !== undefined) (rebuilt as Error & { code?: unknown }).code = error.code;
  const frames = error.stack?.split('\n').filter((line) => line.trimStart().startsWith('at '));
  if (frames && frames.length > 0) rebuilt.stack = `${rebuilt.name}: ${rebuilt.message}\n${frames.join('\n')}`;
  return rebuilt;
}
