import { crxAttachStartSubject, CrxErrorCodes, crxSubject } from '@openpacific/contracts';
import { connectNats, CrxClient, requestJson } from '@openpacific/messaging';
import { testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import { CrxServer } from './crx-server';
import { LeaseWatchdog } from './lease-watchdog';
import { SimDriver } from './sim-driver';

describe('crx-runtime over NATS', () => {
  const prefix = uniqueNatsPrefix('crxserver');
  const host = 'host-1';
  let nc: NatsConnection;
  let server: CrxServer;
  let client: CrxClient;
  let driver: SimDriver;

  beforeAll(async () => {
    nc = await connectNats({ url: testNatsUrl, name: 'crx-server-test' });
    driver = new SimDriver(1, { startDelayMs: 0, failureRate: 0 });
    server = new CrxServer(nc, prefix, host, driver, new LeaseWatchdog(driver, {}));
    server.start();
    await nc.flush();
    client = new CrxClient(nc, prefix, host);
  });
  afterAll(async () => {
    server?.stop();
    await nc?.close();
  });

  it('answers a list for named pods with theirs only and their sandboxes\' containers, and everything without a filter', async () => {
    const sandboxes = [];
    const containers = [];
    for (const name of ['a', 'b', 'c']) {
      const sandbox = await client.runPodSandbox({ podUid: `uid-${name}`, podName: name, podNamespace: 'default' });
      sandboxes.push(sandbox.id);
      containers.push((await client.createContainer(sandbox.id, { name: 'x', image: 'x' }, 0)).id);
    }
    const ids = (items: { id: string }[]) => items.map((i) => i.id);
    const [a, b, c] = sandboxes;

    const named = await client.listPodSandboxes({ pods: ['default/a', 'default/c'] });
    expect(ids(named)).toEqual([a, c]);
    expect(ids(await client.listContainers(ids(named)))).toEqual([containers[0], containers[2]]);
    expect(await client.listContainers([])).toEqual([]);
    expect(ids(await client.listContainers(b))).toEqual([containers[1]]);
    expect(ids(await client.listPodSandboxes())).toEqual(sandboxes);
    expect(ids(await client.listContainers())).toEqual(containers);
    // An agent from before the filters asks with `{}`: it gets what it always got.
    const old = await requestJson<object, { items: { id: string }[] }>(nc, crxSubject(prefix, host, 'listPodSandboxes'), {}, 5000);
    expect(ids(old.items)).toEqual(sandboxes);
    const oldContainers = await requestJson<object, { items: { id: string }[] }>(nc, crxSubject(prefix, host, 'listContainers'), {}, 5000);
    expect(ids(oldContainers.items)).toEqual(containers);
  });

  it('answers an attach to a sim container with an error, as it does an exec', async () => {
    const sandbox = await client.runPodSandbox({ podUid: 'uid-attach', podName: 'attach', podNamespace: 'default' });
    const c = await client.createContainer(sandbox.id, { name: 'x', image: 'x' }, 0);
    const reply = await requestJson<object, { error?: { code: string; message: string } }>(nc, crxAttachStartSubject(prefix, host), { sessionId: 's-1', containerId: c.id, stdin: false }, 5000);
    expect(reply.error).toMatchObject({ code: CrxErrorCodes.invalid, message: 'this runtime driver cannot attach to containers' });
  });

  it('writes a volume for the client, and answers a bad path and an unknown sandbox with their codes', async () => {
    const sandbox = await client.runPodSandbox({ podUid: 'uid-vol', podName: 'vol', podNamespace: 'default' });
    const files = [{ path: 'key', data: Buffer.from('v').toString('base64'), mode: 0o644 }];
    expect(await client.writeVolume(sandbox.id, 'config', files)).toEqual({ written: 1 });
    expect(await client.writeVolume(sandbox.id, 'config', files)).toEqual({ written: 0 });
    expect(driver.volume(sandbox.id, 'config')).toEqual(files);
    await expect(client.writeVolume(sandbox.id, 'config', [{ ...files[0], path: '../key' }])).rejects.toMatchObject({ code: CrxErrorCodes.invalid });
    await expect(client.writeVolume('nope', 'config', files)).rejects.toMatchObject({ code: CrxErrorCodes.notFound });
  });

  it('answers container stats for every running container in one request: sim containers use nothing, the runtime its own', async () => {
    const sandbox = await client.runPodSandbox({ podUid: 'uid-stats', podName: 'stats', podNamespace: 'team-a' });
    const running = await client.createContainer(sandbox.id, { name: 'main', image: 'x' }, 0);
    const started = await client.startContainer(running.id);
    await client.createContainer(sandbox.id, { name: 'never-started', image: 'x' }, 0);
    const stats = await client.containerStats();
    expect(stats.items.filter((s) => s.sandboxId === sandbox.id)).toEqual([
      {
        id: running.id, name: 'main', sandboxId: sandbox.id, pod: { namespace: 'team-a', name: 'stats', uid: 'uid-stats' }, cpuUsageCoreNanoSeconds: 0, memoryWorkingSetBytes: 0,
        timestamp: expect.any(Number), startedAt: started.startedAt,
      },
    ]);
    expect(started.startedAt).toEqual(expect.any(String));
    expect(stats.runtime.cpuUsageCoreNanoSeconds).toBeGreaterThan(0);
    expect(stats.runtime.memoryWorkingSetBytes).toBeGreaterThan(0);
    expect((await client.containerStats({ containerIds: [running.id, 'unknown'] })).items.map((s) => s.id)).toEqual([running.id]);
  });
});
