import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
export { launchChromium } from '@openpacific/testing';

const repoRoot = join(__dirname, '..', '..', '..');

/** What shows that the console's script ran: the app drew something in its root (`gotoPage` loads again until it has). */
export const CONSOLE_DRAWN = '#root > *';

/** A context of its own (cookies, storage) per user; the cluster's CA is self-signed. */
export function newContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 860 } });
}

/** Saves docs/images/console-<name>.png, only when CONSOLE_SCREENSHOTS=1 (CI runs leave the tree clean). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.CONSOLE_SCREENSHOTS !== '1') return;
  const dir = join(repoRoot, 'docs', 'images');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `console-${name}.png`), fullPage: true });
}

/** Marks the page's current document; a reload or a navigation to another document loses the mark. */
export async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => ((window as any).__consoleDocument = true));
}

/** Whether the page still shows the document markDocument marked (the console updated it in place). */
export async function sameDocument(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as any).__consoleDocument === true);
}

/**
 * The console's access checks (SelfSubjectAccessReviews) a page has had answered, as `verb resource` → allowed:
 * a test waits for the answers before it asserts that a button is absent, so the absence is the console's decision.
 */
export function accessAnswers(page: Page): Map<string, boolean> {
  const answers = new Map<string, boolean>();
  page.on('response', (res) => {
    if (!res.url().endsWith('/selfsubjectaccessreviews') || res.request().method() !== 'POST') return;
    const asked = res.request().postDataJSON()?.spec?.resourceAttributes ?? {};
    res.json().then(
      (review) => answers.set(`${asked.verb} ${asked.resource}`, review?.status?.allowed === true),
      () => undefined,
    );
  });
  return answers;
}

/** Resolves after the page has drawn two more frames (whatever state it holds now is on screen). */
export async function settled(page: Page): Promise<void> {
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}
