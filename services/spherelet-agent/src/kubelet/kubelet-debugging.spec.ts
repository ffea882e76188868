import type { ContainerConfig, ExecSyncRequest, ExecSyncResponse, KubeletRequest, ReadLogsRequest, ReadLogsResponse } from '@openpacific/contracts';
import { SimRuntime } from '../fleet/sim-runtime';
import type { DebuggingHost, KubeletRuntime } from './debugging-host';
import { debuggingAnswer } from './kubelet-debugging';

/**
 * The sim runtime with what crx-runtime adds on a real host: each container's log (lines, as it wrote them) and
 * commands run in it (`echo`, and `false`, which fails).
 */
class RuntimeWithProcesses extends SimRuntime {
  readonly logs = new Map<string, string[]>();
  readonly ran: string[] = [];

  async readLogs(req: ReadLogsRequest): Promise<ReadLogsResponse> {
    const lines = this.logs.get(req.containerId);
    if (!lines) throw new Error(`container ${req.containerId} has no log`);
    const shown = req.tailLines !== undefined ? lines.slice(Math.max(0, lines.length - req.tailLines)) : lines;
    const content = shown.map((l) => `${req.timestamps ? '2026-12-05T10:00:00.000000000Z ' : ''}${l}\n`).join('').slice(0, req.limitBytes);
    return { content, nextByte: content.length, finished: false };
  }

  override async execSync(req: ExecSyncRequest): Promise<ExecSyncResponse> {
    this.ran.push(`${req.containerId}: ${req.command.join(' ')}`);
    if (req.command[0] === 'echo') return { exitCode: 0, stdout: `${req.command.slice(1).join(' ')}\n`, stderr: '' };
    if (req.command[0] === 'true') return { exitCode: 0, stdout: '', stderr: '' };
    return { exitCode: 1, stdout: 'out', stderr: 'it failed' };
  }
}

const container = (name: string): ContainerConfig => ({ name, image: 'busybox' });

/** A host with pod `web` (containers `main`, running with three lines logged, and `side`, not started yet) bound and running. */
async function host(runtime: RuntimeWithProcesses | SimRuntime = new RuntimeWithProcesses(1)) {
  const box = await runtime.runPodSandbox({ podUid: 'uid-web', podName: 'web', podNamespace: 'default' });
  const main = await runtime.startContainer((await runtime.createContainer(box.id, container('main'), 0)).id);
  await runtime.createContainer(box.id, container('side'), 0);
  if (runtime instanceof RuntimeWithProcesses) runtime.logs.set(main.id, ['one', 'two', 'three']);
  const pod = {
    metadata: { name: 'web', namespace: 'default', uid: 'uid-web' },
    spec: { nodeName: 'esx-1', containers: [{ name: 'main', image: 'busybox' }, { name: 'side', image: 'busybox' }] },
    status: {
      phase: 'Pending',
      containerStatuses: [
        { name: 'main', containerID: `crx://${main.id}`, state: { running: { startedAt: '2026-12-05T10:00:00Z' } }, lastState: {} },
        { name: 'side', state: { waiting: { reason: 'ContainerCreating' } }, lastState: {} },
      ],
    },
  };
  const h: DebuggingHost = { pods: () => [pod], runtime: runtime as KubeletRuntime };
  return { h, runtime, main, box };
}

const ask = (h: DebuggingHost, path: string, query = '', method = 'GET') => debuggingAnswer({ method, path, query } as KubeletRequest, h)!;
const PLAIN = { 'Content-Type': 'text/plain; charset=utf-8' };

