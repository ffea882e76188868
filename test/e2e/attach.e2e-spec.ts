import { spawn } from 'node:child_process';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { kubectlOnTerminal } from './support/kubectl-terminal';

/** kubectl attach and kubectl run -i (attach over WebSocket v5.channel.k8s.io) to process-driver pods. */
const pod = (name: string, command: string[]) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox', command }] } });

describe('kubectl attach', () => {
  let cluster: TestCluster;
  const env = () => ({ ...process.env, KUBECONFIG: cluster.kubeconfig, KUBECACHEDIR: `${cluster.dataDir}/kube-cache` });

  beforeAll(async () => {
    cluster = await startCluster({ label: 'attach', hostCount: 1 });
    await cluster.hostsReady(1);
    await cluster.kubectl(['apply', '-f', '-'], { input: pod('ticker', ['sh', '-c', 'i=0; while true; do echo "tick $i"; echo "tock $i" >&2; i=$((i+1)); sleep 0.5; done']) });
    await eventually(async () => expect((await cluster.kubectl(['get', 'pod', 'ticker', '-o', 'jsonpath={.status.phase}'])).stdout).toBe('Running'), { timeoutMs: 30_000 });
  }, 180_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('streams the new output of a running container, stdout and stderr apart, and leaves it running', async () => {
    // Some history first: attach must not give it.
    await eventually(async () => expect((await cluster.kubectl(['logs', 'ticker'])).stdout).toContain('tick 2\n'), { timeoutMs: 15_000 });
    const child = spawn('/usr/bin/kubectl', ['attach', 'ticker', '-c', 'c'], { env: env() });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    try {
      await eventually(() => {
        expect(out).toMatch(/^tick \d+$/m);
        expect(err).toMatch(/^tock \d+$/m);
      }, { timeoutMs: 15_000 });
    } finally {
      child.kill();
      await exited;
    }
    const ticks = [...out.matchAll(/^tick (\d+)$/gm)].map((m) => Number(m[1]));
    expect(Math.min(...ticks)).toBeGreaterThan(2);
    expect(out).not.toContain('tock');
    expect(err).not.toMatch(/^tick/m);
    expect((await cluster.kubectl(['get', 'pod', 'ticker', '-o', 'jsonpath={.status.phase}'])).stdout).toBe('Running');
  }, 40_000);

  it('runs kubectl run -i --rm with piped stdin: the container reads it, its reply is printed, and the pod is deleted', async () => {
    const r = await cluster.kubectl(['run', '-i', '--rm', 'asker', '--image=busybox', '--restart=Never', '--', 'sh', '-c', 'read x; echo "got $x"'], { input: 'hello\n', timeoutMs: 90_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('got hello\n');
    await eventually(async () => expect((await cluster.kubectl(['get', 'pod', 'asker'])).stderr).toContain('pods "asker" not found'), { timeoutMs: 30_000 });
  }, 120_000);

  it('returns the exit code of a kubectl run -i container', async () => {
    const r = await cluster.kubectl(['run', '-i', '--rm', 'failer', '--image=busybox', '--restart=Never', '--', 'sh', '-c', 'read x; echo "no $x" >&2; exit 4'], { input: 'way\n', timeoutMs: 90_000 });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('no way\n');
  }, 120_000);

  it('gives kubectl run -it an interactive shell on a terminal, and deletes the pod when it exits', async () => {
    const { out, code } = await kubectlOnTerminal('kubectl run -it --rm shell --image=busybox --restart=Never -- sh', 'tty; echo hi-$((40+2))\\nexit\\n', env());
    // The echo of the typed line shows the unexpanded $((40+2)): hi-42 is the shell's answer, and `tty` names the
    // container's own terminal (kubectl's terminal turns any \n into \r\n, so the answer alone would not tell).
    expect(out).toMatch(/^\/dev\/pts\/\d+\r$/m);
    expect(out).toMatch(/^hi-42\r$/m);
    expect(code).toBe(0);
    await eventually(async () => expect((await cluster.kubectl(['get', 'pod', 'shell'])).stderr).toContain('pods "shell" not found'), { timeoutMs: 30_000 });
  }, 120_000);

  it('refuses a viewer without pods/attach with 403', async () => {
    await cluster.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'viewer-view', namespace: 'default' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [{ kind: 'User', name: 'viewer', apiGroup: 'rbac.authorization.k8s.io' }],
      }),
    });
    await eventually(async () => expect((await cluster.kubectl(['get', 'pod', 'ticker', '--context', 'viewer@openpacific', '-n', 'default'])).code).toBe(0));
    const r = await cluster.kubectl(['attach', 'ticker', '--context', 'viewer@openpacific', '-n', 'default']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/pods "ticker" is forbidden: User "viewer" cannot (get|create) resource "pods\/attach" in API group "" in the namespace "default"/);
  }, 30_000);
});
