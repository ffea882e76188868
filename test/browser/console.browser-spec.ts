import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { eventually, gotoPage, TestCluster } from '@openpacific/testing';
import { checkAccessibility } from './support/accessibility';
import { accessAnswers, CONSOLE_DRAWN, launchChromium, markDocument, newContext, sameDocument, screenshot, settled } from './support/browser';
import {
  CONSOLE_VM, consoleUrl, consoleVmPath, consoleVmYaml, kubectlOk, NS, setUpConsoleNamespace, vmPath, vmYaml, signIn, startConsoleCluster, UI_TIMEOUT_MS, userToken,
  waitForText, webConsoleRequestHistory,
} from './support/console-cluster';

/** A guest cluster for the scale test: the release's VM image of the guest-cluster e2e test, and a TKC of 1 + 1. */
const tkcSetUp = parseAllDocuments(readFileSync(join(__dirname, '..', 'e2e', 'manifests', 'tkc-basics.yaml'), 'utf8'))
  .map((d) => d.toJS())
  .filter((o) => o.kind === 'VirtualMachineImage' && o.metadata.name === 'ob-22-tkr-v1-29')
  .map((o) => ({ ...o, metadata: { ...o.metadata, namespace: NS } }))
  .concat({
    apiVersion: 'run.tanzu.vmware.com/v1alpha3',
    kind: 'TanzuKubernetesCluster',
    metadata: { name: 'tkc-1', namespace: NS },
    spec: {
      topology: {
        controlPlane: { replicas: 1, vmClass: 'best-effort-small', storageClass: 'vsan-default-storage-policy', tkr: { reference: { name: 'ob-22-tkr-v1-29' } } },
        nodePools: [{ name: 'workers', replicas: 1, vmClass: 'best-effort-small', storageClass: 'vsan-default-storage-policy' }],
      },
    },
  });
const tkcPath = `/apis/run.tanzu.vmware.com/v1alpha3/namespaces/${NS}/tanzukubernetesclusters/tkc-1`;
const mdPath = `/apis/cluster.x-k8s.io/v1beta1/namespaces/${NS}/machinedeployments/tkc-1-workers`;

