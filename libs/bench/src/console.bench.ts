import { gotoPage, launchChromium, startCluster, TestCluster } from '@openpacific/testing';
import type { Page, Request } from 'playwright-core';
import { createNamespace, runPods } from './pod-startup';
import type { BenchContext } from './scenario';

const NS = 'console-bench';

/**
 * Resolves with `wait`, or rejects when the page's own HTML, script or stylesheet fails to load (Chromium's
 * network-change watcher aborts requests while pods start): such a page never draws, and is loaded again.
 */
function unlessPageFails<T>(page: Page, wait: Promise<T>): Promise<T> {
  let onFailed: ((r: Request) => void) | undefined;
  const failed = new Promise<never>((_, reject) => {
    onFailed = (r) => {
      if (['document', 'script', 'stylesheet'].includes(r.resourceType())) reject(new Error(`${r.failure()?.errorText ?? 'failed'}: ${r.url()}`));
    };
    page.on('requestfailed', onFailed);
  });
  failed.catch(() => undefined);
  return Promise.race([wait, failed]).finally(() => page.off('requestfailed', onFailed!));
}

/** Signs in through the form; the token stays in the tab's session storage for the loads that follow. */
async function signedInPage(cluster: TestCluster, page: Page): Promise<void> {
  page.setDefaultTimeout(120_000);
  await again(async () => {
    await gotoPage(page, new URL('/console/', cluster.server).toString(), 'commit');
    await unlessPageFails(page, page.getByLabel('Token').waitFor());
  });
  await page.getByLabel('Token').fill(cluster.token);
  await page.getByLabel('Token').press('Enter');
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

interface Load {
  /** The pods list reads "Pods (<pods>)" with rows drawn (the first page, once the console draws pages as they come). */
  firstRowsMs: number;
  /** ... and it is no longer aria-busy: every pod's row is available. */
  allRowsMs: number;
  /** Where the time went, from the browser's resource timing (ms from the navigation's start). */
  timing: Record<string, number | string>;
}

/** The frame (performance.now(), from the navigation's start) in which `selector` first matches. */
async function seen(page: Page, selector: string): Promise<number> {
  // Runs in the page; this library is compiled without the DOM's types, hence globalThis.
  const at = await page.waitForFunction((sel) => ((globalThis as any).document.querySelector(sel) ? performance.now() : false), selector, { timeout: 120_000 });
  return Math.round((await at.jsonValue()) as number);
}

/**
 * Opens the namespace page in the signed-in tab: the time from the navigation's start to the frame in which its
 * pods list counts all `pods` pods with rows drawn, then to the one in which all rows are available (the same
 * moment for a console that draws the list only once it is complete), and the resource timing of the load.
 */
async function load(cluster: TestCluster, page: Page, pods: number): Promise<Load> {
  await gotoPage(page, new URL(`/console/namespaces/${NS}`, cluster.server).toString(), 'commit');
  const region = `[role="region"][aria-label="Pods (${pods})"]`;
  const firstRowsMs = await unlessPageFails(page, seen(page, `${region} tbody tr a`));
  const allRowsMs = await seen(page, `${region}:not([aria-busy="true"]) tbody tr a`);
  const timing = await page.evaluate(() => {
    const ms = (n: number) => Math.round(n);
    // The DOM's PerformanceResourceTiming, by the fields read here (no DOM types in this library).
    type Entry = { name: string; startTime: number; responseEnd: number; transferSize: number };
    const entries = (type: string) => (performance as unknown as { getEntriesByType(t: string): Entry[] }).getEntriesByType(type);
    const nav = entries('navigation')[0];
    const res = entries('resource');
    const script = res.find((r) => /\/console\/app[^/]*\.js$/.test(r.name));
    const whoami = res.find((r) => r.name.endsWith('/selfsubjectreviews'));
    const pages = res.filter((r) => /\/pods\?/.test(r.name) && !r.name.includes('watch=true'));
    const discovery = res.filter((r) => /\/apis?(\/[^/?]+){0,2}$/.test(new URL(r.name).pathname));
    return {
      'html end': ms(nav.responseEnd),
      'script end': script ? ms(script.responseEnd) : '-',
      // 0: served from the browser's cache
      'script bytes': script ? script.transferSize : '-',
      'whoami end': whoami ? ms(whoami.responseEnd) : '-',
      'discovery end': discovery.length ? ms(Math.max(...discovery.map((r) => r.responseEnd))) : '-',
      'first page start': pages.length ? ms(pages[0].startTime) : '-',
      'first page end': pages.length ? ms(pages[0].responseEnd) : '-',
      'last page end': pages.length ? ms(pages[pages.length - 1].responseEnd) : '-',
      pages: pages.length,
    };
  });
  return { firstRowsMs, allRowsMs, timing };
}

/**
 * A load (or the sign-in page) that Chromium aborts (pods starting change the machine's network interfaces,
 * which Chromium's network-change watcher reports, more often than gotoPage's retries cover) is started again
 * after a pause: each figure is one whole, uninterrupted load.
 */
async function again<T>(step: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      const message = String((err as Error).message);
      if (attempt >= 5 || !/ERR_NETWORK_CHANGED|chrome-error:\/\/|ERR_ABORTED/.test(message)) throw err;
      console.log(`console: load aborted (${message.split('\n')[0]}); loading again`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/**
 * `console`: the web console's first load of a namespace holding 10,000 pods on sim fleet hosts, in headless
 * Chromium (navigation start → the pods list counting all pods with rows drawn, and → all rows available). The
 * pods are appended to the event store as the gateway would store them (BENCH_DIRECT-style) and given until
 * BENCH_SETTLE_MS to be Running; each of BENCH_LOADS loads is a fresh navigation of the same tab (the token
 * stays in its session storage); the first is the cold one.
 */
export async function consoleBench(ctx: BenchContext): Promise<Record<string, unknown>[]> {
  const hosts = ctx.smoke ? 3 : Number(process.env.BENCH_HOSTS ?? 50);
  const pods = ctx.smoke ? 30 : Number(process.env.BENCH_PODS ?? 10_000);
  const loads = ctx.smoke ? 1 : Number(process.env.BENCH_LOADS ?? 5);
  const browser = await launchChromium();
  const cluster = await startCluster({
    label: 'benchconsole', hostCount: 0,
    env: { SIM_FLEET_HOSTS: String(hosts), POD_NETWORK: 'loopback', HOST_PODS: String(Math.ceil((pods / hosts) * 1.5) + 10), HOST_GRACE_MS: '10000', POD_RESYNC_MS: '5000' },
  });
  try {
    await cluster.hostsReady(hosts, 180_000);
    await createNamespace(cluster, NS);
    const settle = Number(process.env.BENCH_SETTLE_MS ?? (ctx.smoke ? 30_000 : 300_000));
    const run = await runPods(cluster, NS, pods, { kind: 'burst', concurrency: 200, direct: true }, settle);
    const page = await (await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 860 } })).newPage();
    await signedInPage(cluster, page);
    const results: Load[] = [];
    // (a navigation ends the last page's watches: those are not failures)
    page.on('requestfailed', (r) => r.url().includes('watch=true') || console.log(`console: ${r.url()} failed: ${r.failure()?.errorText}`));
    for (let i = 0; i < loads; i++) results.push(await again(() => load(cluster, page, pods)));
    const first = results.map((r) => r.firstRowsMs);
    const all = results.map((r) => r.allRowsMs);
    // The first load is the browser's cold one (nothing of the bundle compiled or cached but the sign-in's copy).
    console.log('console: resource timing of each load (ms from navigation start)');
    console.table(results.map((r) => r.timing));
    return [{
      hosts, pods, 'Running at measurement': pods - run.missing, loads,
      'cold load, rows drawn (ms)': first[0], 'cold load, all rows (ms)': all[0],
      'first load p50 (ms)': p50(first), 'first load max (ms)': Math.max(...first),
      'all rows p50 (ms)': p50(all), 'all rows max (ms)': Math.max(...all),
      'each load, rows drawn (ms)': first.join(' '), 'each load, all rows (ms)': all.join(' '), target: '< 2000 ms',
    }];
  } finally {
    await browser.close();
    await cluster.stop();
  }
}