describe("kubelet's containerLogs handler", () => {
  it("answers the container's log as the runtime keeps it, with tailLines, limitBytes and timestamps", async () => {
    const { h } = await host();
    expect(await ask(h, '/containerLogs/default/web/main')).toEqual({ status: 200, headers: PLAIN, body: 'one\ntwo\nthree\n' });
    expect((await ask(h, '/containerLogs/default/web/main', 'tailLines=2')).body).toBe('two\nthree\n');
    expect((await ask(h, '/containerLogs/default/web/main', 'tail=1')).body).toBe('three\n');
    expect((await ask(h, '/containerLogs/default/web/main', 'tail=all&tailLines=1')).body).toBe('one\ntwo\nthree\n');
    expect((await ask(h, '/containerLogs/default/web/main', 'limitBytes=6')).body).toBe('one\ntw');
    expect((await ask(h, '/containerLogs/default/web/main', 'tailLines=1&timestamps=true')).body).toBe('2026-12-05T10:00:00.000000000Z three\n');
    expect((await ask(h, '/containerLogs/default/web/main', 'sinceSeconds=10&timestamps=0')).body).toBe('one\ntwo\nthree\n');
  });

  it("answers kubelet's errors for an unknown pod or container, and the reason a container has no log", async () => {
    const { h } = await host();
    expect(await ask(h, '/containerLogs/default/nope/main')).toEqual({ status: 404, headers: PLAIN, body: 'pod "nope" does not exist' });
    expect(await ask(h, '/containerLogs/other/web/main')).toMatchObject({ status: 404, body: 'pod "web" does not exist' });
    expect(await ask(h, '/containerLogs/default/web/nope')).toEqual({ status: 404, headers: PLAIN, body: 'container "nope" not found in pod "web"' });
    expect(await ask(h, '/containerLogs/default/web/side')).toMatchObject({ status: 400, body: 'container "side" in pod "web" is waiting to start: ContainerCreating' });
    expect(await ask(h, '/containerLogs/default/web/main', 'previous=true')).toMatchObject({ status: 400, body: 'previous terminated container "main" in pod "web" not found' });
  });

  it('refuses a query it cannot decode with 400, options the API refuses with 422, and follow, which one reply cannot serve', async () => {
    const { h } = await host();
    for (const q of ['tailLines=x', 'limitBytes=1.5', 'sinceTime=yesterday', 'sinceSeconds=99999999999999999999']) {
      expect(await ask(h, '/containerLogs/default/web/main', q)).toMatchObject({ status: 400, body: '{"message": "Unable to decode query."}' });
    }
    for (const q of ['tailLines=-1', 'limitBytes=0', 'sinceSeconds=0', 'sinceSeconds=5&sinceTime=2026-12-05T10:00:00Z']) {
      expect(await ask(h, '/containerLogs/default/web/main', q)).toMatchObject({ status: 422, body: '{"message": "Invalid request."}' });
    }
    const follow = await ask(h, '/containerLogs/default/web/main', 'follow=true');
    expect(follow.status).toBe(400);
    expect(follow.body).toContain('follow is not served');
    expect(await ask(h, '/containerLogs/default/web/main', 'sinceTime=2026-12-05T10:00:00.123456789%2B01:00')).toMatchObject({ status: 200 });
  });

  it("answers go-restful's 404 and 405 off its route, and kubelet's 400 for a part of the path left empty", async () => {
    const { h } = await host();
    expect(await ask(h, '/containerLogs/default/web')).toMatchObject({ status: 404, body: '404: Page Not Found' });
    expect(await ask(h, '/containerLogs')).toMatchObject({ status: 404, body: '404: Page Not Found' });
    expect(await ask(h, '/containerLogs/default/web/main', '', 'POST')).toMatchObject({ status: 405, body: '405: Method Not Allowed' });
    expect(await ask(h, '/containerLogs/default//main')).toMatchObject({ status: 400, body: '{"message": "Missing podID."}' });
    expect(await ask(h, '/containerLogs/default/web/')).toMatchObject({ status: 400, body: '{"message": "Missing container name."}' });
    expect(await ask(h, '/containerLogs//web/main')).toMatchObject({ status: 400, body: '{"message": "Missing podNamespace."}' });
  });

  it('says so when the host runs no processes and keeps no logs (a sim host)', async () => {
    const sim = new SimRuntime(1);
    const { h } = await host(sim);
    const answer = await ask({ ...h, runtime: { listPodSandboxes: () => sim.listPodSandboxes(), listContainers: () => sim.listContainers() } }, '/containerLogs/default/web/main');
    expect(answer).toMatchObject({ status: 400, body: 'failed to read the log of container "main" in pod "web": the host\'s runtime runs no processes and keeps no logs' });
  });
});

