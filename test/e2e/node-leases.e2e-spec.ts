import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { kubectlJson } from './support/kubectl-json';
import { KubectlWatch, startKubectlWatch } from './support/kubectl-watch';

/**
 * kube-node-lease's Leases through the real kubectl: one per host, named as its Node, held and owned by it, renewed
 * from the heartbeats the gateway hears (never stored: heartbeats are not events); a watch sees the renewals; writes
 * are refused with 403; Leases of other namespaces work as before and list beside them.
 */
describe('node Leases', () => {
  let cluster: TestCluster;
  let watch: KubectlWatch | undefined;
  const kubectl = (args: string[], input?: string) => cluster.kubectl(args, input === undefined ? undefined : { input });
  const json = (args: string[]) => kubectlJson(cluster, args);
  const HOSTS = ['host-1', 'host-2'];

  beforeAll(async () => {
    cluster = await startCluster({ label: 'node-leases', hostCount: HOSTS.length });
    await cluster.hostsReady(HOSTS.length);
  }, 180_000);
  afterAll(async () => {
    watch?.stop();
    await cluster?.stop();
  }, 60_000);

  it('has the kube-node-lease namespace, with one Lease per host held by it', async () => {
    expect((await kubectl(['get', 'namespace', 'kube-node-lease'])).stdout).toMatch(/\nkube-node-lease\s+Active\s+\d+/);
    const table = await kubectl(['get', 'leases', '-n', 'kube-node-lease']);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+HOLDER\s+AGE$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2))).toEqual(HOSTS.map((h) => [h, h]));
  });

  it('shows a Lease as kubelet keeps it, owned by its Node, its renewTime moving', async () => {
    const node = await json(['get', 'node', 'host-1']);
    const lease = await json(['get', 'lease', 'host-1', '-n', 'kube-node-lease']);
    expect(lease.metadata).toMatchObject({ name: 'host-1', namespace: 'kube-node-lease', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'host-1', uid: node.metadata.uid }] });
    expect(lease.spec).toMatchObject({ holderIdentity: 'host-1', leaseDurationSeconds: 40 });
    expect(lease.spec.renewTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    // acquireTime: when the host's current run began (its registration), after the Node was made and before the renewal.
    expect(lease.spec.acquireTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    expect(Date.parse(lease.spec.acquireTime)).toBeGreaterThanOrEqual(Date.parse(node.metadata.creationTimestamp));
    expect(Date.parse(lease.spec.acquireTime)).toBeLessThanOrEqual(Date.parse(lease.spec.renewTime));
    const renewed = await eventually(async () => {
      const later = await json(['get', 'lease', 'host-1', '-n', 'kube-node-lease']);
      if (Date.parse(later.spec.renewTime) <= Date.parse(lease.spec.renewTime)) throw new Error(`not renewed yet: ${later.spec.renewTime}`);
      return later;
    }, { timeoutMs: 40_000, intervalMs: 1_000 });
    expect(BigInt(renewed.metadata.resourceVersion)).toBeGreaterThan(BigInt(lease.metadata.resourceVersion));
    expect(renewed.metadata.uid).toBe(lease.metadata.uid);
    // The Node's conditions say when the host last heartbeat, the Lease's renewal to the second (kubectl describe
    // printed year 1 without it).
    const heartbeats = (await json(['get', 'node', 'host-1'])).status.conditions.map((c: any) => Date.parse(c.lastHeartbeatTime));
    expect(heartbeats.length).toBeGreaterThan(0);
    for (const at of heartbeats) expect(Math.abs(at - Date.parse(renewed.spec.renewTime))).toBeLessThan(15_000);
    expect((await kubectl(['describe', 'node', 'host-1'])).stdout).not.toContain('Mon, 01 Jan 0001');
  });

  it('delivers each renewal to a watch as MODIFIED', async () => {
    watch = startKubectlWatch(cluster, ['get', 'leases', '-n', 'kube-node-lease', '-w', '--output-watch-events']);
    await eventually(async () => {
      for (const host of HOSTS) if (!new RegExp(`\\bMODIFIED\\s+${host}\\s+${host}\\s`).test(watch!.output())) throw new Error(watch!.output());
    }, { timeoutMs: 40_000, intervalMs: 1_000 });
    expect(watch.output()).toMatch(/^EVENT\s+NAME\s+HOLDER\s+AGE\nADDED\s+host-1\s+host-1\s/);
    watch.stop();
  });

  it('refuses every write to kube-node-lease\'s Leases with 403 Forbidden', async () => {
    const message = 'is forbidden: the Leases in kube-node-lease are kept by the hosts\' heartbeats and cannot be written';
    const deleted = await kubectl(['delete', 'lease', 'host-1', '-n', 'kube-node-lease']);
    expect(deleted.code).not.toBe(0);
    expect(deleted.stderr).toContain(`Error from server (Forbidden): leases.coordination.k8s.io "host-1" ${message}`);
    const annotated = await kubectl(['annotate', 'lease', 'host-1', '-n', 'kube-node-lease', 'x=y']);
    expect(annotated.stderr).toContain(`leases.coordination.k8s.io "host-1" ${message}`);
    const created = await cluster.request('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', {
      body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'host-9' }, spec: { holderIdentity: 'host-9' } },
    });
    expect(created.status).toBe(403);
    expect(created.json()).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403, details: { group: 'coordination.k8s.io', kind: 'leases' } });
    expect((await kubectl(['get', 'lease', 'host-9', '-n', 'kube-node-lease'])).stderr).toContain('leases.coordination.k8s.io "host-9" not found');
    expect((await json(['get', 'lease', 'host-1', '-n', 'kube-node-lease'])).metadata.annotations).toBeUndefined();
  });

  it('keeps the other namespaces\' Leases working, listed beside the node Leases', async () => {
    const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'my-controller' }, spec: { holderIdentity: 'pod-a', leaseDurationSeconds: 15 } };
    expect((await kubectl(['apply', '-f', '-'], JSON.stringify(lease))).stdout).toBe('lease.coordination.k8s.io/my-controller created\n');
    expect((await kubectl(['delete', 'lease', 'my-controller'])).stdout).toBe('lease.coordination.k8s.io "my-controller" deleted\n');
    expect((await kubectl(['apply', '-f', '-'], JSON.stringify(lease))).code).toBe(0);
    const all = await kubectl(['get', 'leases', '-A']);
    const rows = all.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/\s+/));
    expect(rows.map(([ns, name]) => `${ns}/${name}`)).toEqual(expect.arrayContaining(['default/my-controller', 'kube-node-lease/host-1', 'kube-node-lease/host-2']));
    expect(rows.some(([ns, name]) => ns === 'kube-system' && name.startsWith('apiserver-'))).toBe(true);
  });
});
