import type { MessagePort } from 'node:worker_threads';
import { type FromThread, type ThreadStart, type ToThread, toThreadError } from './protocol';
import type { AnyThreadBody, ThreadService } from './thread-body';

/**
 * The thread's side: loads the body, opens it, then answers each request with a reply or an
 * error until asked to stop; stopping lets the requests already accepted finish, closes the
 * body, and says so before the port closes (the thread then ends on its own).
 */
export async function serveThread(port: MessagePort, start: ThreadStart): Promise<void> {
  const send = (message: FromThread) => port.postMessage(message);
  let body: AnyThreadBody;
  let service: ThreadService<unknown, unknown>;
  try {
    body = loadBody(start);
    service = await body.open(start.data, { emit: (event) => send({ kind: 'event', body: event }) });
  } catch (error) {
    send({ kind: 'failed', error: toThreadError(error) });
    port.close();
    return;
  }

  const answer = async (id: number, request: unknown): Promise<void> => {
    let reply: FromThread;
    try {
      reply = { kind: 'reply', id, body: await service.handle(request) };
    } catch (error) {
      reply = { kind: 'reply', id, error: toThreadError(error) };
    }
    try {
      send(reply);
    } catch (error) {
      // A reply that cannot be cloned (a function, say) fails its own request, not the thread.
      send({ kind: 'reply', id, error: toThreadError(error) });
    }
  };

  let queue: Promise<void> = Promise.resolve();
  const inFlight = new Set<Promise<void>>();
  let stopping = false;
  port.on('message', (message: ToThread) => {
    if (stopping) return;
    if (message.kind === 'stop') {
      stopping = true;
      void stop();
      return;
    }
    if (body.ordered) {
      queue = queue.then(() => answer(message.id, message.body));
      return;
    }
    const running = answer(message.id, message.body).finally(() => inFlight.delete(running));
    inFlight.add(running);
  });

  const stop = async (): Promise<void> => {
    await queue;
    await Promise.all(inFlight);
    let failure: unknown;
    try {
      await service.close?.();
    } catch (error) {
      failure = error;
    }
    send(failure === undefined ? { kind: 'stopped' } : { kind: 'stopped', error: toThreadError(failure) });
    port.close();
  };

  send({ kind: 'ready' });
}

function loadBody(start: ThreadStart): AnyThreadBody {
  const exported = (require(start.module) as Record<string, unknown>)[start.export] as AnyThreadBody | undefined;
  if (typeof exported?.open !== 'function')
    throw new Error(`${start.module} exports no thread body named ${start.export}`);
  return exported;
}
