import { KubeletReply, KubeletRequest, natsNames } from '@openpacific/contracts';
import { connectNats, messageRoom, requestJson } from '@openpacific/messaging';
import { testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import { SimRuntime } from '../fleet/sim-runtime';
import { KubeletServer } from './kubelet-server';

describe("a host's kubelet API over NATS", () => {
  const prefix = uniqueNatsPrefix('kubelet');
  const names = natsNames(prefix);
  let nc: NatsConnection;
  const pods: any[] = [];
  const runtime = new SimRuntime(1);
  const server = () => new KubeletServer(nc, names, { name: 'esx-1', pods: () => pods, usage: () => undefined, configuration: { maxPods: 5000 }, probes: () => undefined, runtime });
  const ask = (path: string, method = 'GET') => requestJson<KubeletRequest, KubeletReply>(nc, names.kubelet('esx-1'), { method, path, query: '' }, 5000, { payloads: names.payloads });

  beforeAll(async () => {
    nc = await connectNats({ url: testNatsUrl, name: 'kubelet-server-test' });
  });
  afterAll(async () => {
    await (await nc.jetstreamManager()).streams.delete(`OBJ_${names.payloads}`).catch(() => undefined);
    await nc?.close();
  });

  it("answers on the host's subject while it runs, a full host's pods through the payloads bucket, and nobody answers once it stops", async () => {
    const kubelet = server();
    kubelet.start();
    await nc.flush();
    expect(await ask('/healthz')).toMatchObject({ status: 200, body: 'ok' });

    for (let i = 0; i < 3000; i++) pods.push({ metadata: { name: `pod-${i}`, namespace: 'default', uid: `uid-${i}`, annotations: { note: 'x'.repeat(400) } } });
    const answer = await ask('/pods');
    expect(answer.body.length).toBeGreaterThan(messageRoom(nc));
    expect(JSON.parse(answer.body).items).toHaveLength(3000);

    kubelet.stop();
    await nc.flush();
    await expect(ask('/healthz')).rejects.toMatchObject({ code: 'NATS.NO_RESPONDERS' });
  });

  it("answers the debugging handlers too: the pods its runtime runs, and a POST running a command in a pod's container", async () => {
    const kubelet = server();
    kubelet.start();
    await nc.flush();
    const box = await runtime.runPodSandbox({ podUid: 'uid-web', podName: 'web', podNamespace: 'default' });
    await runtime.startContainer((await runtime.createContainer(box.id, { name: 'main', image: 'busybox' }, 0)).id);
    const list = JSON.parse((await ask('/runningpods/')).body);
    expect(list.items).toEqual([expect.objectContaining({ metadata: { name: 'web', namespace: 'default', uid: 'uid-web', creationTimestamp: null } })]);
    expect(await ask('/run/default/web/main', 'POST')).toMatchObject({ status: 404, body: 'pod does not exist' });
    pods.push({ metadata: { name: 'web', namespace: 'default', uid: 'uid-web' } });
    // The sim runtime's exec runs nothing and answers success with no output: kubelet's empty 200.
    expect(await ask('/run/default/web/main', 'POST')).toEqual({ status: 200, headers: {}, body: '' });
    kubelet.stop();
  });
});
