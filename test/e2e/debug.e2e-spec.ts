import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { kubectlOnTerminal } from './support/kubectl-terminal';

/** kubectl debug: ephemeral containers added through pods/ephemeralcontainers, run by the host beside the pod's own. */
describe('kubectl debug', () => {
  let cluster: TestCluster;
  const env = () => ({ ...process.env, KUBECONFIG: cluster.kubeconfig, KUBECACHEDIR: `${cluster.dataDir}/kube-cache` });
  const podJson = () => cluster.kubectl(['get', 'pod', 'target', '-o', 'json']).then((r) => JSON.parse(r.stdout));
  const ephemeralStatus = async (name: string) => (await podJson()).status.ephemeralContainerStatuses?.find((s: any) => s.name === name);

  const onTerminal = (command: string, input: string) => kubectlOnTerminal(command, input, env());

  beforeAll(async () => {
    cluster = await startCluster({ label: 'debug', hostCount: 1 });
    await cluster.hostsReady(1);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'target' }, spec: { containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', 'exec sleep 7777'] }] } };
    await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    await eventually(async () => expect((await cluster.kubectl(['get', 'pod', 'target', '-o', 'jsonpath={.status.phase}'])).stdout).toBe('Running'), { timeoutMs: 60_000 });
  }, 180_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('runs a non-interactive debug container once, whose logs kubectl logs -c reads, with its Events', async () => {
    const r = await cluster.kubectl(['debug', 'target', '--image=busybox', '-c', 'dbg', '--', 'sh', '-c', 'echo hi-from-debug'], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    await eventually(async () => expect((await ephemeralStatus('dbg'))?.state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' }), { timeoutMs: 60_000 });
    expect(await ephemeralStatus('dbg')).toMatchObject({ name: 'dbg', image: 'busybox', ready: false, restartCount: 0, containerID: expect.stringMatching(/^crx:\/\//) });
    expect((await cluster.kubectl(['logs', 'target', '-c', 'dbg'])).stdout).toBe('hi-from-debug\n');
    await eventually(async () => {
      const events = JSON.parse((await cluster.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=target', '-o', 'json'])).stdout).items;
      const about = (reason: string) => events.filter((e: any) => e.reason === reason).map((e: any) => e.message);
      expect(about('Pulled')).toContain('Container image "busybox" already present on machine');
      expect(about('Created')).toContain('Created container dbg');
      expect(about('Started')).toContain('Started container dbg');
    }, { timeoutMs: 30_000 });
    // The pod itself is as it was: its container still runs, not restarted.
    const pod = await podJson();
    expect(pod.status.phase).toBe('Running');
    expect(pod.status.containerStatuses[0]).toMatchObject({ name: 'app', restartCount: 0, ready: true });
  }, 120_000);

  it('gives kubectl debug -it a shell on a terminal in the new container, and returns when it exits', async () => {
    const { out, code } = await onTerminal('kubectl debug target -it --image=busybox -c shell -- sh', 'echo hi-$((40+2))\\nexit\\n');
    // The echo of the typed line shows the unexpanded $((40+2)): hi-42 is the shell's answer.
    expect(out).toMatch(/^hi-42\r$/m);
    expect(code).toBe(0);
    await eventually(async () => expect((await ephemeralStatus('shell'))?.state?.terminated?.exitCode).toBe(0), { timeoutMs: 30_000 });
  }, 120_000);

  it('joins the target container\'s process namespace with --target: ps shows its process', async () => {
    const { out, code } = await onTerminal('kubectl debug target -it --image=busybox --target=app -c peek -- sh', 'ps\\nexit\\n');
    expect(out).toMatch(/sleep 7777/);
    expect(code).toBe(0);
    expect((await podJson()).spec.ephemeralContainers.find((c: any) => c.name === 'peek').targetContainerName).toBe('app');
  }, 120_000);

  it('shows the ephemeral containers in kubectl describe pod', async () => {
    const out = (await cluster.kubectl(['describe', 'pod', 'target'])).stdout;
    const section = out.slice(out.indexOf('Ephemeral Containers:'), out.indexOf('Conditions:'));
    expect(section).toMatch(/^Ephemeral Containers:\n {2}dbg:\n/m);
    expect(section).toMatch(/^ {4}State: +Terminated\n {6}Reason: +Completed\n {6}Exit Code: +0$/m);
    expect(section).toMatch(/^ {2}peek:\n/m);
  }, 30_000);

  it('refuses a name another container has, fields ephemeral containers may not set, and any change to one that is there (422)', async () => {
    const duplicate = await cluster.kubectl(['debug', 'target', '--image=busybox', '-c', 'app', '--', 'true']);
    expect(duplicate.code).not.toBe(0);
    expect(duplicate.stderr).toMatch(/The Pod "target" is invalid: spec\.ephemeralContainers\[\d+\]\.name: Duplicate value: "app"/);

    const added = (value: object) => JSON.stringify([{ op: 'add', path: '/spec/ephemeralContainers/-', value }]);
    const ports = await cluster.kubectl(['patch', 'pod', 'target', '--subresource=ephemeralcontainers', '--type=json', '-p', added({ name: 'web', image: 'busybox', ports: [{ containerPort: 80 }] })]);
    expect(ports.stderr).toMatch(/spec\.ephemeralContainers\[\d+\]\.ports: Forbidden: cannot be set for an Ephemeral Container/);

    // Read and sent again when the host wrote the pod's status in between (a 409 for the stale resourceVersion).
    const changed = await eventually(async () => {
      const current = await podJson();
      current.spec.ephemeralContainers[0].image = 'alpine';
      const answer = await cluster.request('PUT', '/api/v1/namespaces/default/pods/target/ephemeralcontainers', { body: current });
      expect(answer.status).not.toBe(409);
      return answer;
    }, { timeoutMs: 15_000 });
    expect(changed.status).toBe(422);
    expect(changed.json().message).toContain('spec.ephemeralContainers: Forbidden: existing ephemeral containers "dbg" may not be changed');

    const direct = await cluster.kubectl(['patch', 'pod', 'target', '--type=json', '-p', added({ name: 'sneaky', image: 'busybox' })]);
    expect(direct.stderr).toContain('spec.ephemeralContainers: Forbidden: pod updates may not change spec.ephemeralContainers');
    expect((await podJson()).spec.ephemeralContainers.map((c: any) => c.name)).toEqual(['dbg', 'shell', 'peek']);
  }, 60_000);

  it('lets edit add ephemeral containers through their own subresource, and not view', async () => {
    const bind = (user: string, role: string) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: `${user}-${role}`, namespace: 'default' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
      subjects: [{ kind: 'User', name: user, apiGroup: 'rbac.authorization.k8s.io' }],
    });
    await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [bind('developer', 'edit'), bind('viewer', 'view')] }) });
    const as = (user: string) => ['--context', `${user}@openpacific`, '-n', 'default'];
    await eventually(async () => expect((await cluster.kubectl(['auth', 'can-i', 'patch', 'pods', '--subresource=ephemeralcontainers', ...as('developer')])).stdout.trim()).toBe('yes'));
    const refused = await cluster.kubectl(['debug', 'target', '--image=busybox', '-c', 'nosy', ...as('viewer'), '--', 'true']);
    expect(refused.stderr).toMatch(/pods "target" is forbidden: User "viewer" cannot patch resource "pods\/ephemeralcontainers"/);
    const allowed = await cluster.kubectl(['debug', 'target', '--image=busybox', '-c', 'helper', ...as('developer'), '--', 'true'], { timeoutMs: 60_000 });
    expect(allowed.code).toBe(0);
  }, 60_000);

  it('copies the pod with --copy-to and attaches to the debug container of the copy', async () => {
    const { out, code } = await onTerminal('kubectl debug target -it --copy-to=target-copy --image=busybox -c copier -- sh', 'echo copy-$((6*7))\\nexit\\n');
    expect(out).toMatch(/^copy-42\r$/m);
    expect(code).toBe(0);
    const copy = JSON.parse((await cluster.kubectl(['get', 'pod', 'target-copy', '-o', 'json'])).stdout);
    expect(copy.spec.containers.map((c: any) => c.name)).toEqual(['app', 'copier']);
    // Its own address, not the one of the pod it copies (whose annotations kubectl copied).
    await eventually(async () => {
      const [original, copied] = await Promise.all(['target', 'target-copy'].map(async (p) => (await cluster.kubectl(['get', 'pod', p, '-o', 'jsonpath={.status.podIP}'])).stdout));
      expect(copied).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(copied).not.toBe(original);
    }, { timeoutMs: 30_000 });
  }, 120_000);
});
