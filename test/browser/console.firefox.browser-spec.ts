import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { parse, stringify } from 'yaml';
import { eventually, TestCluster } from '@openpacific/testing';
import {
  CONSOLE_VM, consoleUrl, consoleVmPath, consoleVmYaml, kubectlOk, NS, setUpConsoleNamespace, vmPath, vmYaml, startConsoleCluster, UI_TIMEOUT_MS, userToken,
  webConsoleRequestHistory,
} from './support/console-cluster';
import {
  accessAnswers,
  aria,
  checkAccessibility,
  clickRole,
  field,
  countRole,
  gotoFirefoxPage,
  labelledControl,
  launchFirefox,
  markDocument,
  newFirefoxPage,
  sameDocument,
  settled,
  signInFirefox,
  textsIn,
  waitForTextIn,
} from './support/firefox-page';

const MAIN_NAV = aria('navigation', 'Main');
const HISTORY = aria('list', 'History');

/**
 * The web console in headless Firefox ESR (puppeteer-core over WebDriver BiDi) against a real local cluster of three
 * hosts: the flow of console.browser-spec.ts that issue 10 asks to work in both browsers, as an admin and as a viewer.
 */
describe('the web console in Firefox', () => {
  let cluster: TestCluster;
  let browser: Browser;
  let admin: Page;

  beforeAll(async () => {
    // The browser first: without Firefox the file fails at once, saying what is missing.
    browser = await launchFirefox();
    cluster = await startConsoleCluster('console-firefox');
    await setUpConsoleNamespace(cluster);
    admin = await newFirefoxPage(browser);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  }, 60_000);

  it('signs in with the admin token (Enter submits the form) and shows the three hosts', async () => {
    await signInFirefox(admin, cluster, cluster.token);
    const hosts = aria('list', 'Hosts');
    for (const host of ['host-1', 'host-2', 'host-3']) await waitForTextIn(admin, hosts, 'h2', new RegExp(`^${host}$`));
    expect((await textsIn(admin, hosts, 'h2')).sort()).toEqual(['host-1', 'host-2', 'host-3']);
    await waitForTextIn(admin, hosts, '.card', /State: Ready/);
    // The admin may read the audit log: the viewer's missing Audit link below is a decision, not a broken selector.
    await admin.locator(`${MAIN_NAV} ${aria('link', 'Audit')}`).wait();
  });

  it('reaches the navigation with Tab', async () => {
    await admin.mouse.click(1, 1);
    let inNav = false;
    for (let i = 0; i < 10 && !inNav; i++) {
      await admin.keyboard.press('Tab');
      inNav = await admin.evaluate(() => Boolean(document.activeElement?.closest('nav[aria-label="Main"]')));
    }
    expect(inNav).toBe(true);
  });

  it('has no serious or critical accessibility violations on the hosts page', async () => {
    await admin.locator(aria('heading', 'Hosts')).wait();
    expect(await checkAccessibility(admin)).toEqual([]);
  });

  it('creates a VM from YAML and shows it reach PoweredOn without reloading the page', async () => {
    await clickRole(admin, 'link', 'Create', MAIN_NAV);
    await markDocument(admin);
    await admin.locator(field('YAML')).fill(vmYaml);
    await clickRole(admin, 'button', 'Create');
    await clickRole(admin, 'link', 'VirtualMachine web-2');
    await admin.locator(`h1${aria('heading', 'VirtualMachine web-2')}`).wait();
    await waitForTextIn(admin, 'dl.summary', 'dd', /^PoweredOn$/);
    expect(await sameDocument(admin)).toBe(true);
    expect(new URL(admin.url()).pathname).toBe(`/console/r${vmPath}`);
  });

  it('powers the VM off from its page and shows both changes in its history', async () => {
    await clickRole(admin, 'button', 'Power off');
    await waitForTextIn(admin, 'dl.summary', 'dd', /^PoweredOff$/);
    await waitForTextIn(admin, HISTORY, ':scope > li', /^Created by admin/);
    await waitForTextIn(admin, HISTORY, ':scope > li', /^Changed by admin.*spec\.powerState.*PoweredOff/);
    const change = await admin.$(HISTORY);
    const values = await change!.$$eval(':scope > li', (items) => {
      const item = items.find((li) => /^Changed by admin/.test((li.textContent ?? '').trim()) && li.textContent!.includes('spec.powerState'));
      const row = [...(item?.querySelectorAll('tbody tr') ?? [])].find((tr) => tr.textContent!.includes('spec.powerState'));
      return [...(row?.querySelectorAll('td pre') ?? [])].map((pre) => pre.textContent);
    });
    expect(values).toEqual(['"PoweredOn"', '"PoweredOff"']);
    expect(await sameDocument(admin)).toBe(true);
  });

  it("opens a VM's console from its page: the boot line and login prompt arrive, and the panel says why it closed", async () => {
    await kubectlOk(cluster, ['apply', '-f', '-'], consoleVmYaml);
    await gotoFirefoxPage(admin, consoleUrl(cluster, `r${consoleVmPath}`));
    await admin.locator(`h1${aria('heading', `VirtualMachine ${CONSOLE_VM}`)}`).wait();
    await waitForTextIn(admin, 'dl.summary', 'dd', /^PoweredOn$/);
    // On and placed: the button no longer says why it cannot open one.
    await admin.waitForFunction(
      () => [...document.querySelectorAll('button')].some((b) => b.textContent === 'Open console' && !b.hasAttribute('aria-disabled')),
      { polling: 'mutation', timeout: UI_TIMEOUT_MS },
    );
    await clickRole(admin, 'button', 'Open console');
    const panel = aria('dialog', `Console of ${CONSOLE_VM}`);
    await admin.locator(panel).wait();
    await admin.locator(aria('log', `Console output of ${CONSOLE_VM}`)).wait();
    await waitForTextIn(admin, 'dialog[open]', '[role="log"]', `Booting ${CONSOLE_VM}`);
    await waitForTextIn(admin, 'dialog[open]', '[role="log"]', `${CONSOLE_VM} login:`);
    expect(await admin.evaluate(() => Boolean(document.activeElement?.closest('dialog[open]')))).toBe(true);
    expect(await checkAccessibility(admin)).toEqual([]);

    const requestName = (await textsIn(admin, 'dialog[open]', 'code'))[0].trim();
    expect(requestName).toMatch(new RegExp(`^${CONSOLE_VM}-console-[a-z0-9]{5}$`));
    expect((await webConsoleRequestHistory(cluster, requestName)).slice(0, 3)).toEqual([
      'ResourceCreated api-gateway admin',
      expect.stringMatching(/^ResourceUpdated vm-operator /),
      expect.stringMatching(/^ResourceUpdated api-gateway /),
    ]);

    await kubectlOk(cluster, ['patch', 'vm', CONSOLE_VM, '-n', NS, '--type=merge', '-p', '{"spec":{"powerState":"PoweredOff"}}']);
    await waitForTextIn(admin, 'dialog[open]', '[role="status"]', 'Console closed: the VM powered off.');
    expect((await textsIn(admin, 'dialog[open]', '[role="log"]'))[0]).toMatch(/powered off \(\w+\)\n$/);

    // Escape closes the panel; focus goes back to the button, which now says why there is no console.
    await admin.keyboard.press('Escape');
    await admin.waitForSelector('dialog[open]', { hidden: true });
    expect(await admin.evaluate(() => document.activeElement?.textContent)).toBe('Open console');
    await waitForTextIn(admin, 'dl.summary', 'dd', /^PoweredOff$/);
    await waitForTextIn(admin, 'main', '.action .hint', 'The VM is PoweredOff: its console opens once it is powered on.');
  });

  it('cordons and uncordons a host from its card, telling "Cordon" from "Uncordon" by exact name', async () => {
    const hostPath = '/apis/infrastructure.openpacific.io/v1alpha1/hosts/host-3';
    const unschedulable = async () => Boolean((await cluster.request('GET', hostPath)).json().spec?.unschedulable);
    await clickRole(admin, 'link', 'Hosts', MAIN_NAV);
    await clickRole(admin, 'button', 'Cordon host-3');
    await admin.locator(aria('button', 'Uncordon host-3')).wait();
    await waitForTextIn(admin, aria('region', 'host-3'), 'p', /cordoned/);
    expect(await unschedulable()).toBe(true);
    await clickRole(admin, 'button', 'Uncordon host-3');
    await admin.locator(aria('button', 'Cordon host-3')).wait();
    expect(await unschedulable()).toBe(false);
  });

  describe('as a viewer', () => {
    let viewer: Page;
    const viewerToken = () => userToken(cluster, 'viewer');

    it('signs in with a kubeconfig file whose current context is the viewer', async () => {
      const kubeconfig = parse(readFileSync(cluster.kubeconfig, 'utf8'));
      kubeconfig['current-context'] = 'viewer@openpacific';
      const file = join(mkdtempSync(join(tmpdir(), 'console-kubeconfig-')), 'kubeconfig');
      writeFileSync(file, stringify(kubeconfig));
      const page = await newFirefoxPage(browser);
      try {
        await gotoFirefoxPage(page, consoleUrl(cluster));
        await (await labelledControl(page, 'Or choose a kubeconfig file')).uploadFile(file);
        await waitForTextIn(page, 'header', '.user', /Signed in as viewer$/);
      } finally {
        await page.browserContext().close();
        rmSync(dirname(file), { recursive: true, force: true });
      }
    });

    it('signs in with the viewer token', async () => {
      viewer = await newFirefoxPage(browser);
      await signInFirefox(viewer, cluster, viewerToken());
      await waitForTextIn(viewer, 'header', '.user', /Signed in as viewer$/);
    });

    it('sees the VM but no Delete, Edit or power buttons, and no audit view', async () => {
      const answers = accessAnswers(viewer);
      await gotoFirefoxPage(viewer, consoleUrl(cluster, `r${vmPath}`));
      await viewer.locator(`h1${aria('heading', 'VirtualMachine web-2')}`).wait();
      await waitForTextIn(viewer, 'dl.summary', 'dd', /^PoweredOff$/);
      await viewer.locator(`${HISTORY} > li`).wait();
      // The console asked and was refused: the buttons are absent by its decision, not because it has not asked yet.
      const asked = ['update virtualmachines', 'patch virtualmachines', 'delete virtualmachines', 'create virtualmachinewebconsolerequests', 'list auditrecords'];
      await eventually(() => expect(asked.map((q) => answers.get(q))).toEqual([false, false, false, false, false]), { timeoutMs: UI_TIMEOUT_MS });
      await settled(viewer);
      for (const name of ['Delete', 'Edit', 'Power on', 'Power off', 'Restart', 'Open console']) {
        expect(await countRole(viewer, 'button', name)).toBe(0);
      }
      await viewer.locator(`${MAIN_NAV} ${aria('link', 'Create')}`).wait();
      expect(await viewer.$$(`${MAIN_NAV} ${aria('link', 'Audit')}`)).toHaveLength(0);
    });

    it('gets the 403 when it calls the API anyway, and the console shows the Status message', async () => {
      const status = await viewer.evaluate(async (path, token) => {
        const res = await fetch(path, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
        return { code: res.status, body: (await res.json()) as { kind: string; reason: string; message: string } };
      }, vmPath, viewerToken());
      expect(status).toMatchObject({ code: 403, body: { kind: 'Status', reason: 'Forbidden' } });
      expect(status.body.message).toContain('User "viewer" cannot delete resource "virtualmachines"');

      await clickRole(viewer, 'link', 'Create', MAIN_NAV);
      await viewer.locator(field('YAML')).fill(vmYaml.replace('web-2', 'web-3'));
      await clickRole(viewer, 'button', 'Create');
      await waitForTextIn(viewer, 'main', '[role="alert"]', 'User "viewer" cannot create resource "virtualmachines"');
      await viewer.browserContext().close();
    });
  });
});
