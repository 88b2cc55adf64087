// Section 2: commands through the real server (its own process) under autocannon.
import { addProvisionBody, agreementCommandsPath, benchAgreementId, draftAgreementBody } from '../lib/http-commands';
import { BENCH_TOKEN, startApiServer, startHttpCeilingServer } from '../lib/processes';
import { atLeast, atLeastRatio, atMostRatio, below, exactlyZero, type Report } from '../lib/report';
import { coresText, formatNumber, processCpuSeconds, progress, runTag, type Scope } from '../lib/util';

// autocannon ships no type declarations; this is the part of its API the bench uses.
interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: AutocannonRequest, context: Record<string, any>) => AutocannonRequest;
}
interface AutocannonResult {
  duration: number;
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latency: { p50: number; p99: number; max: number; average: number };
  requests: { total: number; sent: number };
}
const autocannon: (options: Record<string, unknown>) => Promise<AutocannonResult> = require('autocannon');

export const CONNECTIONS = 50;
/** AddProvision commands per agreement before a connection drafts the next one. */
const PROVISIONS_PER_AGREEMENT = 20;

export interface HttpSizes {
  durationS: number;
  warmupS: number;
}

export const httpSizes = (quick: boolean): HttpSizes =>
  quick ? { durationS: 4, warmupS: 1 } : { durationS: 10, warmupS: 3 };

/**
 * Each connection drafts an agreement of its own, adds 20 provisions to it one by one, then drafts
 * the next: every request a distinct commandId, writes spread over ~(commands / 21) agreement
 * streams, and never two requests racing on one stream (pipelining 1).
 */
