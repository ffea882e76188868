import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';

/** Debian's Chromium: the browser tests and the console bench never download a browser. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless Chromium driven by playwright-core. Missing Chromium is an error that
 * says how to get it, never a silent skip: a skipped browser tier looks green.
 * Playwright gives every launch a fresh temporary profile (its own
 * --user-data-dir) and removes it on close.
 */
export async function launchChromium(executablePath = CHROMIUM): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw Object.assign(new Error(`${executablePath} is missing: the browser tests need Debian's chromium package (apt-get install chromium; .ci/run installs it)`), {
      code: 'TESTING.NO_CHROMIUM',
    });
  }
  // Loaded here, not at the top: only browser tests and the console bench need it.
  const { chromium } = require('playwright-core') as typeof import('playwright-core');
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * `page.goto` that tries again when Chromium aborts the navigation with ERR_NETWORK_CHANGED: on a machine where
 * test clusters add and remove pod network interfaces, Chromium's network-change watcher sees them come and go.
 */
export async function gotoPage(page: Page, url: string, waitUntil: 'load' | 'commit' = 'load', rendered?: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await page.goto(url, { waitUntil });
    } catch (err) {
      // The abort shows as the error itself, or as this navigation interrupted by Chromium's error page.
      if (attempt >= 5 || !/ERR_NETWORK_CHANGED|chrome-error:\/\//.test(String((err as Error).message))) throw err;
      continue;
    }
    // The document loaded, but a script it loads can be aborted the same way (the page then stays blank): with
    // `rendered`, the page must show it within 15 s, else it is loaded again.
    if (!rendered) return;
    try {
      await page.locator(rendered).first().waitFor({ timeout: 15_000 });
      return;
    } catch (err) {
      if (attempt >= 5) throw err;
    }
  }
}
