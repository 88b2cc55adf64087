import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const ROOT = join(__dirname, '..', '..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(ROOT, 'docs', 'console');

/**
 * Debian's chromium (installed by scripts/install-chromium.sh when missing: it fails loudly when
 * it cannot, and the test with it) and a fresh console bundle, as `npm run build` makes it.
 */
export function prepareConsole(): void {
  execFileSync('bash', [join(ROOT, 'scripts/install-chromium.sh')], { stdio: 'inherit' });
  execFileSync(process.execPath, [join(ROOT, 'scripts/build-console.mjs'), '--quiet'], { stdio: 'inherit' });
}

export function launchChromium(): Promise<Browser> {
  // --no-sandbox: CI and these machines run as root, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's serious and critical violations on the page as it is. The page's strict CSP refuses
 * an inline <script>, so axe is evaluated through the DevTools protocol (which a CSP does not
 * govern) instead of page.addScriptTag; the page's own policy stays in force.
 */
export async function seriousA11yViolations(page: Page): Promise<Array<{ id: string; impact: string; help: string; targets: string[] }>> {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const page = globalThis as any;
    const result = await page.axe.run(page.document, { resultTypes: ['violations'] });
    return result.violations.map((v: any) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n: any) => String(n.target)) }));
  });
  return violations.filter((v: { impact: string }) => v.impact === 'serious' || v.impact === 'critical');
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
