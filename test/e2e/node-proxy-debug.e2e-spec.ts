import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { kubectlRaw } from './support/kubectl-json';

/**
 * kubelet's debugging handlers through `nodes/<name>/proxy` (`containerLogs`, `runningpods`, `run`), read with the
 * real kubectl as kube-apiserver proxies them to kubelet: each host's agent answers from its own runtime (over NATS).
 */
describe('nodes/<name>/proxy: kubelet debugging handlers', () => {
  let cluster: TestCluster;
  let host: string;
  let uid: string;
  const raw = (path: string) => kubectlRaw(cluster, path);
  const proxy = (path: string) => `/api/v1/nodes/${host}/proxy${path}`;
  /** `kubectl create --raw` (a POST with an empty body), as a caller of kubelet's `/run` sends it. */
  const post = (path: string) => cluster.kubectl(['create', '--raw', path, '-f', '-'], { input: '' });

  beforeAll(async () => {
    cluster = await startCluster({ label: 'nodeproxydebug', hostCount: 1 });
    await cluster.hostsReady(1, 120_000);
    const run = await cluster.kubectl(['run', 'talker', '--image=busybox', '--restart=Never', '--', 'sh', '-c', 'echo one; echo two; echo three; sleep 3600']);
    expect(run.code).toBe(0);
    expect((await cluster.kubectl(['wait', '--for=condition=Ready', 'pod/talker', '--timeout=120s'])).code).toBe(0);
    const pod = JSON.parse((await cluster.kubectl(['get', 'pod', 'talker', '-o', 'json'])).stdout);
    host = pod.spec.nodeName;
    uid = pod.metadata.uid;
  }, 240_000);
  afterAll(() => cluster?.stop(), 60_000);

  it("serves the container's log with tailLines, as kubectl logs reads it", async () => {
    await eventually(async () => expect(await raw(proxy('/containerLogs/default/talker/talker?tailLines=2'))).toBe('two\nthree\n'), { timeoutMs: 15_000, intervalMs: 500 });
    expect(await raw(proxy('/containerLogs/default/talker/talker'))).toBe('one\ntwo\nthree\n');
    expect(await raw(proxy('/containerLogs/default/talker/talker?limitBytes=3'))).toBe('one');
    expect(await raw(proxy('/containerLogs/default/talker/talker?tailLines=1&timestamps=true'))).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z three\n$/);
  });

  it("answers kubelet's errors for an unknown container or pod, a bad query, and follow, which it does not serve", async () => {
    const container = await cluster.kubectl(['get', '--raw', proxy('/containerLogs/default/talker/nope'), '-v=8']);
    expect(container.code).not.toBe(0);
    expect(container.stderr).toContain('Error from server (NotFound)');
    expect(container.stderr).toContain('not found in pod');
    const pod = await cluster.kubectl(['get', '--raw', proxy('/containerLogs/default/nobody/talker'), '-v=8']);
    expect(pod.stderr).toContain('Error from server (NotFound)');
    expect(pod.stderr).toContain('does not exist');
    const invalid = await cluster.kubectl(['get', '--raw', proxy('/containerLogs/default/talker/talker?tailLines=-1')]);
    expect(invalid.stderr).toContain('Invalid request.');
    const follow = await cluster.kubectl(['get', '--raw', proxy('/containerLogs/default/talker/talker?follow=true')]);
    expect(follow.code).not.toBe(0);
    expect(follow.stderr).toContain('Error from server (BadRequest)');
  });

  it('lists the pod among those the runtime runs, with only the fields kubelet fills', async () => {
    const list = JSON.parse(await raw(proxy('/runningpods/')));
    expect(list).toMatchObject({ kind: 'PodList', apiVersion: 'v1', metadata: {} });
    const talker = list.items.find((p: any) => p.metadata.name === 'talker');
    expect(talker).toEqual({
      metadata: { name: 'talker', namespace: 'default', uid, creationTimestamp: null },
      spec: { containers: [{ name: 'talker', image: expect.stringContaining('busybox'), resources: {} }] },
      status: {},
    });
  });

  it('runs a command in the container and answers its output; an unknown container is kubelet\'s 500', async () => {
    const hi = await post(proxy('/run/default/talker/talker?cmd=echo%20hi'));
    expect(hi.stderr).toBe('');
    expect(hi.stdout).toBe('hi\n');
    expect((await post(proxy(`/run/default/talker/${uid}/talker?cmd=echo%20again`))).stdout).toBe('again\n');
    const missing = await post(proxy('/run/default/talker/nope?cmd=echo%20hi'));
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('Error from server (InternalError): an error on the server ("container not found (\\"nope\\")") has prevented the request from succeeding');
    const failing = await post(proxy('/run/default/talker/talker?cmd=false'));
    expect(failing.stderr).toContain("command 'false' exited with 1");
    const get = await cluster.kubectl(['get', '--raw', proxy('/run/default/talker/talker?cmd=echo%20hi')]);
    expect(get.stderr).toContain('Error from server (MethodNotAllowed)');
  });
});
