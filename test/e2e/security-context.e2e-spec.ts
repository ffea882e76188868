import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/**
 * Pods' and containers' securityContext taking effect in isolated containers, through the real kubectl: the
 * Kubernetes docs' example (runAsUser 1000, runAsGroup 3000, fsGroup 2000) seen by `kubectl exec … id`, an emptyDir's
 * files the fsGroup's, a read-only root, runAsNonRoot refused for a root image, bad ids refused at the API.
 */
const pod = (name: string, spec: Record<string, unknown>, container: Record<string, unknown> = {}) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'exec sleep 3600'], ...container }], ...spec },
  });

describe('securityContext', () => {
  let cluster: TestCluster;
  const kubectl = (args: string[], opts?: { input?: string }) => cluster.kubectl(args, opts);
  const running = (name: string) =>
    eventually(async () => expect((await kubectl(['get', 'pod', name, '-o', 'jsonpath={.status.phase}'])).stdout).toBe('Running'), { timeoutMs: 30_000 });

  beforeAll(async () => {
    cluster = await startCluster({ label: 'security-context', hostCount: 1 });
    await cluster.hostsReady(1);
  }, 180_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('runs the docs example as uid 1000 gid 3000 with the fsGroup 2000 among its groups, in exec sessions too', async () => {
    const created = await kubectl(['apply', '-f', '-'], {
      input: pod('security-context-demo', {
        securityContext: { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000 },
        volumes: [{ name: 'sec-ctx-vol', emptyDir: {} }],
      }, { volumeMounts: [{ name: 'sec-ctx-vol', mountPath: '/data/demo' }], securityContext: { allowPrivilegeEscalation: false } }),
    });
    expect(created.code).toBe(0);
    await running('security-context-demo');
    const id = await kubectl(['exec', 'security-context-demo', '--', 'id']);
    // containerd keeps the primary group among the groups; the kernel sorts them.
    expect(id).toMatchObject({ code: 0, stdout: 'uid=1000 gid=3000 groups=2000,3000\n' });
    const made = await kubectl(['exec', 'security-context-demo', '--', 'sh', '-c', 'echo hello > /data/demo/testfile && stat -c "%u %g" /data/demo/testfile && grep NoNewPrivs /proc/self/status']);
    expect(made).toMatchObject({ code: 0, stdout: '1000 2000\nNoNewPrivs:\t1\n' });
    const root = await kubectl(['exec', 'security-context-demo', '--', 'sh', '-c', 'touch /etc/nope']);
    expect(root.code).not.toBe(0);
    expect(root.stderr).toContain('Permission denied');
  }, 90_000);

  it('mounts the root read-only with readOnlyRootFilesystem', async () => {
    await kubectl(['apply', '-f', '-'], { input: pod('read-only', {}, { securityContext: { readOnlyRootFilesystem: true } }) });
    await running('read-only');
    const r = await kubectl(['exec', 'read-only', '--', 'touch', '/made']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Read-only file system');
  }, 60_000);

  it('holds a runAsNonRoot container of a root image in CreateContainerConfigError with kubelet\'s message', async () => {
    await kubectl(['apply', '-f', '-'], { input: pod('nonroot', { securityContext: { runAsNonRoot: true } }) });
    const uid = (await kubectl(['get', 'pod', 'nonroot', '-o', 'jsonpath={.metadata.uid}'])).stdout;
    const message = `container has runAsNonRoot and image will run as root (pod: "nonroot_default(${uid})", container: c)`;
    await eventually(async () => {
      const waiting = JSON.parse((await kubectl(['get', 'pod', 'nonroot', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting}'])).stdout || '{}');
      expect(waiting).toEqual({ reason: 'CreateContainerConfigError', message });
    }, { timeoutMs: 30_000 });
    expect((await kubectl(['get', 'pod', 'nonroot', '--no-headers'])).stdout).toMatch(/^nonroot\s+0\/1\s+CreateContainerConfigError\s+0/);
    await eventually(async () => expect((await kubectl(['describe', 'pod', 'nonroot'])).stdout).toContain(`Error: ${message}`), { timeoutMs: 10_000 });
  }, 60_000);

  it('refuses a negative runAsUser at the API with the field and kube-apiserver\'s message', async () => {
    const r = await kubectl(['apply', '-f', '-'], { input: pod('negative', { securityContext: { runAsUser: -1 } }) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive');
  }, 30_000);
});
