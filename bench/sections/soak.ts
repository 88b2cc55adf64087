// Section 7 (only when asked for: `npm run bench -- --only soak`): the server as `npm start` runs
// it, with the relay publishing to a real broker, under 1,000 commands/s with reads mixed in for
// a long time (30 minutes by default, `--soak-minutes N`). Resident memory, event-loop delay,
// projection lag and relay lag are sampled from the server's /metrics; after the warm-up none may
// grow by more than 10% (the median of the last quarter against the first).
import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { startClient } from '../lib/client';
import { DEFAULT_MAX_BACKLOG } from '../lib/paced-load';
import { BENCH_TOKEN, startApiServer } from '../lib/processes';
import { exactlyZero, type Report, type Target } from '../lib/report';
import { formatNumber, progress, runTag, type Scope, sleep, summarize } from '../lib/util';
import { brokers } from './relay';

export interface SoakSizes {
  minutes: number;
  commandRate: number;
  readRate: number;
  keepKafka: boolean;
}

/** 1,000 commands/s and a fifth as many reads unless asked for another rate (--soak-rate). */
export const soakSizes = (minutes: number, keepKafka: boolean, commandRate = 1000): SoakSizes => ({
  minutes,
  commandRate,
  readRate: Math.max(1, Math.round(commandRate / 5)),
  keepKafka,
});

/** What is sampled, and below which change it is noise rather than growth (values near zero). */
const SERIES = [
  { key: 'rssMiB', label: 'resident memory', unit: 'MiB', metric: 'agreements_process_resident_memory_bytes', scale: 1 / 2 ** 20, floor: 5 },
  { key: 'loopP99Ms', label: 'event-loop delay p99', unit: 'ms', metric: 'agreements_nodejs_eventloop_lag_p99_seconds', scale: 1000, floor: 5 },
  { key: 'projectionLagMs', label: 'projection lag', unit: 'ms', metric: 'agreements_projection_lag_milliseconds', scale: 1, floor: 25 },
  { key: 'relayLagMs', label: 'relay lag', unit: 'ms', metric: 'agreements_relay_lag_seconds', scale: 1000, floor: 25 },
] as const;

type SeriesKey = (typeof SERIES)[number]['key'];
type Sample = { atS: number } & Record<SeriesKey, number>;

const flat: Target = { text: '≤ 10% growth after warm-up', met: (v) => v <= 10 };

function metricValue(text: string, name: string): number {
  const match = new RegExp(`^${name} ([-0-9.e+]+)`, 'm').exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

/**
 * Resident memory by kind (Linux): anonymous (heaps, malloc: what a leak grows) against file pages
 * (SQLite's memory-mapped reads, code), which the kernel takes back under pressure.
 */
function residentSplit(pid: number | undefined): string {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return `anonymous ${(kib('RssAnon') / 1024).toFixed(0)}, file ${(kib('RssFile') / 1024).toFixed(0)} MiB`;
  } catch {
    return 'no /proc';
  }
}

/**
 * The middle value: a quarter's level without its spikes. Event-loop p99 and relay lag swing by a
 * factor of ten from one sample to the next on a busy loop, so one spike in a quarter's mean read
 * as growth; a leak or a queue that keeps growing moves the median too.
 */
export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Growth from the first quarter after the warm-up to the last quarter (their medians), in percent of the first;
 * 0 when the change is under the series' noise floor (a lag going from 2 to 4 ms is not growth).
 */
export function growthPercent(first: number, last: number, floor: number): number {
  if (last - first <= floor) return 0;
  return ((last - first) / Math.max(first, floor)) * 100;
}

