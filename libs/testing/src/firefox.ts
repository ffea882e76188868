import { existsSync } from 'node:fs';
import type { Browser, Page } from 'puppeteer-core';

/** Debian's Firefox ESR: like Chromium, the browser tests never download a browser. */
export const FIREFOX = '/usr/bin/firefox-esr';

/** Generous: Firefox starts in seconds when idle, and the test machine is rarely idle. */
const LAUNCH_TIMEOUT_MS = 120_000;

/**
 * Headless Firefox ESR driven by puppeteer-core over WebDriver BiDi (playwright-core drives only its own patched
 * Firefox builds). Missing Firefox is an error that says how to get it, never a silent skip. Puppeteer gives the
 * launch a fresh profile in a temporary directory and removes it when the browser process exits, so
 * `browser.close()` leaves nothing behind. The clusters' certificates are self-signed, hence acceptInsecureCerts.
 */
export async function launchFirefox(executablePath = FIREFOX): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw Object.assign(new Error(`${executablePath} is missing: the Firefox browser tests need Debian's firefox-esr package (apt-get install firefox-esr; .ci/run installs it)`), {
      code: 'TESTING.NO_FIREFOX',
    });
  }
  // Loaded here, not at the top: only the Firefox browser tests need it.
  const puppeteer = require('puppeteer-core') as typeof import('puppeteer-core');
  return puppeteer.launch({
    browser: 'firefox',
    executablePath,
    headless: true,
    acceptInsecureCerts: true,
    timeout: LAUNCH_TIMEOUT_MS,
    protocolTimeout: LAUNCH_TIMEOUT_MS,
    defaultViewport: { width: 1280, height: 860 },
    extraPrefsFirefox: {
      // Test clusters add and remove pod network interfaces; Firefox must not treat that as the network going away.
      'network.notify.changed': false,
      'network.captive-portal-service.enabled': false,
      'network.connectivity-service.enabled': false,
    },
  });
}

/** Firefox's names for a navigation cut off by the network under it, rather than refused by the server. */
const TRANSIENT_NAVIGATION_ERROR = /NS_ERROR_NET_RESET|NS_ERROR_NET_INTERRUPT|NS_ERROR_NET_PARTIAL_TRANSFER|NS_ERROR_OFFLINE/;

/** Whether a failed navigation is worth trying again (the network moved under it) rather than a real failure. */
export function isTransientNavigationError(err: unknown): boolean {
  return TRANSIENT_NAVIGATION_ERROR.test(String((err as Error)?.message ?? err));
}

/** `page.goto` in Firefox that tries again, a few times, when the navigation is cut off by a network change. */
export async function gotoFirefoxPage(page: Page, url: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await page.goto(url, { waitUntil: 'load' });
      return;
    } catch (err) {
      if (attempt >= 5 || !isTransientNavigationError(err)) throw err;
    }
  }
}
