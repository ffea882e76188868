import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { inCIDR } from '@openpacific/contracts';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { greeting } from './support/greeting';

const NS = 'tkg-team';
/** A machine whose node is Ready, not just Running (a Running machine's VM may be down for a while). */
const ready = (m: any) => m.status?.phase === 'Running' && (m.status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
const manifests = readFileSync(join(__dirname, 'manifests', 'tkc-basics.yaml'), 'utf8');

/** Processes on this machine whose environment names the guest cluster (every program its VMs run). */
function guestProcesses(clusterUid: string): number[] {
  const marker = `OPENPACIFIC_GUEST_CLUSTER=${clusterUid}`;
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(marker);
    } catch {
      return false;
    }
  }).map(Number);
}

/** The three-layer cake: TanzuKubernetesCluster → Cluster API → VirtualMachines, with kubectl. */
describe('guest clusters', () => {
  let cluster: TestCluster;
  const list = async (resource: string) => (await cluster.request('GET', `${resource}`)).json().items ?? [];
  const machines = () => list(`/apis/cluster.x-k8s.io/v1beta1/namespaces/${NS}/machines`);
  const vms = () => list(`/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachines`);
  const tkc = async () => (await cluster.request('GET', `/apis/run.tanzu.vmware.com/v1alpha3/namespaces/${NS}/tanzukubernetesclusters/tkc-1`)).json();
  const setWorkers = (replicas: number) =>
    cluster.request('PATCH', `/apis/run.tanzu.vmware.com/v1alpha3/namespaces/${NS}/tanzukubernetesclusters/tkc-1`, {
      headers: { 'content-type': 'application/json-patch+json' },
      body: [{ op: 'replace', path: '/spec/topology/nodePools/0/replicas', value: replicas }],
    });

  /** A pod of the guest's claim `kept` that runs `command` once. */
  const claimPod = (name: string, command: string) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
    spec: {
      restartPolicy: 'Never', terminationGracePeriodSeconds: 1,
      containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', command], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'kept' } }],
    },
  });
  /** The guest cluster's datastore: a folder of the Supervisor's that no VM owns. */
  const guestDatastore = async () => join(cluster.dataDir, 'datastore', 'guests', (await cluster.request('GET', `/apis/cluster.x-k8s.io/v1beta1/namespaces/${NS}/clusters/tkc-1`)).json().metadata.uid);

  let guestKubeconfig = '';
  /** kubectl against the guest cluster, with the kubeconfig its Secret holds. */
  const guest = (args: string[], opts?: { input?: string }) => cluster.kubectl(['--kubeconfig', guestKubeconfig, ...args], opts);

  beforeAll(async () => {
    cluster = await startCluster({ label: 'guestclusters', env: { SIM_VM_BOOT_MS: '100', HOST_REBOOT_DELAY_MS: '0' } });
    await cluster.hostsReady(3);
    expect((await cluster.kubectl(['create', 'namespace', NS])).code).toBe(0);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('turns a TanzuKubernetesCluster with 1 control plane and 2 workers into Cluster API objects and three running VMs', async () => {
    const applied = await cluster.kubectl(['apply', '-f', '-'], { input: manifests });
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('tanzukubernetescluster.run.tanzu.vmware.com/tkc-1 created');
    await eventually(async () => {
      const t = await tkc();
      expect(t.status?.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Ready', status: 'True' })]));
    }, { timeoutMs: 120_000, intervalMs: 500 });
    const ms = await machines();
    expect(ms).toHaveLength(3);
    expect(ms.every((m: any) => m.status.phase === 'Running' && m.spec.providerID?.startsWith('vsphere://'))).toBe(true);
    expect((await vms()).map((v: any) => v.status.powerState)).toEqual(['PoweredOn', 'PoweredOn', 'PoweredOn']);
    // The control plane first, then the workers: no worker VM was made before the control plane's machine was Ready.
    const cpReadyAt = ms.filter((m: any) => m.metadata.labels?.['cluster.x-k8s.io/control-plane'] !== undefined).map((m: any) => m.status.conditions.find((c: any) => c.type === 'Ready').lastTransitionTime)[0];
    for (const v of (await vms()).filter((x: any) => x.metadata.labels?.['capv.vmware.com/cluster.role'] === 'worker')) expect(v.metadata.creationTimestamp >= cpReadyAt).toBe(true);
    const t = await tkc();
    // The control-plane VMService's ingress: an address of the cluster's load balancer range.
    expect(t.status.apiEndpoints).toEqual([{ host: expect.any(String), port: 6443 }]);
    expect(inCIDR(t.status.apiEndpoints[0].host, cluster.network.loadBalancerCIDR)).toBe(true);
    // The control-plane endpoint is a load balancer in front of the guest's own api-gateway, on its control-plane VM.
    const secret = (await cluster.request('GET', `/api/v1/namespaces/${NS}/secrets/tkc-1-kubeconfig`)).json();
    expect(secret.type).toBe('cluster.x-k8s.io/secret');
    guestKubeconfig = join(cluster.dataDir, 'tkc-1.kubeconfig');
    writeFileSync(guestKubeconfig, Buffer.from(secret.data.value, 'base64'));
    expect(readFileSync(guestKubeconfig, 'utf8')).toContain(`server: https://${t.status.apiEndpoints[0].host}:6443`);
    const cl = (await cluster.request('GET', `/apis/cluster.x-k8s.io/v1beta1/namespaces/${NS}/clusters/tkc-1`)).json();
    expect(cl.status.phase).toBe('Provisioned');
    expect(cl.spec.controlPlaneEndpoint).toEqual({ host: t.status.apiEndpoints[0].host, port: 6443 });
    expect((await cluster.kubectl(['get', 'tkc', '-n', NS])).stdout).toMatch(/^tkc-1\s+1\s+2\s+ob-22-tkr-v1-29\s+\S+\s+True/m);
    const layers = await cluster.kubectl(['get', 'tkc,cluster,machines,vm', '-n', NS]);
    expect(layers.stderr).toBe('');
    for (const name of ['tanzukubernetescluster.run.tanzu.vmware.com/tkc-1', 'cluster.cluster.x-k8s.io/tkc-1', 'machine.cluster.x-k8s.io/tkc-1-control-plane-', 'virtualmachine.vmoperator.vmware.com/tkc-1-workers-']) {
      expect(layers.stdout).toContain(name);
    }
  });

  it('is a cluster you can use: kubectl with its kubeconfig lists its nodes and runs a pod on a worker', async () => {
    const version = await guest(['get', '--raw', '/version']);
    expect(version.stderr).toBe('');
    expect(JSON.parse(version.stdout)).toHaveProperty('gitVersion');
    const ms = await machines();
    const workers = ms.filter((m: any) => m.metadata.labels?.['cluster.x-k8s.io/control-plane'] === undefined).map((m: any) => m.metadata.name).sort();
    const controlPlane = ms.filter((m: any) => m.metadata.labels?.['cluster.x-k8s.io/control-plane'] !== undefined).map((m: any) => m.metadata.name);
    // Every machine is a node of the guest, named after it; the control plane's carries its role and taint.
    const nodes = await guest(['get', 'nodes', '--no-headers']);
    expect(nodes.stderr).toBe('');
    const rows = nodes.stdout.trim().split('\n').map((l) => l.split(/\s+/));
    expect(rows.map((r) => r[0]).sort()).toEqual([...controlPlane, ...workers].sort());
    expect(rows.every((r) => r[1] === 'Ready')).toBe(true);
    const run = await guest(['run', 'hello', '--image=busybox', '--restart=Never', '--', 'sh', '-c', 'echo hello from $POD_IP; sleep 3600']);
    expect(run.stdout.trim()).toBe('pod/hello created');
    await eventually(async () => expect((await guest(['get', 'pod', 'hello', '-o', 'jsonpath={.status.phase}'])).stdout).toBe('Running'), { timeoutMs: 60_000, intervalMs: 500 });
    const pod = JSON.parse((await guest(['get', 'pod', 'hello', '-o', 'json'])).stdout);
    expect(workers).toContain(pod.spec.nodeName);
    await eventually(async () => expect((await guest(['logs', 'hello'])).stdout.trim()).toBe(`hello from ${pod.status.podIP}`), { timeoutMs: 20_000 });
    // The Supervisor does not see the guest's pods: they live in the guest's own log.
    expect((await cluster.kubectl(['get', 'pods', '-A', '--no-headers'])).stdout).not.toContain('hello');
    expect((await guest(['delete', 'pod', 'hello', '--wait=true', '--timeout=60s'])).code).toBe(0);
  });

  it('scales the workers to 3 and back to 1 through the TKC', async () => {
    expect((await setWorkers(3)).status).toBe(200);
    await eventually(async () => {
      const running = (await machines()).filter((m: any) => m.status?.phase === 'Running');
      expect(running).toHaveLength(4);
    }, { timeoutMs: 120_000, intervalMs: 500 });
    expect((await setWorkers(1)).status).toBe(200);
    await eventually(async () => {
      expect(await machines()).toHaveLength(2);
      expect(await vms()).toHaveLength(2);
    }, { timeoutMs: 60_000, intervalMs: 500 });
  });

  it('rolls every machine to a new release one at a time, never below the wanted count, and the guest\'s volumes stay', async () => {
    const running = (ms: any[], role: 'cp' | 'worker') => ms.filter((m) => ready(m) && (m.metadata.labels?.['cluster.x-k8s.io/control-plane'] !== undefined) === (role === 'cp')).length;
    // A claim of the guest, written to before its control-plane VM (whose scheduler provisioned it) is replaced.
    const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'kept', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
    expect((await guest(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [claim, claimPod('writer', 'echo kept through the upgrade > /data/note')] }) })).code).toBe(0);
    await eventually(async () => expect((await guest(['get', 'pod', 'writer', '-o', 'jsonpath={.status.phase}'])).stdout).toBe('Succeeded'), { timeoutMs: 60_000, intervalMs: 500 });
    const pv = JSON.parse((await guest(['get', 'pv', JSON.parse((await guest(['get', 'pvc', 'kept', '-o', 'json'])).stdout).spec.volumeName, '-o', 'json'])).stdout);
    expect(pv.spec.hostPath.path).toBe(join(await guestDatastore(), pv.metadata.name));
    expect(readFileSync(join(pv.spec.hostPath.path, 'note'), 'utf8')).toBe('kept through the upgrade\n');
    expect((await guest(['delete', 'pod', 'writer', '--wait=true', '--timeout=60s'])).code).toBe(0);
    const patched = await cluster.request('PATCH', `/apis/run.tanzu.vmware.com/v1alpha3/namespaces/${NS}/tanzukubernetesclusters/tkc-1`, {
      headers: { 'content-type': 'application/merge-patch+json' },
      body: { spec: { topology: { controlPlane: { tkr: { reference: { name: 'ob-22-tkr-v1-30' } } } } } },
    });
    expect(patched.status).toBe(200);
    let fewest = { cp: Infinity, worker: Infinity };
    const deadline = Date.now() + 180_000;
    for (;;) {
      const ms = (await machines()).filter((m: any) => m.metadata.labels?.['cluster.x-k8s.io/cluster-name'] === 'tkc-1');
      fewest = { cp: Math.min(fewest.cp, running(ms, 'cp')), worker: Math.min(fewest.worker, running(ms, 'worker')) };
      if (ms.length === 2 && ms.every((m: any) => m.spec.version === 'ob-22-tkr-v1-30' && ready(m))) break;
      if (Date.now() > deadline) throw new Error(`rollout did not finish: ${JSON.stringify(ms.map((m: any) => [m.metadata.name, m.spec.version, m.status?.phase]))}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // maxUnavailable 0 for workers and a surge of one for the control plane: nothing ever went below 1.
    expect(fewest).toEqual({ cp: 1, worker: 1 });
    // The last old VM may still be powering off on its host; then it is gone.
    await eventually(async () => {
      expect((await vms()).filter((v: any) => v.metadata.labels?.['capv.vmware.com/cluster.name'] === 'tkc-1').map((v: any) => v.spec.imageName)).toEqual(['ob-22-tkr-v1-30', 'ob-22-tkr-v1-30']);
    }, { timeoutMs: 30_000 });
    // On the new VMs, a new pod of the claim reads what was written before.
    expect((await guest(['apply', '-f', '-'], { input: JSON.stringify(claimPod('reader', 'cat /data/note')) })).code).toBe(0);
    await eventually(async () => {
      expect((await guest(['get', 'pod', 'reader', '-o', 'jsonpath={.status.phase}'])).stdout).toBe('Succeeded');
      expect((await guest(['logs', 'reader'])).stdout).toBe('kept through the upgrade\n');
    }, { timeoutMs: 60_000, intervalMs: 500 });
    expect((await guest(['delete', 'pod', 'reader', '--wait=true', '--timeout=60s'])).code).toBe(0);
  });

  it('brings a worker back when the host of its VM dies', async () => {
    const worker = (await vms()).find((v: any) => v.metadata.labels?.['capv.vmware.com/cluster.role'] === 'worker');
    const host = worker.status.nodeName;
    cluster.killHost(host);
    await eventually(async () => {
      const v = (await vms()).find((x: any) => x.metadata.name === worker.metadata.name);
      expect(v.status.nodeName).toBeDefined();
      expect(v.status.nodeName).not.toBe(host);
      expect(v.status.powerState).toBe('PoweredOn');
      const m = (await machines()).find((x: any) => x.metadata.name === worker.metadata.name);
      expect(m.status.phase).toBe('Running');
      expect((await tkc()).status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Ready', status: 'True' })]));
    }, { timeoutMs: 40_000, intervalMs: 500 });
  });

  it('replaces a worker that a MachineHealthCheck finds unhealthy', async () => {
    const mhc = {
      apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineHealthCheck', metadata: { name: 'tkc-1-workers-mhc', namespace: NS },
      // By an expression (the selector's matchLabels and matchExpressions both count): the workers, not the control plane.
      spec: { clusterName: 'tkc-1', selector: { matchExpressions: [{ key: 'cluster.x-k8s.io/deployment-name', operator: 'In', values: ['tkc-1-workers'] }] }, unhealthyConditions: [{ type: 'Ready', status: 'False', timeout: '2s' }], maxUnhealthy: '100%', nodeStartupTimeout: '5m' },
    };
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(mhc) })).code).toBe(0);
    const worker = (await vms()).find((v: any) => v.metadata.labels?.['capv.vmware.com/cluster.role'] === 'worker');
    // A suspended guest stops heartbeating: its Node in the guest turns Ready=False, and 2 s later the machine is replaced.
    const suspended = await cluster.request('PATCH', `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachines/${worker.metadata.name}`, {
      headers: { 'content-type': 'application/merge-patch+json' }, body: { spec: { powerState: 'Suspended' } },
    });
    expect(suspended.status).toBe(200);
    await eventually(async () => {
      const workers = (await machines()).filter((m: any) => m.metadata.labels?.['cluster.x-k8s.io/deployment-name'] === 'tkc-1-workers');
      expect(workers.map((m: any) => m.metadata.name)).not.toContain(worker.metadata.name);
      expect(workers.filter(ready)).toHaveLength(1);
    }, { timeoutMs: 40_000, intervalMs: 500 });
    // The check's own status follows on its next pass over the machines.
    await eventually(async () => {
      const check = (await cluster.request('GET', `/apis/cluster.x-k8s.io/v1beta1/namespaces/${NS}/machinehealthchecks/tkc-1-workers-mhc`)).json();
      expect(check.status).toMatchObject({ expectedMachines: 1, currentHealthy: 1 });
    }, { timeoutMs: 15_000, intervalMs: 250 });
  });

  it('scales a MachineDeployment written by hand with kubectl scale (the /scale subresource)', async () => {
    const raw = [
      // A Machine that names its bootstrap data boots what that Secret holds (here: an empty cloud-config).
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'raw-bootstrap', namespace: NS }, type: 'cluster.x-k8s.io/secret', data: { value: Buffer.from('#cloud-config\n{}\n').toString('base64') } },
      { apiVersion: 'vmware.infrastructure.cluster.x-k8s.io/v1beta1', kind: 'VSphereMachineTemplate', metadata: { name: 'raw-workers', namespace: NS }, spec: { template: { spec: { className: 'best-effort-small', imageName: 'ob-22-tkr-v1-29', storageClass: 'vsan-default-storage-policy' } } } },
      {
        apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineDeployment', metadata: { name: 'raw-md', namespace: NS },
        spec: {
          clusterName: 'raw', replicas: 1, selector: { matchLabels: { pool: 'raw' } },
          template: { metadata: { labels: { pool: 'raw' } }, spec: { clusterName: 'raw', version: 'v1.29.4', bootstrap: { dataSecretName: 'raw-bootstrap' }, infrastructureRef: { apiVersion: 'vmware.infrastructure.cluster.x-k8s.io/v1beta1', kind: 'VSphereMachineTemplate', name: 'raw-workers' } } },
        },
      },
    ];
    const applied = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: raw }) });
    expect(applied.stderr).toBe('');
    const rawMachines = async () => (await machines()).filter((m: any) => m.metadata.labels?.['cluster.x-k8s.io/cluster-name'] === 'raw' && m.status?.phase === 'Running');
    await eventually(async () => expect(await rawMachines()).toHaveLength(1), { timeoutMs: 60_000, intervalMs: 500 });
    const scaled = await cluster.kubectl(['scale', 'machinedeployment', 'raw-md', '-n', NS, '--replicas=2']);
    expect(scaled.stdout.trim()).toBe('machinedeployment.cluster.x-k8s.io/raw-md scaled');
    await eventually(async () => expect(await rawMachines()).toHaveLength(2), { timeoutMs: 60_000, intervalMs: 500 });
    expect(JSON.parse((await cluster.kubectl(['get', '--raw', `/apis/cluster.x-k8s.io/v1beta1/namespaces/${NS}/machinedeployments/raw-md/scale`])).stdout)).toMatchObject({ kind: 'Scale', spec: { replicas: 2 } });
    expect((await cluster.kubectl(['delete', 'machinedeployment', 'raw-md', '-n', NS, '--wait=true', '--timeout=60s'])).code).toBe(0);
    await eventually(async () => expect((await machines()).filter((m: any) => m.metadata.labels?.['cluster.x-k8s.io/cluster-name'] === 'raw')).toEqual([]), { timeoutMs: 60_000, intervalMs: 500 });
  });

  it('refuses a control plane with an even number of machines (422 naming the field), and reports a class the namespace does not offer', async () => {
    const even = await cluster.request('PATCH', `/apis/run.tanzu.vmware.com/v1alpha3/namespaces/${NS}/tanzukubernetesclusters/tkc-1`, {
      headers: { 'content-type': 'application/merge-patch+json' },
      body: { spec: { topology: { controlPlane: { replicas: 2 } } } },
    });
    expect(even.status).toBe(422);
    expect(even.json().details.causes).toEqual([expect.objectContaining({ field: 'spec.topology.controlPlane.replicas' })]);
    // A class the namespace does not offer: reported on the TKC, which does not get Ready.
    const bad = { apiVersion: 'run.tanzu.vmware.com/v1alpha3', kind: 'TanzuKubernetesCluster', metadata: { name: 'tkc-bad', namespace: NS }, spec: { topology: { controlPlane: { replicas: 1, vmClass: 'guaranteed-xlarge', storageClass: 'vsan-default-storage-policy', tkr: { reference: { name: 'ob-22-tkr-v1-29' } } }, nodePools: [{ name: 'workers', replicas: 1, vmClass: 'best-effort-small', storageClass: 'vsan-default-storage-policy' }] } } };
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(bad) })).code).toBe(0);
    await eventually(async () => {
      const t = (await cluster.request('GET', `/apis/run.tanzu.vmware.com/v1alpha3/namespaces/${NS}/tanzukubernetesclusters/tkc-bad`)).json();
      expect(t.status?.conditions).toEqual(expect.arrayContaining([
        expect.objectContaining({ type: 'ReferencesResolved', status: 'False', message: 'spec.topology.controlPlane.vmClass: VirtualMachineClass "guaranteed-xlarge" is not available in namespace "tkg-team"' }),
        expect.objectContaining({ type: 'Ready', status: 'False' }),
      ]));
    }, { timeoutMs: 20_000 });
    expect((await cluster.kubectl(['delete', 'tkc', 'tkc-bad', '-n', NS, '--wait=true', '--timeout=60s'])).code).toBe(0);
  });

  it('deletes every layer when the TKC goes: no Cluster API object, no VM, no guest process, no guest database or datastore left', async () => {
    const endpoint = (await tkc()).status.apiEndpoints[0].host;
    const uid = (await cluster.request('GET', `/apis/cluster.x-k8s.io/v1beta1/namespaces/${NS}/clusters/tkc-1`)).json().metadata.uid;
    expect(guestProcesses(uid).length).toBeGreaterThan(0);
    const datastore = await guestDatastore();
    expect(existsSync(datastore)).toBe(true);
    expect((await cluster.kubectl(['delete', 'tkc', 'tkc-1', '-n', NS, '--wait=true', '--timeout=60s'])).code).toBe(0);
    await eventually(async () => {
      for (const path of ['cluster.x-k8s.io/v1beta1/namespaces/tkg-team/clusters', 'cluster.x-k8s.io/v1beta1/namespaces/tkg-team/machinedeployments', 'cluster.x-k8s.io/v1beta1/namespaces/tkg-team/machinesets', 'cluster.x-k8s.io/v1beta1/namespaces/tkg-team/machines', 'controlplane.cluster.x-k8s.io/v1beta1/namespaces/tkg-team/kubeadmcontrolplanes', 'vmoperator.vmware.com/v1alpha5/namespaces/tkg-team/virtualmachines', 'vmoperator.vmware.com/v1alpha5/namespaces/tkg-team/virtualmachineservices']) {
        expect({ path, items: await list(`/apis/${path}`) }).toEqual({ path, items: [] });
      }
    }, { timeoutMs: 60_000, intervalMs: 500 });
    await expect(greeting(endpoint, 6443)).rejects.toThrow();
    await eventually(async () => {
      expect(guestProcesses(uid)).toEqual([]);
      expect((await list(`/api/v1/namespaces/${NS}/secrets`)).map((s: any) => s.metadata.name).filter((n: string) => n.startsWith('tkc-1'))).toEqual([]);
      const pg = new Client({ connectionString: cluster.databaseUrl });
      await pg.connect();
      try {
        const { rows } = await pg.query('SELECT datname FROM pg_database WHERE datname = $1', [`guest_${uid.replace(/-/g, '').slice(0, 16)}`]);
        expect(rows).toEqual([]);
      } finally {
        await pg.end();
      }
      // The guest's volumes go with it (the claim `kept` was never deleted).
      expect(existsSync(datastore)).toBe(false);
    }, { timeoutMs: 30_000, intervalMs: 500 });
  });
});
