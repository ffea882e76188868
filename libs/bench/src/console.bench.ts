import { gotoPage, launchChromium, startCluster, TestCluster } from '@openpacific/testing';
import type { Page } from 'playwright-core';
import { createNamespace, runPods } from './pod-startup';
import type { BenchContext } from './scenario';

const NS = 'console-bench';

/** Signs in through the form; the token stays in the tab's session storage for the loads that follow. */
async function signedInPage(cluster: TestCluster, page: Page): Promise<void> {
  page.setDefaultTimeout(120_000);
  await gotoPage(page, new URL('/console/', cluster.server).toString());
  await page.getByLabel('Token').fill(cluster.token);
  await page.getByLabel('Token').press('Enter');
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/**
 * Opens the namespace page in the signed-in tab and answers the time from the navigation's start to the
 * frame in which its pods list holds all `pods` pods with rows drawn (the browser's own clock:
 * performance.now() counts from the navigation's start).
 */
async function firstLoadMs(cluster: TestCluster, page: Page, pods: number): Promise<number> {
  await gotoPage(page, new URL(`/console/namespaces/${NS}`, cluster.server).toString(), 'commit');
  // Runs in the page; this library is compiled without the DOM's types, hence globalThis.
  const rendered = await page.waitForFunction(
    (selector) => ((globalThis as any).document.querySelector(selector) ? performance.now() : false),
    `[role="region"][aria-label="Pods (${pods})"] tbody tr a`,
    { timeout: 120_000 },
  );
  return Math.round((await rendered.jsonValue()) as number);
}

/**
 * `console`: the web console's first load of a namespace holding 10,000 pods on sim fleet hosts, in headless
 * Chromium (navigation start → the pods list rendered, all pods loaded). The pods are appended to the event
 * store as the gateway would store them (BENCH_DIRECT-style) and given until BENCH_SETTLE_MS to be Running;
 * each of BENCH_LOADS loads is a fresh navigation of the same tab (the token stays in its session storage).
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
    const times: number[] = [];
    for (let i = 0; i < loads; i++) times.push(await firstLoadMs(cluster, page, pods));
    const sorted = [...times].sort((a, b) => a - b);
    return [{
      hosts, pods, 'Running at measurement': pods - run.missing, loads,
      'first load p50 (ms)': sorted[Math.floor((sorted.length - 1) / 2)], 'first load max (ms)': sorted[sorted.length - 1],
      'each load (ms)': times.join(' '), target: '< 2000 ms',
    }];
  } finally {
    await browser.close();
    await cluster.stop();
  }
}
