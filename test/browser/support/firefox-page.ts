import type { Browser, ElementHandle, Page } from 'puppeteer-core';
import { gotoFirefoxPage, TestCluster } from '@openpacific/testing';
import { consoleUrl, UI_TIMEOUT_MS } from './console-cluster';
export { launchFirefox, gotoFirefoxPage } from '@openpacific/testing';

// The Firefox counterparts of browser.ts, console-cluster.ts and accessibility.ts, for puppeteer-core's Page.


/**
 * A puppeteer selector for the element of this ARIA role whose accessible name is exactly `name`
 * (so "Cordon host-3" does not find "Uncordon host-3"). Firefox answers it from its accessibility tree.
 */
export function aria(role: string, name: string): string {
  return `::-p-aria([name=${JSON.stringify(name)}][role=${JSON.stringify(role)}])`;
}

/**
 * A puppeteer selector for the form field labelled exactly `label`. By name, not role: Firefox gives a password
 * input no ARIA role that puppeteer's role match accepts.
 */
export function field(label: string): string {
  return `:is(input, textarea, select)::-p-aria([name=${JSON.stringify(label)}])`;
}

/**
 * The control of the <label> whose text is exactly `text`, for a field the accessibility tree does not name after
 * its label: Firefox names a file input's inner "Browse…" button, not the input.
 */
export async function labelledControl(page: Page, text: string): Promise<ElementHandle<HTMLInputElement>> {
  const control = await page.waitForFunction(
    (want: string) => [...document.querySelectorAll('label')].find((l) => l.textContent?.trim() === want)?.control ?? false,
    { polling: 'mutation' },
    text,
  );
  return control as unknown as ElementHandle<HTMLInputElement>;
}

/** A page in a browser context of its own (cookies, storage): one per user. */
export async function newFirefoxPage(browser: Browser): Promise<Page> {
  const page = await (await browser.createBrowserContext()).newPage();
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  return page;
}

/** Opens the console and signs in with a token typed into the form, submitted with Enter. */
export async function signInFirefox(page: Page, cluster: TestCluster, token: string): Promise<void> {
  await gotoFirefoxPage(page, consoleUrl(cluster));
  await page.locator(field('Token')).fill(token);
  await page.keyboard.press('Enter');
  await page.locator(aria('navigation', 'Main')).wait();
}

/** Clicks the element of this role and exact name, once it is there and enabled. */
export async function clickRole(page: Page, role: string, name: string, within = ''): Promise<void> {
  await page.locator(`${within ? `${within} ` : ''}${aria(role, name)}`).click();
}

/** How many elements of this role and exact name the page shows now. */
export async function countRole(page: Page, role: string, name: string): Promise<number> {
  return (await page.$$(aria(role, name))).length;
}

/**
 * Waits until an element matching `css` inside the scope (a puppeteer selector, e.g. aria(...)) has text matching
 * `text`, compared with its whitespace collapsed. A string matches as a substring. Waits on DOM mutations, no
 * polling sleeps; should the console replace the scope element itself, the scope is looked up again.
 *
 * The page watches with a MutationObserver of its own that includes characterData: puppeteer's `polling: 'mutation'`
 * observes childList and attributes only, so it misses a text changed in place (Preact rewrites a text node's data,
 * e.g. a status going from "Connected." to "Console closed: …") when nothing else on the page changes after it.
 */
export async function waitForTextIn(page: Page, scope: string, css: string, text: RegExp | string): Promise<void> {
  const deadline = Date.now() + UI_TIMEOUT_MS;
  const pattern = typeof text === 'string' ? { plain: text } : { source: text.source, flags: text.flags };
  for (;;) {
    const root = await page.waitForSelector(scope, { timeout: Math.max(1, deadline - Date.now()) });
    const timeout = Math.max(1, deadline - Date.now());
    const outcome = await page.waitForFunction(
      (el: Element, sel: string, want: { plain?: string; source?: string; flags?: string }, ms: number) =>
        new Promise<'found' | 'gone' | 'timeout'>((resolve) => {
          const re = want.plain === undefined ? new RegExp(want.source!, want.flags) : undefined;
          const check = () => {
            if (!el.isConnected) return 'gone';
            const found = [...el.querySelectorAll(sel)].some((e) => {
              const t = (e.textContent ?? '').replace(/\s+/g, ' ').trim();
              return re ? re.test(t) : t.includes(want.plain!);
            });
            return found ? 'found' : undefined;
          };
          const first = check();
          if (first) return resolve(first);
          const observer = new MutationObserver(() => {
            const now = check();
            if (now) finish(now);
          });
          // Past the test's deadline the observer goes (puppeteer has given up by then).
          const timer = setTimeout(() => finish('timeout'), ms + 1000);
          const finish = (result: 'found' | 'gone' | 'timeout') => {
            observer.disconnect();
            clearTimeout(timer);
            resolve(result);
          };
          observer.observe(el.ownerDocument, { childList: true, subtree: true, attributes: true, characterData: true });
        }),
      { polling: 'mutation', timeout },
      root as ElementHandle<Element>,
      css,
      pattern,
      timeout,
    );
    const result = await outcome.jsonValue();
    if (result === 'found') return;
    if (result === 'timeout') throw new Error(`no ${css} in ${scope} with text ${String(text)} within ${UI_TIMEOUT_MS / 1000} s`);
  }
}

/** The text contents of the elements matching `css` inside the first element matching `scope`. */
export async function textsIn(page: Page, scope: string, css: string): Promise<string[]> {
  const root = await page.waitForSelector(scope);
  return root!.$$eval(css, (els) => els.map((e) => e.textContent ?? ''));
}

/** Marks the page's current document; a reload or a navigation to another document loses the mark. */
export async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => ((window as any).__consoleDocument = true));
}

/** Whether the page still shows the document markDocument marked (the console updated it in place). */
export async function sameDocument(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as any).__consoleDocument === true);
}

/** Resolves after the page has drawn two more frames (whatever state it holds now is on screen). */
export async function settled(page: Page): Promise<void> {
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}

/**
 * The console's access checks (SelfSubjectAccessReviews) a page has had answered, as `verb resource` → allowed.
 * The question is read from the answer, which echoes the review's spec: Firefox's WebDriver BiDi does not hand
 * puppeteer request bodies.
 */
export function accessAnswers(page: Page): Map<string, boolean> {
  const answers = new Map<string, boolean>();
  page.on('response', (res) => {
    if (!res.url().endsWith('/selfsubjectaccessreviews') || res.request().method() !== 'POST') return;
    res.json().then(
      (review) => {
        const asked = review?.spec?.resourceAttributes ?? {};
        answers.set(`${asked.verb} ${asked.resource}`, review?.status?.allowed === true);
      },
      () => undefined,
    );
  });
  return answers;
}

export { checkAccessibility } from './accessibility';
