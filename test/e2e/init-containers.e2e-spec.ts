import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/**
 * Init containers through the real kubectl on real process pods: run one after another, each to its end, before
 * any app container; a failed one fails the pod (restartPolicy Never) or runs again; a sidecar (an init container
 * with restartPolicy Always) starts before the app containers and runs beside them; kubectl's STATUS and READY.
 */
const busybox = (name: string, command: string, extra: Record<string, unknown> = {}) => ({
  name,
  image: 'busybox',
  command: ['sh', '-c', command],
  volumeMounts: [{ name: 'work', mountPath: '/work' }],
  ...extra,
});

const pod = (name: string, initContainers: unknown[], containers: unknown[], spec: Record<string, unknown> = {}) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { terminationGracePeriodSeconds: 1, initContainers, containers, volumes: [{ name: 'work', emptyDir: {} }], ...spec },
  });

describe('init containers', () => {
  let cluster: TestCluster;
  const kubectl = (args: string[], opts?: { input?: string }) => cluster.kubectl(args, opts);
  const get = async (name: string) => JSON.parse((await kubectl(['get', 'pod', name, '-o', 'json'])).stdout);
  const row = async (name: string) => (await kubectl(['get', 'pod', name, '--no-headers'])).stdout;
  const create = async (manifest: string) => {
    const r = await kubectl(['create', '-f', '-'], { input: manifest });
    if (r.code !== 0) throw new Error(`kubectl create failed: ${r.stderr}`);
  };

  beforeAll(async () => {
    cluster = await startCluster({ label: 'init-containers', hostCount: 1 });
    await cluster.hostsReady(1);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('runs the init containers in order, each to its end, before the app container, and kubectl shows their progress', async () => {
    // The first runs for seconds, long enough to be seen running on a loaded machine by both reads below.
    await create(pod('ordered', [busybox('first', 'sleep 5; echo one >> /work/log'), busybox('second', 'echo two >> /work/log')], [busybox('app', 'cat /work/log; exec sleep 3600')]));
    await eventually(async () => {
      expect(await row('ordered')).toMatch(/^ordered\s+0\/1\s+Init:0\/2\s+0\s+/);
      const initializing = await get('ordered');
      expect(initializing.status.phase).toBe('Pending');
      expect(initializing.status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [first second]' })]));
      expect(initializing.status.containerStatuses[0].state).toEqual({ waiting: { reason: 'PodInitializing' } });
    }, { timeoutMs: 20_000 });
    await eventually(async () => expect(await row('ordered')).toMatch(/^ordered\s+1\/1\s+Running\s+0\s+/), { timeoutMs: 30_000 });
    const running = await get('ordered');
    expect(running.status.initContainerStatuses.map((s: any) => [s.name, s.ready, s.state.terminated?.reason, s.state.terminated?.exitCode])).toEqual([
      ['first', true, 'Completed', 0],
      ['second', true, 'Completed', 0],
    ]);
    expect(running.status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Initialized', status: 'True' })]));
    // The second began after the first had ended, and the app after both.
    await eventually(async () => expect((await kubectl(['logs', 'ordered'])).stdout).toBe('one\ntwo\n'));
    expect((await kubectl(['logs', 'ordered', '-c', 'first'])).code).toBe(0);
  }, 90_000);

  it('fails the pod when an init container fails and the policy is Never; the app container never starts', async () => {
    await create(pod('broken', [busybox('setup', 'echo cannot; exit 3')], [busybox('app', 'exec sleep 3600')], { restartPolicy: 'Never' }));
    await eventually(async () => expect((await get('broken')).status.phase).toBe('Failed'), { timeoutMs: 30_000 });
    expect(await row('broken')).toMatch(/^broken\s+0\/1\s+Init:Error\s+0\s+/);
    const failed = await get('broken');
    expect(failed.status.initContainerStatuses[0].state.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(failed.status.containerStatuses[0].state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect((await kubectl(['logs', 'broken', '-c', 'setup'])).stdout).toBe('cannot\n');
  }, 60_000);

  it('runs a failed init container again under restartPolicy Always, counting its restarts', async () => {
    await create(pod('retrying', [busybox('wait-for-flag', 'test -f /work/flag || { touch /work/flag; exit 1; }')], [busybox('app', 'exec sleep 3600')]));
    await eventually(async () => expect(await row('retrying')).toMatch(/^retrying\s+1\/1\s+Running\s+1\s+/), { timeoutMs: 60_000 });
    const status = (await get('retrying')).status.initContainerStatuses[0];
    expect(status).toMatchObject({ restartCount: 1, ready: true, state: { terminated: { exitCode: 0, reason: 'Completed' } }, lastState: { terminated: { exitCode: 1, reason: 'Error' } } });
  }, 90_000);

  it('starts a sidecar (an init container with restartPolicy Always) before the app and keeps it running beside it', async () => {
    await create(pod('sidecar', [busybox('logger', 'echo up > /work/sidecar; exec sleep 3600', { restartPolicy: 'Always' })], [busybox('app', 'until test -f /work/sidecar; do sleep 0.1; done; cat /work/sidecar; exec sleep 3600')]));
    await eventually(async () => expect(await row('sidecar')).toMatch(/^sidecar\s+2\/2\s+Running\s+0\s+/), { timeoutMs: 30_000 });
    const status = (await get('sidecar')).status;
    expect(status.initContainerStatuses[0]).toMatchObject({ name: 'logger', ready: true, started: true, state: { running: expect.any(Object) } });
    // Started is not the same as having written the file (as in Kubernetes, without a startup probe): the app waits for it.
    await eventually(async () => expect((await kubectl(['logs', 'sidecar', '-c', 'app'])).stdout).toBe('up\n'));
  }, 60_000);

  it('refuses a restartPolicy on an app container, a policy other than Always on an init container, and a name used twice', async () => {
    const app = await kubectl(['create', '-f', '-'], { input: pod('bad-1', [], [busybox('app', 'true', { restartPolicy: 'Always' })]) });
    expect(app.stderr).toContain('spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers');
    const init = await kubectl(['create', '-f', '-'], { input: pod('bad-2', [busybox('setup', 'true', { restartPolicy: 'Never' })], [busybox('app', 'true')]) });
    expect(init.stderr).toContain('spec.initContainers[0].restartPolicy: Unsupported value: "Never": supported values: "Always"');
    const twice = await kubectl(['create', '-f', '-'], { input: pod('bad-3', [busybox('same', 'true')], [busybox('same', 'true')]) });
    expect(twice.stderr).toContain('spec.containers[0].name: Duplicate value: "same"');
    for (const name of ['bad-1', 'bad-2', 'bad-3']) expect((await kubectl(['get', 'pod', name])).stderr).toContain('NotFound');
  }, 30_000);
});
