import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { conditionOf, kubectlJson } from './support/kubectl-json';

/** The namespace of manifests/cluster-topology.yaml, whose Cluster is `c2`. */
const NS = 'tkg-topology';
const manifests = readFileSync(join(__dirname, 'manifests', 'cluster-topology.yaml'), 'utf8');

/** The TKG 2 / VKS way: a Cluster API Cluster on the ClusterClass tanzukubernetescluster, written with kubectl. */
describe('a Cluster on the ClusterClass tanzukubernetescluster', () => {
  let cluster: TestCluster;
  let guestKubeconfig = '';
  const guest = (args: string[]) => cluster.kubectl(['--kubeconfig', guestKubeconfig, ...args]);

  beforeAll(async () => {
    cluster = await startCluster({ label: 'clustertopology', env: { SIM_VM_BOOT_MS: '100', HOST_REBOOT_DELAY_MS: '0' } });
    await cluster.hostsReady(3);
    expect((await cluster.kubectl(['create', 'namespace', NS])).code).toBe(0);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('finds the ClusterClass tanzukubernetescluster in a new namespace, with the worker class node-pool and the required variables', async () => {
    await eventually(async () => {
      const cc = await kubectlJson(cluster, ['get', 'clusterclass', 'tanzukubernetescluster', '-n', NS]);
      expect(cc.spec.workers.machineDeployments.map((c: any) => c.class)).toEqual(['node-pool']);
      expect(cc.spec.variables.map((v: any) => [v.name, v.required])).toEqual([['vmClass', true], ['storageClass', true]]);
      expect(conditionOf(cc, 'VariablesReconciled')?.status).toBe('True');
    }, { timeoutMs: 30_000, intervalMs: 500 });
  });

  it('builds the Cluster: Provisioned, its control plane Ready, three Ready nodes in the guest', async () => {
    const applied = await cluster.kubectl(['apply', '-f', '-'], { input: manifests });
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('cluster.cluster.x-k8s.io/c2 created');
    await eventually(async () => {
      const c = await kubectlJson(cluster, ['get', 'cluster', 'c2', '-n', NS]);
      expect(c.status?.phase).toBe('Provisioned');
      expect(c.status.controlPlaneReady).toBe(true);
      expect(c.status.infrastructureReady).toBe(true);
      expect(conditionOf(c, 'TopologyReconciled')?.status).toBe('True');
      expect(conditionOf(c, 'ControlPlaneReady')?.status).toBe('True');
    }, { timeoutMs: 180_000, intervalMs: 500 });
    // What a TKC gets, owned by the Cluster.
    const c = await kubectlJson(cluster, ['get', 'cluster', 'c2', '-n', NS]);
    const kcp = await kubectlJson(cluster, ['get', 'kcp', 'c2-control-plane', '-n', NS]);
    const md = await kubectlJson(cluster, ['get', 'md', 'c2-np-1', '-n', NS]);
    for (const o of [kcp, md]) expect(o.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Cluster', name: 'c2', uid: c.metadata.uid })]);
    // Its machines' make-up is a VSphereMachineTemplate `<cluster>-<md>-<5 chars>`, as the topology controller names them.
    expect(md.spec.template.spec.infrastructureRef).toEqual({ apiVersion: 'vmware.infrastructure.cluster.x-k8s.io/v1beta1', kind: 'VSphereMachineTemplate', name: expect.stringMatching(/^c2-np-1-[a-z0-9]{5}$/), namespace: NS });
    const template = await kubectlJson(cluster, ['get', 'vspheremachinetemplate', md.spec.template.spec.infrastructureRef.name, '-n', NS]);
    expect(template.spec.template.spec).toMatchObject({ className: 'best-effort-small', imageName: 'ob-22-tkr-v1-29', storageClass: 'vsan-default-storage-policy' });
    expect(template.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Cluster', name: 'c2', uid: c.metadata.uid })]);
    expect((await cluster.kubectl(['get', 'cluster', 'c2', '-n', NS, '--no-headers'])).stdout).toMatch(/^c2\s+tanzukubernetescluster\s+Provisioned\s+\S+\s+v1\.29\.4\+vmware\.3-fips\.1-tkg\.1/m);

    await eventually(async () => {
      const secret = await kubectlJson(cluster, ['get', 'secret', 'c2-kubeconfig', '-n', NS]);
      guestKubeconfig = join(cluster.dataDir, 'c2.kubeconfig');
      writeFileSync(guestKubeconfig, Buffer.from(secret.data.value, 'base64'));
    }, { timeoutMs: 30_000, intervalMs: 500 });
    await eventually(async () => {
      const nodes = await guest(['get', 'nodes', '--no-headers']);
      expect(nodes.stderr).toBe('');
      const lines = nodes.stdout.trim().split('\n');
      expect(lines).toHaveLength(3);
      for (const line of lines) expect(line).toMatch(/^c2-(control-plane|np-1)-\S+\s+Ready\s/);
    }, { timeoutMs: 120_000, intervalMs: 1000 });
  });

  it('scales np-1 to 1 when the Cluster is patched', async () => {
    const patched = await cluster.kubectl(['patch', 'cluster', 'c2', '-n', NS, '--type=json', '-p', JSON.stringify([{ op: 'replace', path: '/spec/topology/workers/machineDeployments/0/replicas', value: 1 }])]);
    expect(patched.stderr).toBe('');
    expect(patched.stdout).toContain('cluster.cluster.x-k8s.io/c2 patched');
    await eventually(async () => {
      const md = await kubectlJson(cluster, ['get', 'md', 'c2-np-1', '-n', NS]);
      expect(md.spec.replicas).toBe(1);
      expect(md.status.replicas).toBe(1);
      const machines = await kubectlJson(cluster, ['get', 'machines', '-n', NS, '-l', 'cluster.x-k8s.io/deployment-name=c2-np-1']);
      expect(machines.items).toHaveLength(1);
      const nodes = await guest(['get', 'nodes', '--no-headers']);
      expect(nodes.stdout.trim().split('\n').filter((l) => l.startsWith('c2-np-1-'))).toHaveLength(1);
    }, { timeoutMs: 120_000, intervalMs: 1000 });
  });

  it('takes a topology of a class the namespace does not have with the Cluster webhook\'s warning, and builds nothing of it', async () => {
    const bad = manifests.split('---').find((doc) => doc.includes('kind: Cluster'))!.replace('name: c2', 'name: c3').replace('class: tanzukubernetescluster', 'class: nope');
    const taken = await cluster.kubectl(['create', '-f', '-'], { input: bad });
    expect(taken.code).toBe(0);
    expect(taken.stderr).toContain(`Warning: Cluster refers to ClusterClass ${NS}/nope, but this ClusterClass does not exist. Cluster topology has not been fully validated.`);
    await eventually(async () => {
      const c3 = JSON.parse((await cluster.kubectl(['get', 'cluster', 'c3', '-n', NS, '-o', 'json'])).stdout);
      expect(c3.status?.conditions?.find((c: any) => c.type === 'TopologyReconciled')).toMatchObject({
        status: 'False', reason: 'TopologyReconcileFailed', message: `failed to retrieve ClusterClass ${NS}/nope: clusterclasses.cluster.x-k8s.io "nope" not found`,
      });
    }, { timeoutMs: 30_000 });
    expect((await cluster.kubectl(['get', 'kcp', 'c3-control-plane', '-n', NS])).stderr).toContain('not found');
    // Nor does it hold a guest Service range (ten such Clusters held all fourteen), nor a CA.
    const c3 = JSON.parse((await cluster.kubectl(['get', 'cluster', 'c3', '-n', NS, '-o', 'json'])).stdout);
    expect(Object.keys(c3.metadata.annotations ?? {}).filter((k) => k.includes('service-cidr'))).toEqual([]);
    expect((await cluster.kubectl(['get', 'secret', 'c3-ca', '-n', NS])).stderr).toContain('not found');
    // A missing required variable is refused in the webhook's words, and nothing is written.
    const noStorage = bad.replace('name: c3', 'name: c4').replace('class: nope', 'class: tanzukubernetescluster').replace(/\n\s+- \{name: storageClass[^\n]*/, '');
    const refusedVariables = await cluster.kubectl(['create', '-f', '-'], { input: noStorage });
    expect(refusedVariables.code).not.toBe(0);
    expect(refusedVariables.stderr).toContain('The Cluster "c4" is invalid: spec.topology.variables: Required value: required variable with name "storageClass" must be defined');
    expect((await cluster.kubectl(['get', 'cluster', 'c4', '-n', NS])).stderr).toContain('clusters.cluster.x-k8s.io "c4" not found');
  });
});