describe("kubelet's runningpods handler", () => {
  it('lists the pods the runtime runs as a v1 PodList with only the fields kubelet fills, running containers only', async () => {
    const { h, runtime } = await host();
    // A pod whose sandbox is gone and whose container exited is not running.
    const gone = await runtime.runPodSandbox({ podUid: 'uid-gone', podName: 'gone', podNamespace: 'default' });
    await runtime.startContainer((await runtime.createContainer(gone.id, container('main'), 0)).id);
    await runtime.stopPodSandbox(gone.id);
    const answer = await ask(h, '/runningpods/');
    expect(answer.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(answer.body).toBe(`${JSON.stringify({
      kind: 'PodList', apiVersion: 'v1', metadata: {},
      items: [{
        metadata: { name: 'web', namespace: 'default', uid: 'uid-web', creationTimestamp: null },
        spec: { containers: [{ name: 'main', image: 'busybox', resources: {} }] },
        status: {},
      }],
    })}\n`);
  });

  it('writes null items when nothing runs, and answers only GET on its one route', async () => {
    const empty: DebuggingHost = { pods: () => [], runtime: new SimRuntime(2) };
    expect(JSON.parse((await ask(empty, '/runningpods/')).body)).toEqual({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: null });
    expect(await ask(empty, '/runningpods/', '', 'POST')).toMatchObject({ status: 405, body: '405: Method Not Allowed' });
    expect(await ask(empty, '/runningpods/x')).toMatchObject({ status: 404, body: '404: Page Not Found' });
    expect(debuggingAnswer({ method: 'GET', path: '/runningpods', query: '' }, empty)).toBeUndefined();
    expect(debuggingAnswer({ method: 'GET', path: '/pods', query: '' }, empty)).toBeUndefined();
  });
});

describe("kubelet's run handler", () => {
  it("runs cmd, split at its spaces, in the pod's running container and answers its output, labelled JSON as kubelet labels it", async () => {
    const { h, runtime, main } = await host();
    expect(await ask(h, '/run/default/web/main', 'cmd=echo+hi', 'POST')).toEqual({ status: 200, headers: { 'Content-Type': 'application/json' }, body: 'hi\n' });
    expect(await ask(h, '/run/default/web/uid-web/main', 'cmd=echo%20a%20%20b', 'POST')).toMatchObject({ status: 200, body: 'a  b\n' });
    expect(await ask(h, '/run/default/web/main', 'cmd=true', 'POST')).toEqual({ status: 200, headers: {}, body: '' });
    expect((runtime as RuntimeWithProcesses).ran).toEqual([`${main.id}: echo hi`, `${main.id}: echo a  b`, `${main.id}: true`]);
  });

  it("answers kubelet's errors: an unknown pod, a container the runtime does not run, a failing command", async () => {
    const { h } = await host();
    expect(await ask(h, '/run/default/nope/main', 'cmd=echo', 'POST')).toEqual({ status: 404, headers: PLAIN, body: 'pod does not exist' });
    expect(await ask(h, '/run/default/web/nope', 'cmd=echo', 'POST')).toEqual({ status: 500, headers: PLAIN, body: 'container not found ("nope")' });
    expect(await ask(h, '/run/default/web/side', 'cmd=echo', 'POST')).toMatchObject({ status: 500, body: 'container not found ("side")' });
    expect(await ask(h, '/run/default/web/main', 'cmd=false', 'POST')).toMatchObject({ status: 500, body: "command 'false' exited with 1: it failed" });
  });

  it("answers POST only, go-restful's 404 off its routes, and 500 where the runtime cannot run a command (a sim host)", async () => {
    const sim = new SimRuntime(1);
    const { h } = await host(sim);
    expect(await ask(h, '/run/default/web/main', 'cmd=echo')).toMatchObject({ status: 405, body: '405: Method Not Allowed' });
    expect(await ask(h, '/run/default/web', 'cmd=echo', 'POST')).toMatchObject({ status: 404, body: '404: Page Not Found' });
    const noExec = { ...h, runtime: { listPodSandboxes: () => sim.listPodSandboxes(), listContainers: () => sim.listContainers() } };
    expect(await ask(noExec, '/run/default/web/main', 'cmd=echo+hi', 'POST')).toMatchObject({ status: 500, body: "ExecSync is not supported: the host's runtime runs no processes" });
  });
});