export async function runSoakSection(scope: Scope, report: Report, sizes: SoakSizes): Promise<void> {
  const brokerList = await brokers(scope, sizes.keepKafka);
  const prefix = `bench-soak-${runTag()}.`;
  const kafka = new Kafka({ clientId: 'agreements-bench-soak', brokers: brokerList.split(','), logLevel: logLevel.NOTHING });
  scope.defer(`delete the soak's topics (${prefix}*)`, async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const ours = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
      if (ours.length > 0) await admin.deleteTopics({ topics: ours, timeout: 10_000 });
    } finally {
      await admin.disconnect();
    }
  });
  progress('starting the built server as npm start runs it (projector thread, relay to Kafka)');
  const server = await startApiServer(scope, { KAFKA_BROKERS: brokerList, KAFKA_TOPIC_PREFIX: prefix });

  const durationMs = sizes.minutes * 60_000;
  // The warm-up is the time the process's bounded caches take to fill (docs/architecture.md,
  // "Memory budget"): at 1,000 commands/s the last of them (stream heads, partitions, SQLite page
  // caches) should be full after about 4 minutes, going by how fast they filled at 250-300/s
  // (docs/benchmarks.md), so growth before that is filling, not a leak. With two minutes the first
  // quarter was judged while they filled. A 30-minute soak still judges 25 minutes.
  const warmupMs = Math.min(300_000, durationMs / 6);
  const sampleEveryMs = Math.max(5000, Math.round(durationMs / 120));
  progress(
    `${formatNumber(sizes.commandRate)} commands/s and ${formatNumber(sizes.readRate)} reads/s for ${sizes.minutes} min (${warmupMs / 1000} s warm-up), sampling /metrics every ${sampleEveryMs / 1000} s`,
  );
  const client = startClient(scope, {
    load: { base: server.base, token: BENCH_TOKEN, rate: sizes.commandRate, warmupMs, durationMs: durationMs - warmupMs },
    reads: { rate: sizes.readRate },
    keepAccepted: false,
  });

  const samples: Sample[] = [];
  const started = Date.now();
  let loadOver = false;
  void client.loadDone.finally(() => (loadOver = true));
  while (!loadOver) {
    await sleep(sampleEveryMs);
    if (loadOver) break;
    let text: string;
    try {
      text = await (await fetch(`${server.base}/metrics`, { signal: AbortSignal.timeout(30_000) })).text();
    } catch (error) {
      // Say why: the server's own last words (a crash) matter more than fetch's.
      const exited = server.child.exitCode ?? server.child.signalCode;
      throw new Error(
        `/metrics did not answer (${(error as Error).message}${exited === null ? '' : `; the server exited with ${exited}`}); server output: ${server.output().trim().split('\n').slice(-20).join('\n')}`,
      );
    }
    const sample = { atS: Math.round((Date.now() - started) / 1000) } as Sample;
    for (const series of SERIES) sample[series.key] = metricValue(text, series.metric) * series.scale;
    samples.push(sample);
    progress(
      `${sample.atS} s: RSS ${sample.rssMiB.toFixed(0)} MiB (${residentSplit(server.child.pid)}; main heap ${(metricValue(text, 'agreements_nodejs_heap_size_used_bytes') / 2 ** 20).toFixed(0)} of ${(metricValue(text, 'agreements_nodejs_heap_size_total_bytes') / 2 ** 20).toFixed(0)} MiB), loop p99 ${sample.loopP99Ms.toFixed(1)} ms, projection lag ${sample.projectionLagMs.toFixed(0)} ms, relay lag ${sample.relayLagMs.toFixed(0)} ms`,
    );
  }
  const { result: load, reads } = await client.loadDone;
  await client.stop();

  const measured = samples.filter((s) => s.atS * 1000 >= warmupMs);
  const quarter = Math.max(1, Math.floor(measured.length / 4));
  const http = summarize(load.latencies);
  const readLatency = summarize(reads?.latencies ?? []);
  report.add({
    section: 'soak',
    label: 'commands accepted after the warm-up',
    value: load.achievedRate,
    unit: 'commands/s',
    rate: true,
    detail: `${load.shed > 0 ? `${formatNumber(load.shed)} commands not sent, ${formatNumber(DEFAULT_MAX_BACKLOG)} already waiting for an answer; ` : ''}${load.achievedRate < sizes.commandRate * 0.95 ? 'BELOW THE OFFERED RATE: the server fell behind, requests queued, and the figures below measure that backlog rather than a steady state; ' : ''}${formatNumber(sizes.commandRate)}/s offered for ${sizes.minutes} min; p50 ${http.p50.toFixed(1)} ms, p99 ${http.p99.toFixed(1)} ms; reads ${formatNumber(reads?.sent ?? 0)} (${formatNumber(sizes.readRate)}/s offered: a page of 100 agreements and one agreement in turn), p50 ${readLatency.p50.toFixed(1)} ms, p99 ${readLatency.p99.toFixed(1)} ms`,
  });
  // A read of the agreement last written may come before the projector applied it: a 404 there is
  // the read models' eventual consistency (no Min-Position asked), not a failure.
  const readFailures = Object.entries(reads?.statuses ?? {}).filter(([status]) => status !== '200' && status !== '404');
  report.add({
    section: 'soak',
    label: 'failed commands and reads',
    value: load.failed + readFailures.reduce((sum, [, n]) => sum + n, 0),
    unit: 'requests',
    rate: false,
    target: exactlyZero,
    detail: `commands ${JSON.stringify(load.statuses)}, reads ${JSON.stringify(reads?.statuses ?? {})} (a 404 is an agreement read before the projector applied its drafting: not counted)`,
  });
  for (const series of SERIES) {
    const values = measured.map((s) => s[series.key]).filter((v) => Number.isFinite(v));
    if (values.length < 2) {
      report.add({ section: 'soak', label: `${series.label} growth`, value: Number.NaN, unit: '%', rate: false, target: flat, detail: `${values.length} samples of ${series.metric}: too few to judge` });
      continue;
    }
    const first = median(values.slice(0, quarter));
    const last = median(values.slice(-quarter));
    const every = Math.max(1, Math.floor(values.length / 10));
    const series10 = values.filter((_, i) => i % every === 0).map((v) => v.toFixed(series.unit === 'MiB' ? 0 : 1));
    report.add({
      section: 'soak',
      label: `${series.label} growth after warm-up`,
      value: growthPercent(first, last, series.floor),
      unit: '%',
      rate: false,
      target: flat,
      detail: `median of the first quarter ${first.toFixed(1)} ${series.unit}, of the last ${last.toFixed(1)} ${series.unit} (changes under ${series.floor} ${series.unit} count as 0); ${values.length} samples, every ${sampleEveryMs / 1000} s: ${series10.join(', ')}`,
    });
  }
  progress(`server output (last lines): ${server.output().trim().split('\n').slice(-3).join(' | ') || 'none'}`);
}
