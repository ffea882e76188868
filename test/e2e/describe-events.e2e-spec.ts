import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';

const NS = 'events-team';

const vmObjects = `
apiVersion: vmoperator.vmware.com/v1alpha3
kind: VirtualMachineClass
metadata: { name: best-effort-small, namespace: ${NS} }
spec: { hardware: { cpus: 1, memory: 1Gi } }
---
apiVersion: vmoperator.vmware.com/v1alpha3
kind: VirtualMachineClass
metadata: { name: retired, namespace: ${NS} }
spec: { hardware: { cpus: 1, memory: 1Gi } }
---
apiVersion: vmoperator.vmware.com/v1alpha3
kind: VirtualMachineImage
metadata: { name: vmi-events, namespace: ${NS} }
spec: { providerRef: { apiVersion: imageregistry.vmware.com/v1alpha1, kind: ContentLibraryItem, name: clitem-events } }
---
apiVersion: vmoperator.vmware.com/v1alpha3
kind: VirtualMachine
metadata: { name: web-1, namespace: ${NS} }
spec: { className: best-effort-small, imageName: vmi-events, powerState: PoweredOn }
---
apiVersion: vmoperator.vmware.com/v1alpha3
kind: VirtualMachine
metadata: { name: quiet, namespace: ${NS} }
spec: { className: best-effort-small, imageName: vmi-events, powerState: PoweredOn }
---
apiVersion: vmoperator.vmware.com/v1alpha3
kind: VirtualMachine
metadata: { name: orphan, namespace: ${NS} }
spec: { className: retired, imageName: vmi-events, powerState: PoweredOn }
`;

const shellPod = JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'shell', namespace: NS, labels: { app: 'shell' } },
  spec: { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'sleep 3600'] }] },
});
const shellService = JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'shell', namespace: NS }, spec: { selector: { app: 'shell' }, ports: [{ port: 8080 }] } });
const stuckDeployment = JSON.stringify({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'stuck', namespace: NS },
  spec: {
    replicas: 1, progressDeadlineSeconds: 5, selector: { matchLabels: { app: 'stuck' } },
    template: { metadata: { labels: { app: 'stuck' } }, spec: { containers: [{ name: 'c', image: 'no-such-image-anywhere:1.0', command: ['sleep', '3600'] }] } },
  },
});

/** The Events section of `kubectl describe` as rows of [type, reason, from, message]. */
function eventRows(describe: string): string[][] {
  const section = describe.split(/^Events:\s*$/m)[1] ?? '';
  return section.split('\n').slice(3).filter((l) => l.trim()).map((l) => {
    const cells = l.trim().split(/\s{2,}/);
    return [cells[0], cells[1], cells[3], cells.slice(4).join('  ')];
  });
}

