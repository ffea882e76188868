import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { kubectlJson } from './support/kubectl-json';

/**
 * vSphere Zones through the real kubectl: the hosts' zone labels make AvailabilityZones, a new namespace gets a Zone
 * of each, VMs are placed in their namespace's zones (or the one their label names) and carry their zone, an admin's
 * deletion of a namespace's Zone keeps it out of that zone for good, and a VM naming a zone its namespace has not is
 * refused with VM Operator's words.
 */
const NS = 'zoned';
const ZONE = 'topology.kubernetes.io/zone';
const VMOP = 'vmoperator.vmware.com/v1alpha5';
const ZONES_PATH = `/apis/topology.tanzu.vmware.com/v1alpha1/namespaces/${NS}/zones`;
/** host-1 is zone-a; host-2 and host-3 are zone-b. */
const HOST_ZONES: [string, string][] = [['host-1', 'zone-a'], ['host-2', 'zone-b'], ['host-3', 'zone-b']];

const vm = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: VMOP,
  kind: 'VirtualMachine',
  metadata: { name, namespace: NS, labels: { app: 'web', ...labels } },
  spec: { className: 'small', imageName: 'vmi-web', storageClass: 'vsan-default-storage-policy', powerState: 'PoweredOn' },
});

const setup = [
  { apiVersion: VMOP, kind: 'VirtualMachineClass', metadata: { name: 'small', namespace: NS }, spec: { hardware: { cpus: 1, memory: '256Mi' } } },
  { apiVersion: VMOP, kind: 'VirtualMachineImage', metadata: { name: 'vmi-web', namespace: NS }, spec: { providerRef: { apiVersion: 'imageregistry.vmware.com/v1alpha1', kind: 'ContentLibraryItem', name: 'clitem-web' } } },
];

