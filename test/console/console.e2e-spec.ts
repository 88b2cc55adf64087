// The web console in a real headless Chromium against the real server (embedded SQLite), along
// the path issue 13 asks for: sign in, find the Astana memorandum, read its timeline, move "As of"
// and "Known at", record through a form, see a refusal in place with nothing stored, read the
// history as an auditor. Every page is checked with axe-core and photographed for docs/console.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { commandBody } from '../support/commands';
import { startServerProcess } from '../support/process';
import { astana, MEMORANDUM, startTestApp, type TestApp, TOKENS } from '../support/app';
import { launchChromium, prepareConsole, screenshot, seriousA11yViolations } from '../support/browser';

const TITLE = 'Memorandum on the creation of de-escalation areas in the Syrian Arab Republic';
const STATUS_NOW = 'Status: draft from May 2017, signed from 4 May 2017, in force from 6 May 2017';

describe('web console', () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let lastPosition = '0';
  const cspViolations: string[] = [];

  const readAgreement = async () =>
    (await t.api.get(`/v1/agreements/${MEMORANDUM}`, { headers: { 'min-position': lastPosition } })).json;
  const statusTimeline = () => page.getByRole('img', { name: /^Status:/ });
  const expectAccessible = async () => expect(await seriousA11yViolations(page)).toEqual([]);
  const signIn = async (token: string) => {
    await page.goto(`${t.base}/#/sign-in`);
    await page.getByLabel('Token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Agreements' }).waitFor();
  };

  beforeAll(async () => {
    prepareConsole();
    t = await startTestApp();
    for (const step of astana.steps) {
      const r = await t.api.post(step.path, step.body);
      expect(r.status).toBe(201);
      lastPosition = r.json.position;
    }
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    await readAgreement();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('serves the console at / under a strict CSP, beside /v1 and /docs', async () => {
    const index = await fetch(`${t.base}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/text\/html/);
    const csp = index.headers.get('content-security-policy') ?? '';
    for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'"]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain('unsafe-inline');
    const docs = await fetch(`${t.base}/docs`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-security-policy')).toContain("style-src 'self' 'unsafe-inline'");
    const unknown = await fetch(`${t.base}/no-such-page`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as any).error.code).toBe('NOT_FOUND');
    const who = await t.api.get('/v1/whoami', { token: TOKENS.operator });
    expect(who.json).toEqual({ name: 'desk-1', role: 'operator' });
  });

  it('signs in with a token kept for the tab only', async () => {
    await page.goto(`${t.base}/`);
    await page.getByLabel('Token').waitFor();
    expect(page.url()).toContain('#/sign-in');
    await expectAccessible();
    await screenshot(page, 'sign-in');
    await page.getByLabel('Token').fill('not-a-known-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('not known');
    await signIn(TOKENS.operator);
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('agreements.token'))).toBe(TOKENS.operator);
    expect(await page.evaluate(() => (globalThis as any).localStorage.length)).toBe(0);
  });

  it('lists the agreements in a table with the list filters, and finds the Astana memorandum', async () => {
    const table = page.getByRole('table');
    await table.getByRole('link', { name: TITLE }).waitFor();
    await page.getByLabel('Process').fill('astana');
    await page.getByLabel('Status').selectOption('in-force');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/processId=astana/);
    await table.getByRole('link', { name: TITLE }).waitFor();
    await expectAccessible();
    await screenshot(page, 'agreements');
    await page.getByLabel('Status').selectOption('terminated');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('table').getByText('0 agreements on this page').waitFor();
    await page.goto(`${t.base}/#/agreements`);
    await page.getByRole('link', { name: TITLE }).click();
    // The list's own heading is there until the agreement's page has drawn: wait for the new one.
    await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(TITLE);
  });

  it('draws the timeline, named for screen readers, and redraws it as of 5 May 2017', async () => {
    await expect(statusTimeline().getAttribute('aria-label')).resolves.toBe(STATUS_NOW);
    const lanes = await page.getByRole('img', { name: /^Parties\./ }).getAttribute('aria-label');
    expect(lanes).toContain('Syrian opposition delegation: rejected from 4 May 2017');
    expect(lanes).toContain('Provisions.');
    // Sources one click away: a click on the signed interval selects its row, with the link.
    await statusTimeline().locator('.s-signed rect').first().click();
    const row = page.locator('tr.selected');
    await expect(row.textContent()).resolves.toContain('Status: signed');
    await expect(row.getByRole('link', { name: 'Xinhua' }).getAttribute('href')).resolves.toContain('xinhuanet.com');
    await expectAccessible();
    await screenshot(page, 'agreement');

    await page.getByLabel('As of').fill('2017-05-05');
    await page.waitForURL(/asOf=2017-05-05/);
    await page.getByRole('img', { name: 'Status: draft from May 2017, signed from 4 May 2017' }).waitFor();
    await page.getByLabel('As of').press('Tab');
    await page.getByRole('button', { name: 'Today' }).click();
    await page.getByRole('img', { name: STATUS_NOW }).waitFor();
  });

  it('redraws the timeline as known before a correction', async () => {
    const events = (await t.api.get(`/v1/agreements/${MEMORANDUM}/events`, { token: TOKENS.auditor })).json.items;
    const inForce = events.find((e: any) => e.type === 'AgreementEnteredIntoForce');
    const corrected = await t.api.post(
      `/v1/agreements/${MEMORANDUM}/commands`,
      commandBody('RecordCorrection', { targetEventId: inForce.eventId, occurredAt: '2017-05-05', reason: 'in force on the day after signature' }),
    );
    expect(corrected.status).toBe(201);
    lastPosition = corrected.json.position;
    await readAgreement();
    const after = (await t.api.get(`/v1/agreements/${MEMORANDUM}/events`, { token: TOKENS.auditor })).json.items;
    const correction = after.find((e: any) => e.type === 'EventCorrected');

    await page.reload();
    await page.getByRole('img', { name: 'Status: draft from May 2017, signed from 4 May 2017, in force from 5 May 2017' }).waitFor();
    const before = new Date(Date.parse(correction.metadata.recordedAt) - 1).toISOString().replace(/Z$/, '');
    await page.getByLabel('Known at').fill(before);
    await page.waitForURL(/knownAt=/);
    await page.getByRole('img', { name: STATUS_NOW }).waitFor();
    await expectAccessible();
    await screenshot(page, 'agreement-known-at');
  });

  it('records a command through a form generated from the API schema, with If-Match from the page', async () => {
    const before = await readAgreement();
    await page.goto(`${t.base}/#/agreements/${MEMORANDUM}/record`);
    await page.getByLabel('Command').selectOption('ReportBreach');
    await page.getByLabel('Occurred at').fill('2017-06');
    await expect(page.locator('#f-occurredAt-hint').textContent()).resolves.toBe('June 2017 (month precision)');
    await page.getByRole('button', { name: 'Add source' }).click();
    await page.locator('#f-sources-0-publisher').fill('Reuters');
    await page.locator('#f-sources-0-url').fill('https://www.reuters.com/example');
    await page.locator('#f-data-provisionId').fill('idlib');
    await page.locator('#f-data-allegedBy-id').fill('TUR');
    await page.locator('#f-data-description').fill('Shelling inside the Idlib zone');
    await page.getByRole('button', { name: 'Record' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain(`revision ${before.revision + 1}`);
    lastPosition = String(Number(lastPosition) + 1);
    const after = await readAgreement();
    expect(after.revision).toBe(before.revision + 1);
    expect(after.breaches).toEqual([expect.objectContaining({ provisionId: 'idlib', description: 'Shelling inside the Idlib zone', occurredAt: '2017-06' })]);
    const events = (await t.api.get(`/v1/agreements/${MEMORANDUM}/events`, { token: TOKENS.auditor })).json.items;
    expect(events.at(-1).metadata).toMatchObject({ actor: 'desk-1', sources: [{ publisher: 'Reuters', url: 'https://www.reuters.com/example' }] });
  });

  it("shows a refused command's error next to its field, stores nothing, and keeps what was typed", async () => {
    const before = await readAgreement();
    await page.getByLabel('Command').selectOption('ReportBreach');
    await page.getByLabel('Occurred at').fill('2017-07');
    await page.locator('#f-data-allegedBy-id').fill('turkey');
    await page.locator('#f-data-description').fill('A second report');
    await page.getByRole('button', { name: 'Record' }).click();
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: 'VALIDATION_FAILED' }).waitFor();
    const fieldError = page.locator('#f-data-allegedBy-id-error');
    await expect(fieldError.textContent()).resolves.toContain('must match pattern');
    await expect(page.locator('#f-data-allegedBy-id').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('#f-data-allegedBy-id').getAttribute('aria-describedby')).resolves.toBe('f-data-allegedBy-id-error');
    await expect(page.locator('#f-data-allegedBy-id').inputValue()).resolves.toBe('turkey');
    await expect(page.locator('#f-data-description').inputValue()).resolves.toBe('A second report');
    await expectAccessible();
    await screenshot(page, 'record-refused');
    const after = await readAgreement();
    expect(after.revision).toBe(before.revision);
    expect(after.breaches).toHaveLength(1);

    // A domain refusal (422) is shown the same way: a breach dated before the drafting.
    await page.locator('#f-data-allegedBy-id').fill('TUR');
    await page.getByLabel('Occurred at').fill('2016');
    await page.getByRole('button', { name: 'Record' }).click();
    await alert.filter({ hasText: 'NOT_YET_DRAFTED' }).waitFor();
    await expect(page.locator('#f-data-allegedBy-id-error').count()).resolves.toBe(0);
    expect((await readAgreement()).revision).toBe(before.revision);
  });

  it('opens a new agreement with DraftAgreement, the stream id typed by the operator', async () => {
    await page.getByRole('link', { name: 'New agreement' }).click();
    await page.getByLabel('Agreement id (required)').fill('astana-ceasefire-monitoring');
    await expect(page.getByLabel('Command').inputValue()).resolves.toBe('DraftAgreement');
    await page.getByText('A new stream: no revision to match.').waitFor();
    await page.getByLabel('Occurred at').fill('2017-09');
    await page.locator('#f-data-title').fill('Ceasefire monitoring protocol');
    await page.locator('#f-data-kind').selectOption('protocol');
    await page.locator('#f-data-processId').fill('astana');
    await page.getByRole('button', { name: 'Add party' }).click();
    await page.locator('#f-data-parties-0-id').fill('RUS');
    await expectAccessible();
    await screenshot(page, 'record-new');
    await page.getByRole('button', { name: 'Record' }).click();
    await page.getByRole('status').filter({ hasText: 'AgreementDrafted' }).waitFor();
    const drafted = await t.api.get('/v1/agreements/astana-ceasefire-monitoring', { headers: { 'min-position': String(Number(lastPosition) + 1) } });
    expect(drafted.json).toMatchObject({ title: 'Ceasefire monitoring protocol', kind: 'protocol', status: 'draft', parties: [expect.objectContaining({ id: 'RUS' })] });
    lastPosition = String(Number(lastPosition) + 1);
  });

  it('sends If-Match from the revision the page read: a command on a stale page is refused, nothing stored', async () => {
    await page.goto(`${t.base}/#/agreements/${MEMORANDUM}/record?type=EndorseAgreement`);
    await page.getByText(/Based on revision \d+/).waitFor();
    // Someone else records meanwhile.
    const other = await t.api.post(`/v1/agreements/${MEMORANDUM}/commands`, commandBody('AssessProvision', { provisionId: 'idlib', status: 'operating' }, { occurredAt: '2017-06-10' }));
    expect(other.status).toBe(201);
    lastPosition = other.json.position;
    const before = await readAgreement();
    await page.getByLabel('Occurred at').fill('2017-06-15');
    await page.locator('#f-data-by-id').fill('igo:unsc');
    await page.locator('#f-data-by-name').fill('UN Security Council');
    await page.locator('#f-data-instrument').fill('Resolution 2336');
    await page.getByRole('button', { name: 'Record' }).click();
    await page.getByRole('alert').filter({ hasText: 'REVISION_CONFLICT' }).waitFor();
    await expect(page.locator('#f-data-instrument').inputValue()).resolves.toBe('Resolution 2336');
    const after = await readAgreement();
    expect(after.revision).toBe(before.revision);
    expect(after.endorsements).toEqual([]);

    // Read again, then record: what was typed is still there.
    await page.getByRole('button', { name: 'Read the current revision' }).click();
    await page.getByText(`Based on revision ${before.revision}`).waitFor();
    await page.getByRole('button', { name: 'Record' }).click();
    await page.getByRole('status').filter({ hasText: `revision ${before.revision + 1}` }).waitFor();
    lastPosition = String(Number(lastPosition) + 1);
    expect((await readAgreement()).endorsements).toEqual([expect.objectContaining({ instrument: 'Resolution 2336', at: '2017-06-15' })]);
  });

  it('shows a process: rounds on a calendar, the next round, participants, working groups, documents', async () => {
    const postponed = await t.api.post(
      '/v1/processes/astana/commands',
      commandBody('PostponeTalks', { roundId: 'round-6', newWindow: '2017-09-14/2017-09-15', reason: 'the working group needed more time' }, { occurredAt: '2017-08-20' }),
    );
    expect(postponed.status).toBe(201);
    await t.api.get('/v1/processes/astana', { headers: { 'min-position': postponed.json.position } });
    await page.goto(`${t.base}/#/processes`);
    await page.getByRole('table').getByRole('link', { name: 'Astana talks on Syria' }).waitFor();
    await expectAccessible();
    await screenshot(page, 'processes');
    await page.getByRole('link', { name: 'Astana talks on Syria' }).click();
    const calendar = page.getByRole('img', { name: /^Rounds:/ });
    await calendar.waitFor();
    const rounds = await calendar.getAttribute('aria-label');
    expect(rounds).toContain('round 5 held 4 July 2017 to 5 July 2017');
    expect(rounds).toContain('round 6 postponed, scheduled 14 September 2017 to 15 September 2017, first scheduled August 2017, postponed 1 time');
    await expect(page.locator('svg.calendar line.slip').count()).resolves.toBe(1);
    await page.getByText('Next round:').waitFor();
    await expect(page.locator('main').textContent()).resolves.toContain('Joint working group on de-escalation zones');
    await expectAccessible();
    await screenshot(page, 'process');
  });

  it('opens the history as an auditor, each correction under what it corrects', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(TOKENS.auditor);
    await page.goto(`${t.base}/#/agreements/${MEMORANDUM}`);
    await expect(page.getByRole('link', { name: 'Record a command' }).count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'History' }).click();
    const rows = page.locator('table.history tbody tr');
    await rows.first().waitFor();
    const texts = await rows.allTextContents();
    const inForce = texts.findIndex((r) => r.includes('AgreementEnteredIntoForce'));
    expect(texts[inForce + 1]).toContain('EventCorrected');
    expect(texts[inForce + 1]).toContain('desk-1');
    expect(texts.some((r) => r.includes('BreachReported') && r.includes('Reuters'))).toBe(true);
    // The ledger: every event of the stream checked in the browser against a signed tree head that
    // covers them all (signed here on demand once the tree has every event).
    const ledger = t.runtime.ledger!;
    const events = Number(await t.runtime.eventStore.headPosition());
    for (let tries = 0; (await ledger.signNow()).treeSize < events; tries += 1) {
      if (tries > 150) throw new Error('the ledger did not reach the head of the log');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await page.reload();
    const status = page.getByRole('complementary', { name: 'Ledger' });
    await status.getByText(/verified in this browser/).waitFor();
    expect(await status.textContent()).toMatch(new RegExp(`Ledger: ${texts.length} of ${texts.length} events verified in this browser against the signed tree head of ${events} events\\.`));
    await expectAccessible();
    await screenshot(page, 'history');
  });

  it("goes back to sign-in when the tab's token is no longer accepted", async () => {
    await page.evaluate(() => (globalThis as any).sessionStorage.setItem('agreements.token', 'revoked-token-1234'));
    await page.goto(`${t.base}/#/agreements`);
    await page.getByLabel('Token').waitFor();
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('agreements.token'))).toBeNull();
    await signIn(TOKENS.auditor);
  });

  it('fits a phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${t.base}/#/agreements/${MEMORANDUM}`);
    await statusTimeline().waitFor();
    const overflow = await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth - (globalThis as any).innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await expectAccessible();
    await screenshot(page, 'agreement-phone');
  });

  it('leaves the Swagger UI at /docs working under its own policy', async () => {
    const docs = await context.newPage();
    const violations: string[] = [];
    docs.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await docs.goto(`${t.base}/docs`);
    await docs.getByText('agreements', { exact: false }).first().waitFor();
    await docs.locator('.opblock').first().waitFor();
    await docs.close();
    expect(violations).toEqual([]);
  });

  it('is served by the built server as npm start runs it, with no extra step', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'agreements-console-'));
    const server = await startServerProcess({ DATA_DIR: dataDir });
    try {
      const built = await context.newPage();
      await built.goto(`${server.base}/`);
      await built.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      await built.close();
    } finally {
      await server.kill('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('broke no rule of its Content-Security-Policy', () => {
    expect(cspViolations).toEqual([]);
  });
});