function commandRequests(tag: string): AutocannonRequest[] {
  let agreements = 0;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_TOKEN}` };
  const draft: AutocannonRequest = {
    method: 'POST',
    headers,
    setupRequest: (request, context) => {
      agreements += 1;
      context.agreementId = benchAgreementId(tag, agreements);
      return {
        ...request,
        path: agreementCommandsPath(context.agreementId),
        body: JSON.stringify(draftAgreementBody(agreements)),
      };
    },
  };
  const provisions = Array.from({ length: PROVISIONS_PER_AGREEMENT }, (_, i): AutocannonRequest => ({
    method: 'POST',
    headers,
    setupRequest: (request, context) => ({
      ...request,
      path: agreementCommandsPath(context.agreementId),
      body: JSON.stringify(addProvisionBody(i + 1)),
    }),
  }));
  return [draft, ...provisions];
}

async function load(base: string, tag: string, connections: number, durationS: number): Promise<AutocannonResult> {
  return autocannon({
    url: base,
    connections,
    pipelining: 1,
    duration: durationS,
    timeout: 10,
    requests: commandRequests(tag),
  });
}

async function headPosition(base: string): Promise<string | undefined> {
  try {
    const body = (await (await fetch(`${base}/health/ready`)).json()) as any;
    return body?.components?.eventStore?.headPosition ?? undefined;
  } catch {
    return undefined;
  }
}

export async function runHttpSection(scope: Scope, report: Report, sizes: HttpSizes): Promise<void> {
  const variants: Array<{ key: string; label: string; env: Record<string, string> }> = [
    { key: 'ceiling', label: 'HTTP ceiling (minimal durable command path)', env: {} },
    { key: 'default', label: 'API with its projector (as npm start)', env: {} },
    { key: 'api-only', label: 'API alone (RUN_PROJECTOR=false)', env: { RUN_PROJECTOR: 'false' } },
  ];
  let ceiling: { rate: number; p99: number } | undefined;
  for (const variant of variants) {
    progress(`${variant.label}: starting ${variant.key === 'ceiling' ? 'dist/bench/lib/http-ceiling-server.js' : 'dist/apps/api/src/main.js'}`);
    const server = variant.key === 'ceiling' ? await startHttpCeilingServer(scope) : await startApiServer(scope, variant.env);
    const tag = runTag();
    progress(`warm-up: ${sizes.warmupS} s at 10 connections`);
    const warmup = await load(server.base, `${tag}w`, 10, sizes.warmupS);
    progress(`load: ${CONNECTIONS} connections for ${sizes.durationS} s`);
    const serverCpu = processCpuSeconds(server.child.pid!);
    const ownCpu = process.cpuUsage();
    const started = Date.now();
    const result = await load(server.base, tag, CONNECTIONS, sizes.durationS);
    const wall = (Date.now() - started) / 1000;
    const serverCores = coresText(serverCpu, processCpuSeconds(server.child.pid!), wall);
    const own = process.cpuUsage(ownCpu);
    const clientCores = `${((own.user + own.system) / 1e6 / wall).toFixed(2)} cores`;
    const head = await headPosition(server.base);
    await server.stop();
    const rate = result['2xx'] / result.duration;
    // autocannon counts a timeout among the errors as well.
    const failures = result.non2xx + result.errors;
    const how = `${CONNECTIONS} connections, ${result.duration.toFixed(1)} s, ${formatNumber(result['2xx'])} commands (DraftAgreement then ${PROVISIONS_PER_AGREEMENT} × AddProvision per agreement), events in the store after warm-up and run ${head ?? 'unknown'} for ${warmup['2xx'] + result['2xx']} 2xx counted (requests in flight when autocannon stops are stored but not counted: up to ${CONNECTIONS + 10} more); CPU during the load: server ${serverCores} (one event loop: about 1 = saturated), autocannon ${clientCores}`;
    const first = variant.key === 'default';
    if (first && ceiling) {
      report.add({
        section: 'http',
        label: `${variant.label}: share of the HTTP ceiling`,
        value: rate / ceiling.rate,
        unit: '× ceiling',
        rate: false,
        target: atLeastRatio(0.6, 'ceiling'),
        detail: `${formatNumber(rate)} against ${formatNumber(ceiling.rate)} commands/s in the same run; p99 ${result.latency.p99} ms against the ceiling's ${ceiling.p99} ms (${(result.latency.p99 / Math.max(1, ceiling.p99)).toFixed(1)}×; the target is at most 2×)`,
      });
      report.add({
        section: 'http',
        label: `${variant.label}: p99 over the ceiling's p99`,
        value: result.latency.p99 / Math.max(1, ceiling.p99),
        unit: '×',
        rate: false,
        target: atMostRatio(2),
      });
    }
    report.add({
      section: 'http',
      label: `${variant.label}: commands`,
      value: rate,
      unit: 'commands/s',
      rate: true,
      target: first ? atLeast(3000, 'commands/s') : undefined,
      detail:
        variant.key === 'ceiling'
          ? `Fastify, one Ajv schema, a token check, better-sqlite3 with group commit (WAL, synchronous=FULL), a unique command id and the next revision per stream; p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms; non-2xx and errors ${failures}; ${how}`
          : how,
    });
    if (variant.key === 'ceiling') {
      ceiling = { rate, p99: result.latency.p99 };
      continue;
    }
    report.add({
      section: 'http',
      label: `${variant.label}: latency p50`,
      value: result.latency.p50,
      unit: 'ms',
      rate: false,
    });
    report.add({
      section: 'http',
      label: `${variant.label}: latency p99`,
      value: result.latency.p99,
      unit: 'ms',
      rate: false,
      target: first ? below(50, 'ms') : undefined,
      detail: `max ${formatNumber(result.latency.max)} ms (autocannon, client side)`,
    });
    report.add({
      section: 'http',
      label: `${variant.label}: non-2xx, errors, timeouts`,
      value: failures,
      unit: 'responses',
      rate: false,
      target: exactlyZero,
      detail: `non-2xx ${result.non2xx}, errors ${result.errors} (of which timeouts ${result.timeouts})`,
    });
  }
}