describe('vSphere Zones', () => {
  let cluster: TestCluster;
  const apply = (obj: any) => cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(obj) });
  const getJson = (args: string[]) => kubectlJson(cluster, ['get', ...args]);
  const names = (table: string) => table.split('\n').slice(1).filter(Boolean).map((line) => line.split(/\s+/)[0]);
  /** The VM once placed: its host, its zone label and status.zone. */
  const placement = (name: string) => eventually(async () => {
    const object = await getJson(['vm', name, '-n', NS]);
    expect(object.status?.nodeName).toBeTruthy();
    return { host: object.status.nodeName as string, label: object.metadata.labels?.[ZONE] as string | undefined, zone: object.status.zone as string | undefined };
  }, { timeoutMs: 60_000 });

  beforeAll(async () => {
    cluster = await startCluster({ label: 'zones', env: { SIM_VM_BOOT_MS: '200' } });
    await cluster.hostsReady(3);
    for (const [host, zone] of HOST_ZONES) expect((await cluster.kubectl(['label', 'node', host, `${ZONE}=${zone}`])).code).toBe(0);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('serves AvailabilityZone (az, cluster-wide) and Zone (namespaced), and makes an AvailabilityZone per zone of the hosts', async () => {
    const resources = (await cluster.kubectl(['api-resources', '--api-group=topology.tanzu.vmware.com'])).stdout;
    expect(resources).toMatch(/^availabilityzones\s+az\s+topology\.tanzu\.vmware\.com\/v1alpha1\s+false\s+AvailabilityZone/m);
    expect(resources).toMatch(/^zones\s+topology\.tanzu\.vmware\.com\/v1alpha1\s+true\s+Zone\s*$/m);
    await eventually(async () => {
      const table = await cluster.kubectl(['get', 'availabilityzones']);
      expect(table.stdout.split('\n')[0].split(/\s+/).filter(Boolean)).toEqual(['NAME', 'AGE']);
      expect(names(table.stdout)).toEqual(['zone-a', 'zone-b']);
    }, { timeoutMs: 30_000 });
    await eventually(async () => {
      const az = await getJson(['az', 'zone-b']);
      expect(az.spec.clusterComputeResourceMoIDs).toEqual(['host-2', 'host-3']);
    }, { timeoutMs: 30_000 });
  });

  it('gives a new namespace a Zone of each AvailabilityZone', async () => {
    expect((await cluster.kubectl(['create', 'namespace', NS])).code).toBe(0);
    await eventually(async () => expect(names((await cluster.kubectl(['get', 'zones', '-n', NS])).stdout)).toEqual(['zone-a', 'zone-b']), { timeoutMs: 30_000 });
    const zone = await getJson(['zone', 'zone-b', '-n', NS]);
    expect(zone.spec.availabilityZoneReference).toEqual({ apiVersion: 'topology.tanzu.vmware.com/v1alpha1', name: 'zone-b' });
    expect(zone.spec.namespace.clusterMoIDs).toEqual(['host-2', 'host-3']);
    await eventually(async () => expect(Object.keys((await getJson(['az', 'zone-a'])).spec.namespaces ?? {})).toContain(NS), { timeoutMs: 30_000 });
    expect((await apply({ apiVersion: 'v1', kind: 'List', items: setup })).stderr).toBe('');
  }, 60_000);

  it('places a VM labelled with a zone in that zone, with status.zone', async () => {
    expect((await apply(vm('pinned', { [ZONE]: 'zone-a' }))).stderr).toBe('');
    expect(await placement('pinned')).toEqual({ host: 'host-1', label: 'zone-a', zone: 'zone-a' });
  }, 90_000);

  it('gives a VM without a zone label the zone of the host it was placed on', async () => {
    expect((await apply(vm('free'))).stderr).toBe('');
    const placed = await placement('free');
    const zoneOf = new Map(HOST_ZONES);
    expect(placed.label).toBe(zoneOf.get(placed.host));
    expect(placed.zone).toBe(zoneOf.get(placed.host));
  }, 90_000);

  it('keeps new VMs out of a zone an admin removed from the namespace, and never brings that Zone back', async () => {
    expect((await cluster.kubectl(['delete', 'zone', 'zone-b', '-n', NS])).code).toBe(0);
    await eventually(async () => expect(names((await cluster.kubectl(['get', 'zones', '-n', NS])).stdout)).toEqual(['zone-a']), { timeoutMs: 30_000 });
    for (const name of ['after-1', 'after-2', 'after-3']) expect((await apply(vm(name))).stderr).toBe('');
    for (const name of ['after-1', 'after-2', 'after-3']) expect(await placement(name)).toEqual({ host: 'host-1', label: 'zone-a', zone: 'zone-a' });
    // The zone controller passed over the namespace many times since (three VMs were placed): the Zone's history ends
    // with the admin's deletion, with no second life.
    const history = (await cluster.request('GET', `${ZONES_PATH}/zone-b/history`)).json().items.map((i: any) => i.type);
    expect(history.filter((t: string) => t === 'ResourceCreated')).toHaveLength(1);
    expect(history[history.length - 1]).toBe('ResourceDeleted');
    expect((await cluster.kubectl(['get', 'zone', 'zone-b', '-n', NS])).stderr).toContain('NotFound');
  }, 120_000);

  it("keeps the namespace's pods and daemon pods in its zones too: a pod asking for a zone it lost waits, saying why", async () => {
    // zone-b was removed from the namespace above: of host-1 (zone-a), host-2 and host-3 (zone-b) only host-1 is its.
    expect((await cluster.kubectl(['create', 'deployment', 'zd', '--image=busybox', '--replicas=3', '-n', NS, '--', 'sleep', '3600'])).code).toBe(0);
    await eventually(async () => {
      const pods = (await getJson(['pods', '-n', NS, '-l', 'app=zd'])).items;
      expect(pods).toHaveLength(3);
      expect(pods.map((p: any) => p.spec.nodeName)).toEqual(['host-1', 'host-1', 'host-1']);
    }, { timeoutMs: 60_000 });
    const pinned = JSON.stringify({ spec: { nodeSelector: { [ZONE]: 'zone-b' } } });
    expect((await cluster.kubectl(['run', 'zb', '-n', NS, '--image=busybox', `--overrides=${pinned}`, '--', 'sleep', '3600'])).code).toBe(0);
    const waiting = await eventually(async () => {
      const pod = await getJson(['pod', 'zb', '-n', NS]);
      const condition = (pod.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled');
      expect(condition?.status).toBe('False');
      return { pod, condition };
    }, { timeoutMs: 30_000 });
    expect(waiting.pod.spec.nodeName).toBeUndefined();
    expect(waiting.condition.message).toBe(`0/3 hosts are available: 1 host(s) didn't match Pod's node affinity/selector, 2 host(s) were not in a zone of namespace "${NS}" (zone-a). preemption: 0/3 hosts are available: 3 Preemption is not helpful for scheduling..`);
    const ds = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'zds', namespace: NS }, spec: { selector: { matchLabels: { app: 'zds' } }, template: { metadata: { labels: { app: 'zds' } }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] } } } };
    expect((await apply(ds)).stderr).toBe('');
    await eventually(async () => {
      expect((await getJson(['ds', 'zds', '-n', NS])).status?.desiredNumberScheduled).toBe(1);
      expect((await getJson(['pods', '-n', NS, '-l', 'app=zds'])).items.map((p: any) => p.spec.nodeName ?? p.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.values?.[0])).toEqual(['host-1']);
    }, { timeoutMs: 30_000 });
    for (const args of [['deployment', 'zd'], ['pod', 'zb'], ['ds', 'zds']]) expect((await cluster.kubectl(['delete', ...args, '-n', NS, '--wait=false'])).code).toBe(0);
  }, 120_000);

  it('refuses a VM naming a zone the namespace has not, with a 422 in VM Operator words, writing nothing', async () => {
    for (const zone of ['zone-x', 'zone-b']) {
      const refused = await apply(vm(`bad-${zone}`, { [ZONE]: zone }));
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain(`metadata.labels[${ZONE}]: Invalid value: "${zone}": zones.topology.tanzu.vmware.com "${zone}" not found`);
      expect((await cluster.kubectl(['get', 'vm', `bad-${zone}`, '-n', NS])).stderr).toContain('NotFound');
    }
    const raw = await cluster.request('POST', `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachines`, { body: vm('bad-raw', { [ZONE]: 'zone-x' }) });
    expect(raw.status).toBe(422);
    expect(raw.json().details.causes).toEqual([{ field: `metadata.labels[${ZONE}]`, reason: 'FieldValueInvalid', message: 'Invalid value: "zone-x": zones.topology.tanzu.vmware.com "zone-x" not found' }]);
  });

  it('makes no VM of a VirtualMachineReplicaSet whose template names a zone the namespace has not: FailedCreate in the webhook\'s words', async () => {
    const set = {
      apiVersion: VMOP, kind: 'VirtualMachineReplicaSet', metadata: { name: 'far', namespace: NS },
      spec: { replicas: 2, selector: { matchLabels: { app: 'far' } }, template: { metadata: { labels: { app: 'far', [ZONE]: 'zone-x' } }, spec: vm('x').spec } },
    };
    expect((await apply(set)).code).toBe(0);
    const event = await eventually(async () => {
      const items = (await getJson(['events', '-n', NS, '--field-selector', 'involvedObject.name=far,reason=FailedCreate'])).items;
      expect(items).toHaveLength(1);
      return items[0];
    }, { timeoutMs: 30_000 });
    expect(event.type).toBe('Warning');
    expect(event.message).toMatch(new RegExp(`^Error creating: VirtualMachine "far-[a-z0-9]{5}" is invalid: metadata\\.labels\\[${ZONE.replace(/\./g, '\\.')}\\]: Invalid value: "zone-x": zones\\.topology\\.tanzu\\.vmware\\.com "zone-x" not found$`));
    expect((await getJson(['vm', '-n', NS, '-l', 'app=far'])).items).toEqual([]);
    expect((await cluster.kubectl(['delete', 'vmrs', 'far', '-n', NS])).code).toBe(0);
  });

  it("refuses to change a placed VM's zone label", async () => {
    const changed = await cluster.kubectl(['label', 'vm', 'pinned', `${ZONE}=zone-b`, '--overwrite', '-n', NS]);
    expect(changed.code).not.toBe(0);
    expect(changed.stderr).toContain(`metadata.labels[${ZONE}]: Invalid value: "zone-b": field is immutable`);
    expect((await getJson(['vm', 'pinned', '-n', NS])).metadata.labels[ZONE]).toBe('zone-a');
  });
});
