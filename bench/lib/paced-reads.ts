// A steady, open-loop read rate over HTTP, mixed into a command load (the soak). Runs in the
// client worker thread, so it imports nothing of the product.
import { Agent, request } from 'node:http';
import { sleep, wallClock } from './util';

export interface PacedReadsOptions {
  base: string;
  token: string;
  /** Reads per second, alternating a list page and one agreement. */
  rate: number;
}

export interface PacedReadsResult {
  sent: number;
  statuses: Record<string, number>;
  latencies: number[];
}

/**
 * Until `stopped()` says so: a page of 100 agreements, then the agreement last written to
 * (`latestAgreementId()`), in turn, on schedule whether or not earlier reads were answered.
 */
export async function pacedReads(
  options: PacedReadsOptions,
  latestAgreementId: () => string | undefined,
  stopped: () => boolean,
): Promise<PacedReadsResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const url = new URL(options.base);
  const result: PacedReadsResult = { sent: 0, statuses: {}, latencies: [] };
  let inFlight = 0;
  const send = () => {
    const id = latestAgreementId();
    const path = result.sent % 2 === 0 || id === undefined ? '/v1/agreements?limit=100' : `/v1/agreements/${id}`;
    const sentAt = wallClock();
    inFlight += 1;
    result.sent += 1;
    const finish = (status: number) => {
      inFlight -= 1;
      result.statuses[status] = (result.statuses[status] ?? 0) + 1;
      result.latencies.push(wallClock() - sentAt);
    };
    const req = request(
      { agent, host: url.hostname, port: url.port, method: 'GET', path, headers: { authorization: `Bearer ${options.token}` } },
      (res) => {
        res.resume();
        res.on('end', () => finish(res.statusCode ?? 0));
      },
    );
    req.on('error', () => finish(0));
    req.end();
  };
  const started = wallClock();
  while (!stopped()) {
    const due = Math.floor(((wallClock() - started) * options.rate) / 1000);
    while (result.sent < due) send();
    await sleep(5);
  }
  const deadline = wallClock() + 15_000;
  while (inFlight > 0 && wallClock() < deadline) await sleep(5);
  agent.destroy();
  return result;
}
