import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { conditionOf, kubectlApply, kubectlJson } from './support/kubectl-json';

const NS = 'tkg-zones';
const ZONE = 'topology.kubernetes.io/zone';
const HOST_ZONES: Record<string, string> = { 'host-1': 'zone-a', 'host-2': 'zone-b', 'host-3': 'zone-c' };
const FAILURE_DOMAINS = { 'zone-a': { controlPlane: true }, 'zone-b': { controlPlane: true }, 'zone-c': { controlPlane: true } };
/** The VM class and images of manifests/tkc-basics.yaml, in this namespace (its TanzuKubernetesCluster left out). */
const supportingManifests = readFileSync(join(__dirname, 'manifests', 'tkc-basics.yaml'), 'utf8')
  .split(/^---$/m)
  .filter((doc) => !doc.includes('kind: TanzuKubernetesCluster'))
  .map((doc) => doc.replace(/namespace: tkg-team/g, `namespace: ${NS}`))
  .join('---');
const tkc = (name: string, controlPlaneReplicas: number, pool: Record<string, unknown>) => ({
  apiVersion: 'run.tanzu.vmware.com/v1alpha3', kind: 'TanzuKubernetesCluster', metadata: { name, namespace: NS },
  spec: {
    topology: {
      controlPlane: { replicas: controlPlaneReplicas, vmClass: 'best-effort-small', storageClass: 'vsan-default-storage-policy', tkr: { reference: { name: 'ob-22-tkr-v1-29' } } },
      nodePools: [{ name: 'workers', replicas: 2, vmClass: 'best-effort-small', storageClass: 'vsan-default-storage-policy', ...pool }],
    },
  },
});

/**
 * A guest cluster on a Supervisor with three vSphere Zones (its hosts labelled zone-a, zone-b, zone-c): the
 * TanzuKubernetesCluster's control plane is spread one machine per zone, its pool pinned to the zone its
 * failureDomain names, each Machine's VM labelled with its zone and placed on a host of it, and the Machine reporting
 * that zone as its status.failureDomain; a worker annotated cluster.x-k8s.io/delete-machine goes first when the pool
 * shrinks. A pool naming a zone the namespace lacks is refused by the TKC webhook; a Machine written by hand in such a
 * zone gets no VM, its VSphereMachine saying why (VM Operator's webhook refusing the VM).
 */
