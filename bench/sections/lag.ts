// Section 4: how long after its 201 a command is visible in the read models, at a steady rate.
import { startClient } from '../lib/client';
import { startInProcessApi } from '../lib/in-process-api';
import { BENCH_TOKEN } from '../lib/processes';
import { below, exactlyZero, type Report } from '../lib/report';
import {
  delaysUntilCovered,
  formatNumber,
  progress,
  type Scope,
  sleep,
  summarize,
  wallClock,
  watchEventLoop,
} from '../lib/util';

export interface LagSizes {
  rate: number;
  durationMs: number;
  warmupMs: number;
}

export const lagSizes = (quick: boolean): LagSizes =>
  quick ? { rate: 1000, durationMs: 4000, warmupMs: 1000 } : { rate: 1000, durationMs: 10_000, warmupMs: 2000 };

/**
 * The API with its projector in this process (main thread), the paced load in a worker thread.
 * Per command: from the moment the client had read its 201 until the projector committed a batch
 * whose checkpoint covers the command's position (Projector.onApplied, right after the commit).
 */
export async function runLagSection(scope: Scope, report: Report, sizes: LagSizes): Promise<void> {
  progress('starting the API in this process (createRuntime + createHttpApp, embedded stores, projector)');
  const api = await startInProcessApi(scope);
  const store = api.runtime.eventStore;
  const applied: Array<{ position: string; at: number }> = [];
  api.projector.onApplied((batch) => {
    if (batch.checkpoint !== undefined) applied.push({ position: batch.checkpoint, at: wallClock() });
  });

  progress(
    `${formatNumber(sizes.rate)} commands/s from a worker thread: ${sizes.warmupMs / 1000} s warm-up + ${sizes.durationMs / 1000} s measured`,
  );
  const eventLoop = watchEventLoop();
  const client = startClient(scope, {
    load: {
      base: api.base,
      token: BENCH_TOKEN,
      rate: sizes.rate,
      warmupMs: sizes.warmupMs,
      durationMs: sizes.durationMs,
    },
  });
  const { result: load, accepted } = await client.loadDone;
  const loopDelay = eventLoop();
  await client.stop();
  const measured = accepted.filter((a) => a.measured).map((a) => ({ position: a.result.position, at: a.at }));
  const compare = (a: string, b: string) => store.comparePositions(a, b);
  const deadline = Date.now() + 10_000;
  while (delaysUntilCovered(measured, applied, compare).uncovered > 0 && Date.now() < deadline) await sleep(20);
  const { delays, uncovered } = delaysUntilCovered(measured, applied, compare);
  const lag = summarize(delays);
  const http = summarize(load.latencies);
  const batches = applied.length;
  progress(
    `${formatNumber(load.accepted)} accepted, ${formatNumber(batches)} projector batches, ${uncovered} not applied within 10 s`,
  );

  report.add({
    section: 'lag',
    label: 'commands accepted during the measured period',
    value: load.achievedRate,
    unit: 'commands/s',
    rate: true,
    detail: `${load.achievedRate < sizes.rate * 0.95 ? 'BELOW THE OFFERED RATE, so the lag is not measured at the intended load; ' : ''}open loop, ${formatNumber(sizes.rate)}/s offered for ${sizes.durationMs / 1000} s after ${sizes.warmupMs / 1000} s warm-up; HTTP latency p50 ${http.p50.toFixed(1)} ms, p99 ${http.p99.toFixed(1)} ms`,
  });
  report.add({
    section: 'lag',
    label: 'projection lag p50 (201 → read-model checkpoint covers it)',
    value: lag.p50,
    unit: 'ms',
    rate: false,
    detail: `${formatNumber(lag.count)} commands; checkpoint times from Projector.onApplied, right after each batch committed`,
  });
  report.add({
    section: 'lag',
    label: 'projection lag p99',
    value: lag.p99,
    unit: 'ms',
    rate: false,
    target: below(100, 'ms'),
    detail: `max ${lag.max.toFixed(1)} ms; ${formatNumber(batches)} projector batches in the run (${(load.accepted / Math.max(1, batches)).toFixed(1)} events each); API thread ${loopDelay}`,
  });
  report.add({
    section: 'lag',
    label: 'failed commands or never applied',
    value: load.failed + uncovered,
    unit: 'commands',
    rate: false,
    target: exactlyZero,
    detail: `HTTP statuses ${JSON.stringify(load.statuses)}; not applied within 10 s after the load: ${uncovered}`,
  });
}
