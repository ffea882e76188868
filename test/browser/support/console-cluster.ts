import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { parseAllDocuments, stringify } from 'yaml';
import { gotoPage, startCluster, TestCluster } from '@openpacific/testing';
import { CONSOLE_DRAWN } from './browser';

/** Generous: the whole cluster and the browser share two busy cores. */
export const UI_TIMEOUT_MS = 60_000;

/** A local cluster of three hosts with quick sim VMs and usage sampled every second, for the console to show. */
export async function startConsoleCluster(label: string): Promise<TestCluster> {
  const cluster = await startCluster({ label, hostCount: 3, env: { SIM_VM_BOOT_MS: '200', HOST_REBOOT_DELAY_MS: '0', METRICS_INTERVAL_MS: '1000' } });
  try {
    await cluster.hostsReady(3);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

/** The namespace both browsers' tests work in. */
export const NS = 'vm-team';
/** The VM as the console routes to it: at the version of the YAML that created it. */
export const vmPath = `/apis/vmoperator.vmware.com/v1alpha3/namespaces/${NS}/virtualmachines/web-2`;
/** The VM the tests create in the console. */
export const vmYaml = stringify({
  apiVersion: 'vmoperator.vmware.com/v1alpha3',
  kind: 'VirtualMachine',
  metadata: { name: 'web-2', namespace: NS },
  spec: { className: 'best-effort-small', imageName: 'vmi-0a1b2c3d4e5f67890', storageClass: 'vsan-default-storage-policy', powerState: 'PoweredOn' },
});

/** The VM whose console the tests open from its page (applied with kubectl; on, so it boots and shows a login prompt). */
export const CONSOLE_VM = 'web-console-1';
export const consoleVmPath = `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachines/${CONSOLE_VM}`;
export const consoleVmYaml = stringify({
  apiVersion: 'vmoperator.vmware.com/v1alpha5',
  kind: 'VirtualMachine',
  metadata: { name: CONSOLE_VM, namespace: NS },
  spec: { className: 'best-effort-small', imageName: 'vmi-0a1b2c3d4e5f67890', storageClass: 'vsan-default-storage-policy', powerState: 'PoweredOn' },
});
/** The history of the VirtualMachineWebConsoleRequest a console was opened with, oldest first, as `type source actor`. */
export async function webConsoleRequestHistory(cluster: TestCluster, name: string): Promise<string[]> {
  const res = await cluster.request('GET', `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachinewebconsolerequests/${name}/history`);
  if (res.status !== 200) throw new Error(`history of ${name}: ${res.status}`);
  return res.json().items.map((i: any) => `${i.type} ${i.source} ${i.actor}`);
}

/** The namespace, the class and image of the VM e2e test, and the viewer's `view` binding in it. */
export async function setUpConsoleNamespace(cluster: TestCluster): Promise<void> {
  const classAndImage = parseAllDocuments(readFileSync(join(__dirname, '..', '..', 'e2e', 'manifests', 'vm-basics.yaml'), 'utf8'))
    .map((d) => d.toJS())
    .filter((o) => ['VirtualMachineClass', 'VirtualMachineImage'].includes(o.kind));
  await kubectlOk(cluster, ['create', 'namespace', NS]);
  await kubectlOk(cluster, ['apply', '-f', '-'], classAndImage.map((o) => stringify(o)).join('---\n'));
  await kubectlOk(cluster, ['apply', '-f', '-'], stringify({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'viewer-view', namespace: NS },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [{ kind: 'User', name: 'viewer', apiGroup: 'rbac.authorization.k8s.io' }],
  }));
}

export function consoleUrl(cluster: TestCluster, route = ''): string {
  return new URL(`/console/${route}`, cluster.server).toString();
}

/** The token of a local user the launcher made (developer, viewer). */
export function userToken(cluster: TestCluster, user: string): string {
  return readFileSync(join(cluster.dataDir, 'user-tokens', `${user}.token`), 'utf8').trim();
}

export async function kubectlOk(cluster: TestCluster, args: string[], input?: string): Promise<string> {
  const res = await cluster.kubectl(args, input === undefined ? {} : { input });
  if (res.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${res.stderr}`);
  return res.stdout;
}

/** Opens the console and signs in with a token typed into the form, submitted with Enter. */
export async function signIn(page: Page, cluster: TestCluster, token: string): Promise<void> {
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  await gotoPage(page, consoleUrl(cluster), 'load', CONSOLE_DRAWN);
  await page.getByLabel('Token').fill(token);
  await page.getByLabel('Token').press('Enter');
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** Waits until one of the locator's elements shows the text (Playwright's auto-waiting; no sleeps). */
export async function waitForText(locator: Locator, text: RegExp | string): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor({ timeout: UI_TIMEOUT_MS });
}
