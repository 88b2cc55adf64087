// A steady, open-loop command rate over HTTP. Runs in the client worker thread (client-worker.ts),
// so it imports nothing of the product.
import { Agent, request } from 'node:http';
import { addProvisionBody, agreementCommandsPath, benchAgreementId, draftAgreementBody } from './http-commands';
import { runTag, sleep, wallClock } from './util';

/** What the server answered to one accepted command (the AppendResult of the contract). */
export interface AcceptedResult {
  streamId: string;
  revision: number;
  position: string;
  events: Array<{ eventId: string; type: string; revision: number; position: string }>;
}

export interface Accepted {
  result: AcceptedResult;
  /** wallClock() when the 201 response had been read. */
  at: number;
  /** Sent after the warm-up: counts in the figures. */
  measured: boolean;
}

export interface PacedLoadResult {
  sent: number;
  accepted: number;
  failed: number;
  statuses: Record<string, number>;
  /** Accepted per second over the measured period. */
  achievedRate: number;
  /** Commands that fell due while `maxBacklog` were already waiting: not sent (the server was behind). */
  shed: number;
  /** Request latencies (ms) of the measured period. */
  latencies: number[];
}

/** Requests waiting for an answer beyond which due commands are shed (PacedLoadOptions.maxBacklog). */
export const DEFAULT_MAX_BACKLOG = 5000;

export interface PacedLoadOptions {
  base: string;
  token: string;
  /** Commands per second, sent on schedule whether or not earlier ones were answered (open loop). */
  rate: number;
  warmupMs: number;
  durationMs: number;
  /** AddProvision commands per agreement before a lane drafts the next one. Default 20. */
  provisionsPerAgreement?: number;
  /**
   * At most this many requests waiting for an answer (default 5,000): an open loop against a
   * server that cannot keep up would otherwise queue requests until this thread runs out of heap
   * (a 30-minute soak did, at 24 minutes). What falls due beyond it is counted as shed.
   */
  maxBacklog?: number;
}

interface Lane {
  agreementId: string;
  agreementNumber: number;
  next: number;
}

/**
 * DraftAgreement then AddProvisions, one request in flight per agreement (a "lane"); a new lane
 * opens whenever every lane is busy, so the schedule never waits for answers.
 */
export async function pacedCommands(
  options: PacedLoadOptions,
  onAccepted: (accepted: Accepted) => void,
): Promise<PacedLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const url = new URL(options.base);
  const perAgreement = options.provisionsPerAgreement ?? 20;
  const tag = runTag();
  const idle: Lane[] = [];
  let agreements = 0;
  const newLane = (): Lane => {
    agreements += 1;
    return { agreementId: benchAgreementId(tag, agreements), agreementNumber: agreements, next: 0 };
  };
  const result: PacedLoadResult = { sent: 0, accepted: 0, failed: 0, statuses: {}, achievedRate: 0, shed: 0, latencies: [] };
  let inFlight = 0;
  let measuredAccepted = 0;

  const send = (measured: boolean) => {
    const lane = idle.pop() ?? newLane();
    const body = JSON.stringify(
      lane.next === 0 ? draftAgreementBody(lane.agreementNumber) : addProvisionBody(lane.next),
    );
    const sentAt = wallClock();
    inFlight += 1;
    result.sent += 1;
    const finish = (status: number, text: string) => {
      inFlight -= 1;
      result.statuses[status] = (result.statuses[status] ?? 0) + 1;
      if (status === 201) {
        const at = wallClock();
        result.accepted += 1;
        if (measured) {
          measuredAccepted += 1;
          result.latencies.push(at - sentAt);
        }
        lane.next += 1;
        if (lane.next > perAgreement) Object.assign(lane, newLane());
        idle.push(lane);
        onAccepted({ result: JSON.parse(text) as AcceptedResult, at, measured });
      } else {
        result.failed += 1;
        // Leave that agreement: later commands on it would fail for the same reason.
        Object.assign(lane, newLane());
        idle.push(lane);
      }
    };
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: agreementCommandsPath(lane.agreementId),
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${options.token}`,
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => finish(res.statusCode ?? 0, text));
      },
    );
    req.on('error', () => finish(0, ''));
    req.end(body);
  };

  const started = wallClock();
  const measureFrom = started + options.warmupMs;
  const end = measureFrom + options.durationMs;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const t = wallClock();
      const due = Math.floor(((Math.min(t, end) - started) * options.rate) / 1000);
      const maxBacklog = options.maxBacklog ?? DEFAULT_MAX_BACKLOG;
      while (result.sent + result.shed < due) {
        if (inFlight >= maxBacklog) result.shed += 1;
        else send(t >= measureFrom);
      }
      if (t >= end) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  const deadline = wallClock() + 15_000;
  while (inFlight > 0 && wallClock() < deadline) await sleep(5);
  agent.destroy();
  result.achievedRate = measuredAccepted / (options.durationMs / 1000);
  return result;
}
