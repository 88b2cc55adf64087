// Section 7: the web console in headless Chromium: what its bundle weighs, and how long the
// agreement page takes to draw a 200-event agreement (from the API's answers to laid out).
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startInProcessApi } from '../lib/in-process-api';
import { BENCH_TOKEN } from '../lib/processes';
import { below, type Report } from '../lib/report';
import { formatNumber, progress, ROOT, type Scope, SectionNotRun, summarize } from '../lib/util';

export interface ConsoleSizes {
  events: number;
  redraws: number;
}

export const consoleSizes = (quick: boolean): ConsoleSizes => ({ events: 200, redraws: quick ? 10 : 40 });

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PARTIES = [
  { id: 'RUS', name: 'Russia' },
  { id: 'TUR', name: 'Turkey' },
  { id: 'IRN', name: 'Iran' },
  { id: 'USA', name: 'United States' },
  { id: 'JOR', name: 'Jordan' },
];
const STATUSES = ['operating', 'violated', 'operating', 'collapsed', 'operating', 'implemented'];

/** A day after 1 May 2017, as business time. */
const day = (n: number) => new Date(Date.UTC(2017, 4, 1) + n * 86_400_000).toISOString().slice(0, 10);

/** The commands of one agreement with `events` events: drafting, signature, force, provisions, then their assessments, breaches and endorsements. */
function agreementCommands(events: number): Array<{ type: string; occurredAt: string; data: Record<string, unknown> }> {
  const provisions = 20;
  const commands: Array<{ type: string; occurredAt: string; data: Record<string, unknown> }> = [
    { type: 'DraftAgreement', occurredAt: '2017-05', data: { title: 'A 200-event agreement for the console bench', kind: 'framework', parties: PARTIES } },
    { type: 'SignAgreement', occurredAt: day(3), data: { signatories: PARTIES } },
    { type: 'BringIntoForce', occurredAt: day(5), data: {} },
  ];
  for (let p = 0; p < provisions; p += 1)
    commands.push({ type: 'AddProvision', occurredAt: day(5), data: { provisionId: `zone-${p}`, kind: 'zone', title: `Zone ${p + 1}` } });
  for (let i = 0; commands.length < events; i += 1) {
    const at = day(6 + i * 3);
    if (i % 10 === 4) commands.push({ type: 'ReportBreach', occurredAt: at, data: { provisionId: `zone-${i % provisions}`, allegedBy: PARTIES[i % 5], description: `Breach ${i}` } });
    else if (i % 25 === 9) commands.push({ type: 'EndorseAgreement', occurredAt: at, data: { by: { id: 'igo:unsc', name: 'UN Security Council' }, instrument: `Resolution ${2300 + i}` } });
    else commands.push({ type: 'AssessProvision', occurredAt: at, data: { provisionId: `zone-${i % provisions}`, status: STATUSES[Math.floor(i / provisions) % STATUSES.length] } });
  }
  return commands;
}

export async function runConsoleSection(scope: Scope, report: Report, sizes: ConsoleSizes): Promise<void> {
  const sizesFile = join(ROOT, 'dist', 'console.sizes.json');
  if (!existsSync(sizesFile)) execFileSync(process.execPath, [join(ROOT, 'scripts/build-console.mjs'), '--quiet']);
  const weights = JSON.parse(readFileSync(sizesFile, 'utf8'));
  report.add({
    section: 'console',
    label: 'bundle weight gzipped (app.js + app.css + index.html)',
    value: weights.totalGzip / 1024,
    unit: 'KiB',
    rate: false,
    target: below(150, 'KiB'),
    detail: `app.js ${formatNumber(weights['app.js'].bytes / 1024, 1)} KiB minified, ${formatNumber(weights['app.js'].gzip / 1024, 1)} KiB gzipped; app.css ${formatNumber(weights['app.css'].gzip / 1024, 1)} KiB gzipped`,
  });

  try {
    execFileSync('bash', [join(ROOT, 'scripts/install-chromium.sh')], { stdio: 'inherit' });
  } catch {
    throw new SectionNotRun(`no Chromium at ${CHROMIUM} (scripts/install-chromium.sh could not install it)`);
  }
  progress('starting the API in this process with the console');
  const api = await startInProcessApi(scope);
  const id = `console-bench-${randomUUID().slice(0, 8)}`;
  const commands = agreementCommands(sizes.events);
  let position = '0';
  for (const c of commands) {
    const r = await fetch(`${api.base}/v1/agreements/${id}/commands`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...c, commandId: randomUUID() }),
    });
    const body = (await r.json()) as any;
    if (r.status !== 201) throw new Error(`${c.type} refused: ${r.status} ${JSON.stringify(body)}`);
    position = body.position;
  }
  await fetch(`${api.base}/v1/agreements/${id}`, { headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'min-position': position } });
  progress(`${commands.length} events recorded; drawing the agreement page ${sizes.redraws} times from scratch in headless Chromium`);

  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  scope.defer('close Chromium', () => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${api.base}/#/sign-in`);
  await page.getByLabel('Token').fill(BENCH_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Agreements' }).waitFor();
  await page.goto(`${api.base}/#/agreements/${id}`);
  await page.getByRole('img', { name: /^Status:/ }).waitFor();
  const lanes = await page.locator('svg.timeline .seg').count();
  const markers = await page.locator('svg.timeline .marker').count();

  // Each draw from scratch: away to the processes page (the agreement page unmounts), then back
  // with a new "As of" (both include every event): new answers, every mark created again.
  const measures = () => page.evaluate(() => (globalThis as any).performance.getEntriesByName('timeline-draw').map((e: any) => e.duration as number));
  for (let i = 0; i < sizes.redraws; i += 1) {
    const before = (await measures()).length;
    await page.evaluate(() => ((globalThis as any).location.hash = '#/processes'));
    await page.getByRole('heading', { level: 1, name: 'Processes' }).waitFor();
    await page.evaluate((hash) => ((globalThis as any).location.hash = hash), `#/agreements/${id}?asOf=${2030 + (i % 2)}-01-01`);
    await page.waitForFunction((n) => (globalThis as any).performance.getEntriesByName('timeline-draw').length > n, before);
  }
  const draws = (await measures()).slice(1);
  const summary = summarize(draws);
  report.add({
    section: 'console',
    label: `agreement page draw, ${commands.length}-event agreement, p50`,
    value: summary.p50,
    unit: 'ms',
    rate: false,
    target: below(100, 'ms'),
    detail: `${draws.length} draws of the page from scratch (a new As of each): from the API's answers' arrival to the page rendered and laid out (Preact render + layout; paint not included); ${lanes} interval marks, ${markers} markers; p99 ${summary.p99.toFixed(1)} ms, max ${summary.max.toFixed(1)} ms`,
  });
}
