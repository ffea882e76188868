import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/**
 * Governance by admission (docs/governance.md), with kubectl against two gateway and two policy replicas:
 * ResourceQuota exact under concurrency, LimitRange defaults and bounds, what a namespace may use, Pod Security.
 */
const yaml = (o: unknown) => JSON.stringify(o);
const pod = (name: string, namespace: string, container: Record<string, unknown> = {}) =>
  yaml({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'], ...container }] } });

describe('governance admission', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    // 50 kubectl processes at once on a small, shared machine: give admission time (the test is about exactness, not speed).
    cluster = await startCluster({ label: 'governance', replicas: 2, env: { ADMISSION_TIMEOUT_MS: '30000' } });
    for (const ns of ['gov', 'gov-limits', 'gov-vms', 'gov-pss']) expect((await cluster.kubectl(['create', 'namespace', ns])).code).toBe(0);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('refuses a quota with a malformed quantity, naming the field', async () => {
    const bad = await cluster.kubectl(['apply', '-f', '-'], {
      input: yaml({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'bad', namespace: 'gov' }, spec: { hard: { 'requests.cpu': 'lots' } } }),
    });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('ResourceQuota "bad" is invalid');
    expect(bad.stderr).toContain('spec.hard.requests.cpu');
  });

  it('with a quota of 10 pods, 50 concurrent creates through both gateways: exactly 10 created, 40 exceeded quota', async () => {
    const quota = yaml({
      apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'pods', namespace: 'gov' },
      spec: { hard: { pods: '10', 'gold.storageclass.storage.k8s.io/requests.storage': '10Gi' } },
    });
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: quota })).code).toBe(0);
    // The quota's status is written by the policy: once it shows, the policy follows it. Through each gateway: a gateway
    // asks the policy service about a pod only once its own read model has the namespace's quota (docs/governance.md).
    for (const { server } of cluster.gateways) {
      await eventually(async () => expect(JSON.parse((await cluster.kubectl(['get', 'quota', 'pods', '-n', 'gov', '-o', 'json', `--server=${server}`])).stdout).status?.used?.pods).toBe('0'), {
        timeoutMs: 20_000,
      });
    }

    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => {
        const server = cluster.gateways[i % cluster.gateways.length].server;
        return cluster.kubectl(['create', '-f', '-', `--server=${server}`], { input: pod(`p-${i}`, 'gov'), timeoutMs: 60_000 });
      }),
    );
    const created = results.filter((r) => r.code === 0);
    const refused = results.filter((r) => r.code !== 0);
    // Every refusal is the quota's (any other error shows here first, with its text).
    expect([...new Set(refused.map((r) => r.stderr.replace(/p-\d+/g, 'p-N').trim()))]).toEqual([
      'Error from server (Forbidden): error when creating "STDIN": pods "p-N" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=10, limited: pods=10',
    ]);
    expect(created).toHaveLength(10);
    expect(refused).toHaveLength(40);
    for (const r of refused) {
      expect(r.stderr).toMatch(/Error from server \(Forbidden\): .*pods "p-\d+" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=10, limited: pods=10/);
    }
    expect((await cluster.kubectl(['get', 'pods', '-n', 'gov', '--no-headers'])).stdout.trim().split('\n')).toHaveLength(10);
    await eventually(async () => expect((await cluster.kubectl(['get', 'quota', '-n', 'gov'])).stdout).toMatch(/^pods\s+\S+\s+gold\.storageclass\.storage\.k8s\.io\/requests\.storage: 0\/10Gi, pods: 10\/10\s*$/m), {
      timeoutMs: 20_000,
    });
  }, 120_000);

  it('in a namespace with quota, a claim may use only a storage policy associated with it', async () => {
    const claim = (name: string, sc: string) =>
      yaml({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'gov' }, spec: { storageClassName: sc, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
    const refused = await cluster.kubectl(['apply', '-f', '-'], { input: claim('silver-claim', 'silver') });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('persistentvolumeclaims "silver-claim" is forbidden: Storage policy is not associated with the namespace "gov": StorageClass "silver"');
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: claim('gold-claim', 'gold') })).code).toBe(0);
  });

  it('LimitRange: defaults show in the created pod, and a request below the minimum is refused', async () => {
    const limits = yaml({
      apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'limits', namespace: 'gov-limits' },
      spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' }, min: { cpu: '50m' } }] },
    });
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: limits })).code).toBe(0);
    expect((await cluster.kubectl(['get', 'limits', '-n', 'gov-limits', '--no-headers'])).stdout).toMatch(/^limits\s+/);
    expect((await cluster.kubectl(['create', '-f', '-'], { input: pod('defaulted', 'gov-limits') })).code).toBe(0);
    const created = JSON.parse((await cluster.kubectl(['get', 'pod', 'defaulted', '-n', 'gov-limits', '-o', 'json'])).stdout);
    expect(created.spec.containers[0].resources).toEqual({ limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
    expect(created.metadata.annotations['kubernetes.io/limit-ranger']).toBe('LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c');

    const small = await cluster.kubectl(['create', '-f', '-'], { input: pod('small', 'gov-limits', { resources: { requests: { cpu: '10m' } } }) });
    expect(small.code).not.toBe(0);
    expect(small.stderr).toContain('pods "small" is forbidden: minimum cpu usage per Container is 50m, but request is 10m');
  });

  it('refuses a VM whose class is not in its namespace, with the reason', async () => {
    const vm = yaml({ apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachine', metadata: { name: 'vm-1', namespace: 'gov-vms' }, spec: { className: 'best-effort-small', imageName: 'ubuntu', powerState: 'PoweredOn' } });
    const refused = await cluster.kubectl(['apply', '-f', '-'], { input: vm });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('virtualmachines.vmoperator.vmware.com "vm-1" is forbidden: VirtualMachineClass "best-effort-small" is not associated with the namespace "gov-vms"');
  });

  it('refuses a privileged pod in a restricted namespace with the PodSecurity message', async () => {
    expect((await cluster.kubectl(['label', 'namespace', 'gov-pss', 'pod-security.kubernetes.io/enforce=restricted'])).code).toBe(0);
    const refused = await cluster.kubectl(['create', '-f', '-'], { input: pod('priv', 'gov-pss', { securityContext: { privileged: true } }) });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'pods "priv" is forbidden: violates PodSecurity "restricted:latest": privileged (container "c" must not set securityContext.privileged=true), allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
  });
});