/** The web console in headless Chromium against a real local cluster of three hosts, as an admin and as a viewer. */
describe('the web console', () => {
  let cluster: TestCluster;
  let browser: Browser;
  let admin: Page;

  beforeAll(async () => {
    // The browser first: without Chromium the file fails at once, saying what is missing.
    browser = await launchChromium();
    cluster = await startConsoleCluster('console');
    await setUpConsoleNamespace(cluster);
    admin = await (await newContext(browser)).newPage();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  }, 60_000);

  it('signs in with the admin token (Enter submits the form) and shows the three hosts', async () => {
    await gotoPage(admin, consoleUrl(cluster), 'load', CONSOLE_DRAWN);
    await admin.getByLabel('Token').waitFor();
    await screenshot(admin, 'sign-in');
    await signIn(admin, cluster, cluster.token);
    const hosts = admin.getByRole('list', { name: 'Hosts' }).getByRole('heading', { level: 2 });
    for (const host of ['host-1', 'host-2', 'host-3']) await waitForText(hosts, host);
    expect((await hosts.allTextContents()).sort()).toEqual(['host-1', 'host-2', 'host-3']);
    await waitForText(admin.locator('.card'), /State: Ready/);
    await screenshot(admin, 'hosts');
  });

  it('reaches the navigation with Tab', async () => {
    await admin.locator('body').click({ position: { x: 1, y: 1 } });
    let inNav = false;
    for (let i = 0; i < 10 && !inNav; i++) {
      await admin.keyboard.press('Tab');
      inNav = await admin.evaluate(() => Boolean(document.activeElement?.closest('nav[aria-label="Main"]')));
    }
    expect(inNav).toBe(true);
  });

  it('creates a VM from YAML and shows it reach PoweredOn without reloading the page', async () => {
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Create' }).click();
    await markDocument(admin);
    await admin.getByLabel('YAML', { exact: true }).fill(vmYaml);
    await screenshot(admin, 'create');
    await admin.getByRole('button', { name: 'Create' }).click();
    await admin.getByRole('link', { name: 'VirtualMachine web-2' }).click();
    await admin.getByRole('heading', { level: 1, name: 'VirtualMachine web-2' }).waitFor();
    await waitForText(admin.locator('dl.summary dd'), /^PoweredOn$/);
    expect(await sameDocument(admin)).toBe(true);
    expect(new URL(admin.url()).pathname).toBe(`/console/r${vmPath}`);
  });

  it('powers the VM off from its page and shows both changes in its history', async () => {
    await admin.getByRole('button', { name: 'Power off' }).click();
    await waitForText(admin.locator('dl.summary dd'), /^PoweredOff$/);
    const history = admin.getByRole('list', { name: 'History' }).locator(':scope > li');
    await waitForText(history, /^Created by admin/);
    const powerChange = history.filter({ hasText: /^Changed by admin/ }).filter({ hasText: 'spec.powerState' });
    await waitForText(powerChange, 'PoweredOff');
    expect(await powerChange.first().locator('tbody tr', { hasText: 'spec.powerState' }).locator('td pre').allTextContents()).toEqual(['"PoweredOn"', '"PoweredOff"']);
    expect(await sameDocument(admin)).toBe(true);
    await screenshot(admin, 'object-history');
  });

  it("opens a VM's console from its page: the boot line and login prompt arrive, and the panel says why it closed", async () => {
    await kubectlOk(cluster, ['apply', '-f', '-'], consoleVmYaml);
    await gotoPage(admin, consoleUrl(cluster, `r${consoleVmPath}`), 'load', CONSOLE_DRAWN);
    await admin.getByRole('heading', { level: 1, name: `VirtualMachine ${CONSOLE_VM}` }).waitFor();
    await waitForText(admin.locator('dl.summary dd'), /^PoweredOn$/);
    const open = admin.getByRole('button', { name: 'Open console', exact: true });
    // On and placed: the button no longer says why it cannot open one.
    await eventually(async () => expect(await open.getAttribute('aria-disabled')).toBeNull(), { timeoutMs: UI_TIMEOUT_MS });
    await open.click();
    // A key pair in the page, a VirtualMachineWebConsoleRequest, VM Operator's encrypted ticket, the ticket's WebSocket.
    const panel = admin.getByRole('dialog', { name: `Console of ${CONSOLE_VM}` });
    const log = panel.getByRole('log', { name: `Console output of ${CONSOLE_VM}` });
    await waitForText(log, `Booting ${CONSOLE_VM}`);
    await waitForText(log, `${CONSOLE_VM} login:`);
    expect(await admin.evaluate(() => Boolean(document.activeElement?.closest('dialog[open]')))).toBe(true);
    expect(await checkAccessibility(admin)).toEqual([]);
    await screenshot(admin, 'vm-console');

    // The request behind it, from the log: created by the admin, answered by vm-operator, its ticket spent by the gateway.
    const requestName = (await panel.locator('code').textContent())!.trim();
    expect(requestName).toMatch(new RegExp(`^${CONSOLE_VM}-console-[a-z0-9]{5}$`));
    expect((await webConsoleRequestHistory(cluster, requestName)).slice(0, 3)).toEqual([
      'ResourceCreated api-gateway admin',
      expect.stringMatching(/^ResourceUpdated vm-operator /),
      expect.stringMatching(/^ResourceUpdated api-gateway /),
    ]);

    // The VM powers off: its last lines, then the gateway closes the console and the panel says why.
    await kubectlOk(cluster, ['patch', 'vm', CONSOLE_VM, '-n', NS, '--type=merge', '-p', '{"spec":{"powerState":"PoweredOff"}}']);
    await waitForText(panel.getByRole('status'), 'Console closed: the VM powered off.');
    expect(await log.textContent()).toMatch(/powered off \(\w+\)\n$/);

    // Escape closes the panel; focus goes back to the button, which now says why there is no console.
    await admin.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    expect(await admin.evaluate(() => document.activeElement?.textContent)).toBe('Open console');
    await waitForText(admin.locator('dl.summary dd'), /^PoweredOff$/);
    await waitForText(admin.locator('.action .hint'), 'The VM is PoweredOff: its console opens once it is powered on.');
    expect(await open.getAttribute('aria-disabled')).toBe('true');
  });

  it('lists the namespace with its VM', async () => {
    await admin.getByRole('link', { name: `Namespace ${NS}` }).click();
    const vms = admin.getByRole('region', { name: /^Virtual machines/ });
    await waitForText(vms.getByRole('row'), /web-2\s*PoweredOff/);
    await screenshot(admin, 'namespace');
  });

  it("shows what the hosts and a pod use, from metrics.k8s.io, beside what the pods request", async () => {
    await kubectlOk(cluster, ['run', 'idle', '-n', NS, '--image=busybox', '--', 'sleep', '3600']);
    const pods = admin.getByRole('region', { name: /^Pods/ });
    // Name, Phase, Ready, Node, IP, CPU, Memory, Age: once sampled, the pod's CPU in millicores and its memory.
    await waitForText(pods.getByRole('row'), /idle\s*Running.*\d+m\s*\d+(\.\d+)?(Ki|Mi)?/);
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Hosts' }).click();
    for (const host of ['host-1', 'host-2', 'host-3']) {
      const card = admin.getByRole('region', { name: host });
      await card.getByRole('meter', { name: /^CPU used: \d+(\.\d+)?m? of \d+(\.\d+)?m?$/ }).waitFor({ timeout: UI_TIMEOUT_MS });
      await card.getByRole('meter', { name: /^Memory used: \d+(\.\d+)?(Ki|Mi|Gi)? of \d+(\.\d+)?(Mi|Gi|Ti)$/ }).waitFor({ timeout: UI_TIMEOUT_MS });
    }
    await screenshot(admin, 'hosts');
  });

  it('shows the admin the audit records of what the test did', async () => {
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    await admin.getByLabel('User').fill('admin');
    await admin.getByLabel('Resource').fill('virtualmachines');
    await admin.getByRole('button', { name: 'Filter' }).click();
    const rows = admin.getByRole('table', { name: /Audit records/ }).locator('tbody tr');
    await waitForText(rows.filter({ hasText: 'web-2' }), /create/);
    await waitForText(rows.filter({ hasText: 'web-2' }), /patch/);
    await screenshot(admin, 'audit');
  });

  it('has no serious or critical accessibility violations on the main pages', async () => {
    const page = await (await newContext(browser)).newPage();
    await gotoPage(page, consoleUrl(cluster), 'load', CONSOLE_DRAWN);
    await page.getByLabel('Token').waitFor();
    const found = { 'sign-in': await checkAccessibility(page) };
    await signIn(page, cluster, cluster.token);
    const pages: Record<string, string> = { hosts: 'hosts', namespaces: 'namespaces', namespace: `namespaces/${NS}`, create: 'create', audit: 'audit', object: `r${vmPath}` };
    for (const [name, route] of Object.entries(pages)) {
      await page.getByRole('navigation', { name: 'Main' }).waitFor();
      await page.evaluate((to) => {
        history.pushState(null, '', to);
        dispatchEvent(new PopStateEvent('popstate'));
      }, `/console/${route}`);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await page.getByRole('status').filter({ hasText: /^Loading/ }).first().waitFor({ state: 'detached' });
      Object.assign(found, { [name]: await checkAccessibility(page) });
    }
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((k) => [k, []])));
    await page.context().close();
  });

  it('cordons and uncordons a host from its card, and the Host says so', async () => {
    const hostPath = '/apis/infrastructure.openpacific.io/v1alpha1/hosts/host-3';
    const unschedulable = async () => Boolean((await cluster.request('GET', hostPath)).json().spec?.unschedulable);
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Hosts' }).click();
    const card = admin.getByRole('region', { name: 'host-3' });
    // exact: by default a role's name matches any button whose name contains it, and "Uncordon host-3" does.
    await admin.getByRole('button', { name: 'Cordon host-3', exact: true }).click();
    await admin.getByRole('button', { name: 'Uncordon host-3' }).waitFor({ timeout: UI_TIMEOUT_MS });
    await waitForText(card, /cordoned/);
    expect(await unschedulable()).toBe(true);
    await admin.getByRole('button', { name: 'Uncordon host-3' }).click();
    await admin.getByRole('button', { name: 'Cordon host-3', exact: true }).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await unschedulable()).toBe(false);
  });

  it("scales a TKC's node pool from its page: the TKC and its MachineDeployment say so, and a refusal shows the API's message", async () => {
    const pools = async () => (await cluster.request('GET', tkcPath)).json().spec?.topology?.nodePools?.map((p: any) => [p.name, p.replicas]);
    const mdReplicas = async () => (await cluster.request('GET', mdPath)).json().spec?.replicas;
    await kubectlOk(cluster, ['apply', '-f', '-'], tkcSetUp.map((o) => stringify(o)).join('---\n'));
    // Cluster API's MachineDeployment of the pool is made from the TKC; the scale below must move it.
    await eventually(async () => expect(await mdReplicas()).toBe(1), { timeoutMs: UI_TIMEOUT_MS });
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Namespaces' }).click();
    await admin.getByRole('list', { name: 'Namespaces' }).getByRole('link', { name: NS, exact: true }).click();
    await admin.getByRole('region', { name: /^Tanzu Kubernetes clusters/ }).getByRole('link', { name: 'tkc-1', exact: true }).click();
    await admin.getByRole('heading', { level: 1, name: 'TanzuKubernetesCluster tkc-1', exact: true }).waitFor();
    const replicas = admin.getByRole('spinbutton', { name: 'Replicas of node pool workers', exact: true });
    const scale = admin.getByRole('button', { name: 'Scale workers', exact: true });
    expect(await replicas.inputValue()).toBe('1');
    await markDocument(admin);
    await replicas.fill('2');
    await scale.click();
    await eventually(async () => {
      expect(await pools()).toEqual([['workers', 2]]);
      expect(await mdReplicas()).toBe(2);
    }, { timeoutMs: UI_TIMEOUT_MS });
    // The page follows the TKC (its watch): the spec it shows says 2 without a reload.
    await waitForText(admin.getByLabel('Spec YAML'), /replicas: 2/);
    expect(await sameDocument(admin)).toBe(true);

    // Counts the API refuses (a fraction, a negative count; an emptied box, which must not mean 0): its Status message is shown
    // next to the Scale button, and nothing changed.
    const alert = admin.locator('.action', { has: scale }).getByRole('alert');
    for (const [typed, sent] of [['1.5', 1.5], ['-1', -1], ['', '']] as const) {
      const refused = await cluster.request('PATCH', tkcPath, {
        headers: { 'content-type': 'application/json-patch+json' },
        body: [{ op: 'replace', path: '/spec/topology/nodePools/0/replicas', value: sent }],
      });
      expect(refused.status).toBe(422);
      const message: string = refused.json().message;
      expect(message).toContain('spec.topology.nodePools[0].replicas');
      await replicas.fill(typed);
      await scale.click();
      await waitForText(alert, message);
      expect(await alert.textContent()).toBe(message);
      expect(await pools()).toEqual([['workers', 2]]);
      expect(await mdReplicas()).toBe(2);
    }
    // Its guest machines are not what this test is about: deleting the TKC stops them booting on the busy machine.
    await kubectlOk(cluster, ['delete', 'tanzukubernetescluster', 'tkc-1', '-n', NS, '--wait=false']);
  });

  describe('as a viewer', () => {
    let viewer: Page;
    const viewerToken = () => userToken(cluster, 'viewer');

    it('signs in with a kubeconfig file whose current context is the viewer', async () => {
      const kubeconfig = parse(readFileSync(cluster.kubeconfig, 'utf8'));
      kubeconfig['current-context'] = 'viewer@openpacific';
      const file = join(mkdtempSync(join(tmpdir(), 'console-kubeconfig-')), 'kubeconfig');
      writeFileSync(file, stringify(kubeconfig));
      viewer = await (await newContext(browser)).newPage();
      await gotoPage(viewer, consoleUrl(cluster), 'load', CONSOLE_DRAWN);
      try {
        await viewer.getByLabel('Or choose a kubeconfig file').setInputFiles(file);
        await waitForText(viewer.locator('header .user'), 'viewer');
      } finally {
        rmSync(dirname(file), { recursive: true, force: true });
      }
    });

    it('sees the VM but no Delete, Edit or power buttons, and no audit view', async () => {
      const answers = accessAnswers(viewer);
      await gotoPage(viewer, consoleUrl(cluster, `r${vmPath}`), 'load', CONSOLE_DRAWN);
      await viewer.getByRole('heading', { level: 1, name: 'VirtualMachine web-2' }).waitFor();
      await waitForText(viewer.locator('dl.summary dd'), /^PoweredOff$/);
      await viewer.getByRole('list', { name: 'History' }).locator('li').first().waitFor();
      // The console asked and was refused: the buttons are absent by its decision, not because it has not asked yet.
      const asked = ['update virtualmachines', 'patch virtualmachines', 'delete virtualmachines', 'create virtualmachinewebconsolerequests', 'list auditrecords'];
      await eventually(() => expect(asked.map((q) => answers.get(q))).toEqual([false, false, false, false, false]), { timeoutMs: UI_TIMEOUT_MS });
      await settled(viewer);
      for (const name of ['Delete', 'Edit', 'Power on', 'Power off', 'Restart', 'Open console']) {
        expect(await viewer.getByRole('button', { name, exact: true }).count()).toBe(0);
      }
      const nav = viewer.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Create' }).waitFor();
      expect(await nav.getByRole('link', { name: 'Audit' }).count()).toBe(0);
    });

    it('gets the 403 when it calls the API anyway, and the console shows the Status message', async () => {
      const status = await viewer.evaluate(async ({ path, token }) => {
        const res = await fetch(path, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
        return { code: res.status, body: await res.json() };
      }, { path: vmPath, token: viewerToken() });
      expect(status).toMatchObject({ code: 403, body: { kind: 'Status', reason: 'Forbidden' } });
      expect(status.body.message).toContain('User "viewer" cannot delete resource "virtualmachines"');

      await viewer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Create' }).click();
      await viewer.getByLabel('YAML', { exact: true }).fill(vmYaml.replace('web-2', 'web-3'));
      await viewer.getByRole('button', { name: 'Create' }).click();
      await waitForText(viewer.getByRole('alert'), 'User "viewer" cannot create resource "virtualmachines"');
      await viewer.context().close();
    });
  });
});

