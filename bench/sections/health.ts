// Section 8: health probes while /v1 is busy. The built server (npm start) with OPS_PORT; a burst
// of 500-item list pages (133/s, the rate that made /health/live take about a second before the
// operations listener had a thread of its own), with /health/live probed on PORT and on OPS_PORT.
import { draftAgreementBody, agreementCommandsPath, benchAgreementId } from '../lib/http-commands';
import { BENCH_TOKEN, startApiServer } from '../lib/processes';
import { below, type Report } from '../lib/report';
import { formatNumber, freePort, progress, runTag, type Scope, sleep, summarize } from '../lib/util';

export interface HealthSizes {
  agreements: number;
  pagesPerSecond: number;
  pageSize: number;
  durationMs: number;
}

export const healthSizes = (quick: boolean): HealthSizes => ({ agreements: 600, pagesPerSecond: 133, pageSize: 500, durationMs: quick ? 4000 : 10_000 });

export async function runHealthSection(scope: Scope, report: Report, sizes: HealthSizes): Promise<void> {
  const opsPort = await freePort();
  const server = await startApiServer(scope, { OPS_PORT: String(opsPort) });
  const headers = { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' };
  const tag = runTag();
  progress(`drafting ${sizes.agreements} agreements, so that each page holds ${sizes.pageSize}`);
  let next = 0;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (next < sizes.agreements) {
        next += 1;
        const response = await fetch(`${server.base}${agreementCommandsPath(benchAgreementId(tag, next))}`, {
          method: 'POST',
          headers,
          body: JSON.stringify(draftAgreementBody(next)),
        });
        if (response.status !== 201) throw new Error(`drafting answered ${response.status}: ${await response.text()}`);
      }
    }),
  );
  await sleep(1000);

  progress(`${sizes.pagesPerSecond} pages of ${sizes.pageSize}/s for ${sizes.durationMs / 1000} s, /health/live probed every 100 ms on PORT and OPS_PORT`);
  const probes = { port: [] as number[], ops: [] as number[] };
  const time = async (url: string) => {
    const started = performance.now();
    await (await fetch(url)).arrayBuffer();
    return performance.now() - started;
  };
  let stop = false;
  const probing = (async () => {
    while (!stop) {
      const [viaPort, viaOps] = await Promise.all([time(`${server.base}/health/live`), time(`http://127.0.0.1:${opsPort}/health/live`)]);
      probes.port.push(viaPort);
      probes.ops.push(viaOps);
      await sleep(100);
    }
  })();
  let sent = 0;
  let answered = 0;
  const statuses: Record<string, number> = {};
  const started = performance.now();
  while (performance.now() - started < sizes.durationMs) {
    const due = Math.floor(((performance.now() - started) * sizes.pagesPerSecond) / 1000);
    while (sent < due) {
      sent += 1;
      void fetch(`${server.base}/v1/agreements?limit=${sizes.pageSize}`, { headers })
        .then(async (r) => {
          await r.arrayBuffer();
          statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        })
        .catch(() => (statuses.error = (statuses.error ?? 0) + 1))
        .finally(() => (answered += 1));
    }
    await sleep(5);
  }
  while (answered < sent) await sleep(20);
  const burstSeconds = (performance.now() - started) / 1000;
  stop = true;
  await probing;

  const viaPort = summarize(probes.port);
  const viaOps = summarize(probes.ops);
  const burst = `${formatNumber(sent)} pages sent, all answered after ${burstSeconds.toFixed(1)} s, statuses ${JSON.stringify(statuses)}`;
  report.add({
    section: 'health',
    label: '/health/live on OPS_PORT (own thread) p99 during the burst',
    value: viaOps.p99,
    unit: 'ms',
    rate: false,
    target: below(100, 'ms'),
    detail: `p50 ${viaOps.p50.toFixed(1)} ms, max ${viaOps.max.toFixed(1)} ms, ${viaOps.count} probes; ${burst}`,
  });
  report.add({
    section: 'health',
    label: '/health/live on PORT (beside /v1) p99 during the burst',
    value: viaPort.p99,
    unit: 'ms',
    rate: false,
    detail: `p50 ${viaPort.p50.toFixed(1)} ms, max ${viaPort.max.toFixed(1)} ms, ${viaPort.count} probes: queued with /v1 on the main event loop, which is why OPS_PORT exists`,
  });
}
