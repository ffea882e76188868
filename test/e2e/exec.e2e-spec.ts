import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/** kubectl exec (WebSocket v5.channel.k8s.io) and kubectl port-forward (SPDY/3.1 tunnelled in a WebSocket) into process-driver pods. */
const pod = (name: string, command: string[], spec: Record<string, unknown> = {}) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox', command }], ...spec } });

const fetchLocal = (port: number): Promise<string> =>
  new Promise((resolve, reject) => {
    const req = httpGet({ host: '127.0.0.1', port, path: '/index.html', timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });

describe('kubectl exec and port-forward', () => {
  let cluster: TestCluster;
  const env = () => ({ ...process.env, KUBECONFIG: cluster.kubeconfig, KUBECACHEDIR: `${cluster.dataDir}/kube-cache` });

  /** `kubectl port-forward pod 0:<port>`: resolves the local port once kubectl prints it. */
  const portForward = async (target: number) => {
    const child = spawn('/usr/bin/kubectl', ['port-forward', 'web', `0:${target}`], { env: env() });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    await eventually(() => expect(out).toMatch(/Forwarding from 127\.0\.0\.1:\d+/), { timeoutMs: 15_000 });
    return { child, port: Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(out)![1]), output: () => out };
  };

  beforeAll(async () => {
    cluster = await startCluster({ label: 'exec', hostCount: 1 });
    await cluster.hostsReady(1);
    await cluster.kubectl(['apply', '-f', '-'], { input: pod('shell', ['sh', '-c', 'sleep 3600']) });
    await cluster.kubectl(['apply', '-f', '-'], {
      input: pod('web', ['sh', '-c', 'mkdir -p /tmp/www && echo hello through port-forward > /tmp/www/index.html && exec httpd -f -p $POD_IP:8080 -h /tmp/www']),
    });
    for (const name of ['shell', 'web']) {
      await eventually(async () => expect((await cluster.kubectl(['get', 'pod', name, '-o', 'jsonpath={.status.phase}'])).stdout).toBe('Running'), { timeoutMs: 30_000 });
    }
  }, 180_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('runs a command in the container and prints its output', async () => {
    const r = await cluster.kubectl(['exec', 'shell', '--', 'echo', 'hi']);
    expect(r).toMatchObject({ code: 0, stdout: 'hi\n' });
    const err = await cluster.kubectl(['exec', 'shell', '--', 'sh', '-c', 'echo out; echo err >&2']);
    expect(err.stdout).toBe('out\n');
    expect(err.stderr).toBe('err\n');
  }, 30_000);

  it('propagates the exit code', async () => {
    const r = await cluster.kubectl(['exec', 'shell', '--', 'sh', '-c', 'exit 3']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('command terminated with exit code 3');
  }, 30_000);

  it('passes stdin with -i and ends it', async () => {
    const r = await cluster.kubectl(['exec', '-i', 'shell', '--', 'cat'], { input: 'line one\nline two\n' });
    expect(r).toMatchObject({ code: 0, stdout: 'line one\nline two\n' });
  }, 30_000);

  it('copies files both ways with kubectl cp (tar through exec)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exec-cp-'));
    writeFileSync(join(dir, 'in.txt'), 'copied in\n');
    expect((await cluster.kubectl(['cp', join(dir, 'in.txt'), 'shell:/tmp/in.txt'])).code).toBe(0);
    expect((await cluster.kubectl(['exec', 'shell', '--', 'cat', '/tmp/in.txt'])).stdout).toBe('copied in\n');
    expect((await cluster.kubectl(['cp', 'shell:/tmp/in.txt', join(dir, 'out.txt')])).code).toBe(0);
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('copied in\n');
  }, 30_000);

  it('gives -it a terminal running a shell, sized as the client terminal', async () => {
    // kubectl only asks for a TTY when its own stdin is one: script(1) gives it one, of a size we choose.
    const child = spawn('script', ['-qfec', 'stty rows 33 cols 101; /usr/bin/kubectl exec -it shell -- sh', '/dev/null'], { env: env() });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await eventually(() => expect(out).toMatch(/#|\$/), { timeoutMs: 15_000 });
    child.stdin.write('echo $((6*7)); tty\n');
    // The two answers may reach us in separate chunks: wait for both.
    await eventually(() => {
      expect(out).toMatch(/^42\r?$/m);
      expect(out).toMatch(/^\/dev\/pts\/\d+\r?$/m);
    }, { timeoutMs: 15_000 });
    await eventually(async () => {
      child.stdin.write('stty size\n');
      await new Promise((r) => setTimeout(r, 200));
      expect(out).toMatch(/^33 101\r?$/m);
    }, { timeoutMs: 10_000 });
    child.stdin.write('exit\n');
    expect(await exited).toBe(0);
  }, 40_000);

  it('answers a missing container and a pod that is not running as kube does', async () => {
    const missing = await cluster.kubectl(['exec', 'shell', '-c', 'nope', '--', 'true']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('container nope is not valid for pod shell');
    const absent = await cluster.kubectl(['exec', 'ghost', '--', 'true']);
    expect(absent.stderr).toContain('pods "ghost" not found');
    // Never scheduled: no host can take it.
    await cluster.kubectl(['apply', '-f', '-'], { input: pod('pending', ['sleep', '3600'], { nodeSelector: { nowhere: 'true' } }) });
    const pending = await cluster.kubectl(['exec', 'pending', '--', 'true']);
    expect(pending.code).not.toBe(0);
    expect(pending.stderr).toContain('pod pending does not have a host assigned');
  }, 30_000);

  it('refuses a viewer without pods/exec with 403', async () => {
    await cluster.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'viewer-view', namespace: 'default' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [{ kind: 'User', name: 'viewer', apiGroup: 'rbac.authorization.k8s.io' }],
      }),
    });
    await eventually(async () => expect((await cluster.kubectl(['get', 'pod', 'shell', '--context', 'viewer@openpacific', '-n', 'default'])).code).toBe(0));
    const r = await cluster.kubectl(['exec', 'shell', '--context', 'viewer@openpacific', '-n', 'default', '--', 'true']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/pods "shell" is forbidden: User "viewer" cannot (get|create) resource "pods\/exec" in API group "" in the namespace "default"/);
  }, 30_000);

  it('forwards a local port to the pod, and a closed port fails without breaking the gateway', async () => {
    const open = await portForward(8080);
    try {
      expect(await fetchLocal(open.port)).toBe('hello through port-forward\n');
      expect(await fetchLocal(open.port)).toBe('hello through port-forward\n');
    } finally {
      open.child.kill();
    }
    const closed = await portForward(9999);
    try {
      await expect(fetchLocal(closed.port)).rejects.toThrow();
      // kubectl reports the pod's refusal (and, as against any kube-apiserver since 1.29, ends this port-forward).
      await eventually(() => expect(closed.output()).toContain('error forwarding port 9999 to pod web'), { timeoutMs: 10_000 });
      expect(closed.output()).toContain('connection refused');
    } finally {
      closed.child.kill();
    }
    const again = await portForward(8080);
    try {
      expect(await fetchLocal(again.port)).toBe('hello through port-forward\n');
    } finally {
      again.child.kill();
    }
  }, 60_000);
});