describe('guest clusters across vSphere Zones', () => {
  let cluster: TestCluster;
  const machinesOf = async (clusterName: string) => (await kubectlJson(cluster, ['get', 'machines', '-n', NS, '-l', `cluster.x-k8s.io/cluster-name=${clusterName}`])).items;
  const isControlPlane = (m: any) => m.metadata.labels?.['cluster.x-k8s.io/control-plane'] !== undefined;
  const vmOf = async (name: string) => (await cluster.request('GET', `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachines/${name}`)).json();

  beforeAll(async () => {
    cluster = await startCluster({ label: 'guestzones', env: { SIM_VM_BOOT_MS: '100', HOST_REBOOT_DELAY_MS: '0' } });
    await cluster.hostsReady(3);
    for (const [host, zone] of Object.entries(HOST_ZONES)) expect((await cluster.kubectl(['label', 'node', host, `${ZONE}=${zone}`])).code).toBe(0);
    expect((await cluster.kubectl(['create', 'namespace', NS])).code).toBe(0);
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: supportingManifests })).stderr).toBe('');
    // The Supervisor offers the namespace a Zone of each vSphere Zone.
    await eventually(async () => {
      const zones = (await kubectlJson(cluster, ['get', 'zones.topology.tanzu.vmware.com', '-n', NS])).items.map((z: any) => z.metadata.name).sort();
      expect(zones).toEqual(['zone-a', 'zone-b', 'zone-c']);
    }, { timeoutMs: 60_000, intervalMs: 500 });
  }, 180_000);
  afterAll(() => cluster?.stop(), 60_000);

  it("refuses a TKC whose node pool names a zone the namespace lacks, in the TKG webhook's words, writing nothing", async () => {
    const refused = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(tkc('tkc-nowhere', 1, { failureDomain: 'zone-x' })) });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'Error from server (failure domain is not valid for nodepool workers: "zone-x"): error when creating "STDIN": admission webhook "default.validating.tanzukubernetescluster.run.vmware.com" denied the request: failure domain is not valid for nodepool workers: "zone-x"',
    );
    expect((await cluster.kubectl(['get', 'tkc', 'tkc-nowhere', '-n', NS])).stderr).toContain('tanzukubernetesclusters.run.tanzu.vmware.com "tkc-nowhere" not found');
  });

  it('spreads a three-machine control plane one per zone and puts the pool pinned to zone-b on zone-b, each VM labelled and placed in its zone', async () => {
    await kubectlApply(cluster, tkc('tkc-zoned', 3, { failureDomain: 'zone-b' }));
    // The Cluster's failure domains, as kubectl prints them.
    await eventually(async () => {
      const printed = await cluster.kubectl(['get', 'cluster', 'tkc-zoned', '-n', NS, '-o', 'jsonpath={.status.failureDomains}']);
      expect(printed.stderr).toBe('');
      expect(JSON.parse(printed.stdout)).toEqual(FAILURE_DOMAINS);
    }, { timeoutMs: 60_000, intervalMs: 500 });
    expect((await kubectlJson(cluster, ['get', 'vspherecluster', 'tkc-zoned', '-n', NS])).status.failureDomains).toEqual(FAILURE_DOMAINS);
    expect((await kubectlJson(cluster, ['get', 'md', 'tkc-zoned-workers', '-n', NS])).spec.template.spec.failureDomain).toBe('zone-b');

    const placed = await eventually(async () => {
      const machines = (await machinesOf('tkc-zoned')).filter((m: any) => !m.metadata.deletionTimestamp);
      expect(machines).toHaveLength(5);
      const out: { machine: string; controlPlane: boolean; zone: string; host: string }[] = [];
      for (const m of machines) {
        expect(m.spec.providerID).toMatch(/^vsphere:\/\//);
        const vm = await vmOf(m.metadata.name);
        expect(vm.status?.powerState).toBe('PoweredOn');
        expect(vm.status.nodeName).toBeDefined();
        out.push({ machine: m.metadata.name, controlPlane: isControlPlane(m), zone: m.spec.failureDomain, host: vm.status.nodeName });
      }
      return out;
    }, { timeoutMs: 240_000, intervalMs: 1000 });
    expect(placed.filter((p) => p.controlPlane).map((p) => p.zone).sort()).toEqual(['zone-a', 'zone-b', 'zone-c']);
    expect(placed.filter((p) => !p.controlPlane).map((p) => p.zone)).toEqual(['zone-b', 'zone-b']);
    for (const p of placed) {
      // The machine's failure domain is its VSphereMachine's, its VM's zone label and status.zone, and its host's zone.
      expect((await kubectlJson(cluster, ['get', 'vspheremachine', p.machine, '-n', NS])).spec.failureDomain).toBe(p.zone);
      const vm = await vmOf(p.machine);
      expect([vm.metadata.labels[ZONE], vm.status.zone, HOST_ZONES[p.host]]).toEqual([p.zone, p.zone, p.zone]);
      // Labelled from its creation on: the placement asked for the zone rather than found one.
      const history = (await cluster.request('GET', `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachines/${p.machine}/history`)).json().items as any[];
      expect(history[0].object.metadata.labels[ZONE]).toBe(p.zone);
    }
    // Each Machine reports the zone it landed in (Cluster API v1beta2's status.failureDomain), as kubectl prints it.
    await eventually(async () => {
      for (const p of placed) {
        const printed = await cluster.kubectl(['get', 'machine', p.machine, '-n', NS, '-o', 'jsonpath={.status.failureDomain}']);
        expect([printed.stderr, printed.stdout]).toEqual(['', p.zone]);
      }
    }, { timeoutMs: 60_000, intervalMs: 1000 });
    // The Zone column kubectl prints for VSphereMachines.
    const columns = await cluster.kubectl(['get', 'vspheremachines', '-n', NS, '--no-headers', '-o', 'custom-columns=NAME:.metadata.name,ZONE:.spec.failureDomain']);
    expect(columns.stdout.trim().split('\n').map((l) => l.split(/\s+/)[1]).sort()).toEqual(['zone-a', 'zone-b', 'zone-b', 'zone-b', 'zone-c']);
  }, 300_000);

  it('scales the pool down by the worker annotated cluster.x-k8s.io/delete-machine', async () => {
    const workers = (await machinesOf('tkc-zoned')).filter((m: any) => !isControlPlane(m) && !m.metadata.deletionTimestamp).map((m: any) => m.metadata.name).sort();
    expect(workers).toHaveLength(2);
    // The pool's MachineSet deletes by `Random` (by name here): marking the second shows the annotation decides.
    const marked = workers[1];
    expect((await cluster.kubectl(['annotate', 'machine', marked, '-n', NS, 'cluster.x-k8s.io/delete-machine=yes'])).code).toBe(0);
    await kubectlApply(cluster, tkc('tkc-zoned', 3, { failureDomain: 'zone-b', replicas: 1 }));
    await eventually(async () => {
      const left = (await machinesOf('tkc-zoned')).filter((m: any) => !isControlPlane(m)).map((m: any) => m.metadata.name);
      expect(left).toEqual([workers[0]]);
    }, { timeoutMs: 120_000, intervalMs: 1000 });
  }, 150_000);

  it('gives a Machine written by hand in a zone the namespace lacks no VM, its VSphereMachine and Machine saying why', async () => {
    await kubectlApply(cluster, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'by-hand-data', namespace: NS }, stringData: { value: '#cloud-config\n{}\n' } });
    await kubectlApply(cluster, {
      apiVersion: 'vmware.infrastructure.cluster.x-k8s.io/v1beta1', kind: 'VSphereMachineTemplate', metadata: { name: 'by-hand', namespace: NS },
      spec: { template: { spec: { className: 'best-effort-small', imageName: 'ob-22-tkr-v1-29', storageClass: 'vsan-default-storage-policy' } } },
    });
    await kubectlApply(cluster, {
      apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Machine', metadata: { name: 'by-hand-nowhere', namespace: NS, labels: { 'cluster.x-k8s.io/cluster-name': 'by-hand' } },
      spec: {
        clusterName: 'by-hand', version: 'v1.29.4', failureDomain: 'zone-x', bootstrap: { dataSecretName: 'by-hand-data' },
        infrastructureRef: { apiVersion: 'vmware.infrastructure.cluster.x-k8s.io/v1beta1', kind: 'VSphereMachineTemplate', name: 'by-hand' },
      },
    });
    const message = 'failed to create or update VirtualMachine: admission webhook "default.validating.virtualmachine.v1alpha5.vmoperator.vmware.com" denied the request: metadata.labels[topology.kubernetes.io/zone]: Invalid value: "zone-x": zones.topology.tanzu.vmware.com "zone-x" not found';
    await eventually(async () => {
      const vsm = await kubectlJson(cluster, ['get', 'vspheremachine', 'by-hand-nowhere', '-n', NS]);
      expect(vsm.spec.failureDomain).toBe('zone-x');
      expect(conditionOf(vsm, 'VMProvisioned')).toMatchObject({ status: 'False', reason: 'VMCreationFailed', severity: 'Warning', message });
      const machine = await kubectlJson(cluster, ['get', 'machine', 'by-hand-nowhere', '-n', NS]);
      expect(conditionOf(machine, 'InfrastructureReady')).toMatchObject({ status: 'False', reason: 'VMCreationFailed', message });
    }, { timeoutMs: 60_000, intervalMs: 500 });
    expect((await cluster.kubectl(['get', 'virtualmachine', 'by-hand-nowhere', '-n', NS])).stderr).toContain('virtualmachines.vmoperator.vmware.com "by-hand-nowhere" not found');
    expect((await cluster.kubectl(['delete', 'machine', 'by-hand-nowhere', '-n', NS, '--wait=true', '--timeout=60s'])).code).toBe(0);
  });
});