/** kubectl describe finds Events of nodes, hosts, VMs and services; exec and port-forward are audited; a stalled rollout times out. */
describe('describe events, exec audit and progress deadlines', () => {
  let cluster: TestCluster;
  const kubectl = (...args: string[]) => cluster.kubectl(args);
  const describeRows = async (...args: string[]) => eventRows((await kubectl('describe', ...args)).stdout);
  const audit = async (selector: string) => JSON.parse((await kubectl('get', 'auditrecords', '--field-selector', selector, '-o', 'json')).stdout).items as any[];

  beforeAll(async () => {
    // A killed host stays down (HOST_REBOOT_DELAY_MS=0): its VM fails over to the other one.
    cluster = await startCluster({ label: 'describe-events', hostCount: 2, env: { SIM_VM_BOOT_MS: '200', HOST_REBOOT_DELAY_MS: '0' } });
    await cluster.hostsReady(2);
    expect((await kubectl('create', 'namespace', NS)).code).toBe(0);
    // The pod's projected token volume reads the namespace's kube-root-ca.crt, published a moment after the namespace:
    // a pod that starts before it gets a FailedMount first (as with kubelet), which the exact event list below excludes.
    await eventually(async () => {
      expect((await kubectl('get', 'configmap', 'kube-root-ca.crt', '-n', NS)).code).toBe(0);
      expect((await kubectl('get', 'serviceaccount', 'default', '-n', NS)).code).toBe(0);
    }, { timeoutMs: 15_000 });
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: vmObjects })).stderr).toBe('');
    for (const o of [shellPod, shellService, stuckDeployment]) expect((await cluster.kubectl(['apply', '-f', '-'], { input: o })).code).toBe(0);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('kubectl describe node and describe host show RegisteredNode and NodeReady from the node controller', async () => {
    await eventually(async () => {
      const rows = await describeRows('node', 'host-1');
      expect(rows).toContainEqual(['Normal', 'RegisteredNode', 'node-controller', 'Node host-1 event: Registered Node host-1 in Controller (epoch 1)']);
      expect(rows).toContainEqual(['Normal', 'NodeReady', 'node-controller', 'Node host-1 status is now: NodeReady']);
    }, { timeoutMs: 15_000 });
    expect((await describeRows('host', 'host-1')).map((r) => r[1])).toEqual(expect.arrayContaining(['RegisteredNode', 'NodeReady']));
    // Each registration is announced once, whoever reads the host's history again.
    const events = JSON.parse((await kubectl('get', 'events', '-n', 'default', '--field-selector', 'involvedObject.kind=Node,involvedObject.name=host-1,reason=RegisteredNode', '-o', 'json')).stdout);
    expect(events.items).toHaveLength(1);
  });

  it('kubectl describe vm shows where it was created and its power changes, and why a VM no longer resolves', async () => {
    await eventually(async () => {
      const rows = await describeRows('vm', '-n', NS, 'web-1');
      expect(rows).toContainEqual(['Normal', 'Created', 'spherelet', expect.stringMatching(/^Created virtual machine on host host-[12]$/)]);
      expect(rows).toContainEqual(['Normal', 'PoweredOn', 'spherelet', expect.stringMatching(/^Powered on on host host-[12]$/)]);
    }, { timeoutMs: 20_000 });
    const patched = await cluster.request('PATCH', `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachines/quiet`, {
      headers: { 'content-type': 'application/merge-patch+json' }, body: { spec: { powerState: 'PoweredOff' } },
    });
    expect(patched.status).toBe(200);
    await eventually(async () => expect((await describeRows('vm', '-n', NS, 'quiet')).map((r) => r[1]).sort()).toEqual(['Created', 'PoweredOff', 'PoweredOn']), { timeoutMs: 15_000 });
    // Powered on again: the host counts its PoweredOn Event up (as a recorder correlates), rather than a second row.
    const again = await cluster.request('PATCH', `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachines/quiet`, {
      headers: { 'content-type': 'application/merge-patch+json' }, body: { spec: { powerState: 'PoweredOn' } },
    });
    expect(again.status).toBe(200);
    await eventually(async () => {
      const out = (await kubectl('describe', 'vm', '-n', NS, 'quiet')).stdout;
      expect(eventRows(out).map((r) => r[1]).sort()).toEqual(['Created', 'PoweredOff', 'PoweredOn']);
      expect(out).toMatch(/Normal\s+PoweredOn\s+\S+ \(x2 over \S+\)\s+spherelet\s+Powered on on host host-[12]/);
    }, { timeoutMs: 15_000 });
    // Its class deleted under it: the VM says why it no longer resolves, once.
    expect((await kubectl('delete', 'virtualmachineclass', '-n', NS, 'retired')).code).toBe(0);
    await eventually(async () => {
      expect(await describeRows('vm', '-n', NS, 'orphan')).toContainEqual(
        ['Warning', 'ClassNotFound', 'vmware-system-vmop', `VirtualMachineClass "retired" does not exist in namespace "${NS}"`],
      );
    }, { timeoutMs: 15_000 });
  });

  it('kubectl describe svc shows the endpoint controller Events', async () => {
    await eventually(async () => expect((await describeRows('svc', '-n', NS, 'shell')).map((r) => r[1])).toContain('UpdatedEndpoints'), { timeoutMs: 30_000 });
  });

  it('kubectl describe pod shows the scheduler\'s Scheduled and the host\'s Pulled, Created and Started, in that order', async () => {
    await eventually(async () => {
      const rows = await describeRows('pod', '-n', NS, 'shell');
      expect(rows.map((r) => r[1])).toEqual(['Scheduled', 'Pulled', 'Created', 'Started']);
      expect(rows[1]).toEqual(['Normal', 'Pulled', 'spherelet', 'Container image "busybox" already present on machine']);
      expect(rows[2]).toEqual(['Normal', 'Created', 'spherelet', 'Created container c']);
      expect(rows[3]).toEqual(['Normal', 'Started', 'spherelet', 'Started container c']);
    }, { timeoutMs: 30_000 });
  });

  it('records exec and port-forward in the audit log, allowed and refused', async () => {
    await eventually(async () => expect((await kubectl('get', 'pod', '-n', NS, 'shell', '-o', 'jsonpath={.status.phase}')).stdout).toBe('Running'), { timeoutMs: 30_000 });
    const ok = await kubectl('exec', '-n', NS, 'shell', '--', 'echo', 'hi');
    expect(ok.stdout.trim()).toBe('hi');
    const missing = await kubectl('exec', '-n', NS, 'shell', '-c', 'missing', '--', 'true');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('container missing is not valid for pod shell');
    // A viewer may read the pod (kubectl reads it first) but not exec into it.
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'developer-view', namespace: NS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'developer' }],
    };
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(binding) })).stderr).toBe('');
    const developer = readFileSync(join(cluster.dataDir, 'user-tokens', 'developer.token'), 'utf8').trim();
    const refused = await kubectl('exec', `--token=${developer}`, '-n', NS, 'shell', '--', 'true');
    expect(refused.stderr).toContain(`pods "shell" is forbidden: User "developer" cannot`);

    const env = { ...process.env, KUBECONFIG: cluster.kubeconfig, KUBECACHEDIR: `${cluster.dataDir}/kube-cache` };
    const child = spawn('/usr/bin/kubectl', ['port-forward', '-n', NS, 'shell', '0:8080'], { env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      await eventually(() => expect(out).toMatch(/Forwarding from 127\.0\.0\.1:\d+/), { timeoutMs: 15_000 });
    } finally {
      child.kill();
    }

    await eventually(async () => {
      const execs = await audit(`namespace=${NS},resource=pods,subresource=exec`);
      const rows = execs.map((r) => [r.verb, r.name, r.code, r.decision, r.user]);
      expect(rows).toContainEqual(['create', 'shell', 101, 'allow', 'admin']);
      expect(rows).toContainEqual(['create', 'shell', 400, 'allow', 'admin']);
      expect(rows).toContainEqual(['create', 'shell', 403, 'deny', 'developer']);
      const forwards = await audit(`namespace=${NS},resource=pods,subresource=portforward`);
      expect(forwards.map((r) => [r.verb, r.name, r.code])).toContainEqual(['create', 'shell', 101]);
    }, { timeoutMs: 10_000 });
  });

  it('times a stalled rollout out after progressDeadlineSeconds, and kubectl rollout status fails with Kubernetes message', async () => {
    await eventually(async () => {
      const d = JSON.parse((await kubectl('get', 'deployment', '-n', NS, 'stuck', '-o', 'json')).stdout);
      expect(d.status.conditions.find((c: any) => c.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    }, { timeoutMs: 25_000 });
    const status = await cluster.kubectl(['rollout', 'status', '-n', NS, 'deployment/stuck', '--timeout=20s']);
    expect(status.code).not.toBe(0);
    expect(status.stderr).toContain('error: deployment "stuck" exceeded its progress deadline');
  });

  it('a host that dies is NodeNotReady in kubectl describe node, and its VM says it failed over', async () => {
    const vm = async () => (await cluster.request('GET', `/apis/vmoperator.vmware.com/v1alpha5/namespaces/${NS}/virtualmachines/web-1`)).json();
    const from = (await vm()).status.nodeName;
    cluster.killHost(from);
    await eventually(async () => {
      expect((await describeRows('node', from)).map((r) => r.slice(0, 3))).toContainEqual(['Normal', 'NodeNotReady', 'node-controller']);
    }, { timeoutMs: 15_000 });
    await eventually(async () => {
      const to = (await vm()).status.nodeName;
      expect(to).toBeDefined();
      expect(to).not.toBe(from);
      expect(await describeRows('vm', '-n', NS, 'web-1')).toContainEqual(['Normal', 'FailedOver', 'spherelet', expect.stringContaining(`Created again on host ${to}: `)]);
    }, { timeoutMs: 20_000 });
  });
});
