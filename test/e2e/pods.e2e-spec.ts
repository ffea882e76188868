import { inCIDR } from '@openpacific/contracts';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/** Pods really run: real processes on the hosts, their logs through kubectl, restarts, limits and clean deletion. */
const pod = (name: string, container: Record<string, unknown>, spec: Record<string, unknown> = {}) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox', ...container }], ...spec } });

describe('native pods on the local cluster', () => {
  let cluster: TestCluster;
  const get = async (name: string) => JSON.parse((await cluster.kubectl(['get', 'pod', name, '-o', 'json'])).stdout);
  const cgroupsHere = existsSync('/sys/fs/cgroup/memory') || existsSync('/sys/fs/cgroup/cgroup.controllers');

  beforeAll(async () => {
    // A 10 s host grace (3 s by default): a pod outlives its agent's restart only if the new agent renews the
    // host lease before it runs out (grace less 0.5 s), and on a loaded two-core machine starting a Node process
    // alone took longer than 2.5 s (the agent-restart test failed 3 of 3 runs with both cores busy, at 3 s).
    cluster = await startCluster({ label: 'pods', env: { RESTART_BACKOFF_MS: '500', HOST_GRACE_MS: '10000' } });
    await cluster.hostsReady(3);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('runs a pod as a real process whose output kubectl logs shows, and deleting it leaves no process behind', async () => {
    await cluster.kubectl(['apply', '-f', '-'], { input: pod('hello', { command: ['sh', '-c', 'echo hello; echo from $POD_NAME at $POD_IP; sleep 3600'] }) });
    await eventually(async () => expect((await cluster.kubectl(['get', 'pod', 'hello', '--no-headers'])).stdout).toMatch(/^hello\s+1\/1\s+Running\s+0/), { timeoutMs: 20_000 });
    const running = await get('hello');
    expect(running.status).toMatchObject({ phase: 'Running', hostIP: '127.0.0.1', qosClass: 'BestEffort' });
    // Its own address: from its namespace's /24 of the pod range where pods have their own network, else a 127.x.y.z.
    if (cluster.network.podCIDR) expect(inCIDR(running.status.podIP, cluster.network.podCIDR)).toBe(true);
    else expect(running.status.podIP).toMatch(/^127\.\d+\.\d+\.\d+$/);
    expect(running.status.conditions.find((c: any) => c.type === 'Ready').status).toBe('True');
    await eventually(async () => expect((await cluster.kubectl(['logs', 'hello'])).stdout).toBe(`hello\nfrom hello at ${running.status.podIP}\n`));
    expect((await cluster.kubectl(['logs', 'hello', '--tail=1'])).stdout).toBe(`from hello at ${running.status.podIP}\n`);
    expect((await cluster.kubectl(['logs', 'hello', '--timestamps'])).stdout).toMatch(/^\d{4}-\d\d-\d\dT\S+Z hello$/m);

    // The process is real: find it in the host's process table.
    const pids = require('node:fs').readdirSync('/proc').filter((p: string) => /^\d+$/.test(p)).filter((p: string) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('echo from $POD_NAME');
      } catch {
        return false;
      }
    });
    expect(pids.length).toBeGreaterThan(0);
    expect((await cluster.kubectl(['delete', 'pod', 'hello', '--timeout=60s'])).stdout.trim()).toBe('pod "hello" deleted');
    expect((await cluster.kubectl(['get', 'pod', 'hello'])).stderr).toContain('pods "hello" not found');
    for (const pid of pids) expect(existsSync(`/proc/${pid}`)).toBe(false);
    // kubelet's word for the container it stopped, which outlives the pod.
    await eventually(async () => expect((await cluster.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=hello'])).stdout).toMatch(/Normal\s+Killing\s+pod\/hello\s+Stopping container c/));
  }, 60_000);

  it('force-deletes a pod stuck Terminating at once, and its host kills what was still running', async () => {
    // SIGTERM ignored (and so by the sleep it starts): the pod would take its whole 120 s grace period to stop.
    await cluster.kubectl(['apply', '-f', '-'], { input: pod('stubborn', { command: ['sh', '-c', "trap '' TERM; echo started; sleep 3600"] }, { terminationGracePeriodSeconds: 120 }) });
    await eventually(async () => expect((await cluster.kubectl(['logs', 'stubborn'])).stdout).toBe('started\n'), { timeoutMs: 20_000 });
    const running = (p: string) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes("trap '' TERM");
      } catch {
        return false;
      }
    };
    const pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter(running);
    expect(pids.length).toBeGreaterThan(0);
    expect((await cluster.kubectl(['delete', 'pod', 'stubborn', '--wait=false'])).code).toBe(0);
    await eventually(async () => expect((await cluster.kubectl(['get', 'pod', 'stubborn', '--no-headers'])).stdout).toMatch(/^stubborn\s+\S+\s+Terminating/));
    const forced = await cluster.kubectl(['delete', 'pod', 'stubborn', '--force', '--grace-period=0']);
    expect(forced.stdout.trim()).toBe('pod "stubborn" force deleted');
    expect(forced.stderr).toContain('Immediate deletion does not wait for confirmation that the running resource has been terminated');
    expect((await cluster.kubectl(['get', 'pod', 'stubborn'])).stderr).toContain('pods "stubborn" not found');
    // Its host finds a sandbox no pod owns any more and kills it, without waiting out the grace period.
    await eventually(async () => {
      for (const pid of pids) expect(running(pid)).toBe(false);
    }, { timeoutMs: 30_000 });
  }, 90_000);

  it('takes a shorter grace period asked of a pod already Terminating, and its host kills it by then; a longer one is not taken', async () => {
    // SIGTERM ignored (and so by the sleep it starts): only the end of its grace period stops it.
    await cluster.kubectl(['apply', '-f', '-'], { input: pod('dawdler', { command: ['sh', '-c', "trap '' TERM; echo dawdling; sleep 3600"] }, { terminationGracePeriodSeconds: 300 }) });
    await eventually(async () => expect((await cluster.kubectl(['logs', 'dawdler'])).stdout).toBe('dawdling\n'), { timeoutMs: 20_000 });
    const running = (p: string) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('echo dawdling');
      } catch {
        return false;
      }
    };
    const pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter(running);
    expect(pids.length).toBeGreaterThan(0);
    expect((await cluster.kubectl(['delete', 'pod', 'dawdler', '--grace-period=300', '--wait=false'])).code).toBe(0);
    await eventually(async () => expect((await cluster.kubectl(['get', 'pod', 'dawdler', '--no-headers'])).stdout).toMatch(/^dawdler\s+\S+\s+Terminating/));
    const first = (await get('dawdler')).metadata;
    expect(first.deletionGracePeriodSeconds).toBe(300);

    // Shorter: taken (its deletionTimestamp as much earlier); longer after it: not.
    expect((await cluster.kubectl(['delete', 'pod', 'dawdler', '--grace-period=60', '--wait=false'])).code).toBe(0);
    const shortened = (await get('dawdler')).metadata;
    expect(shortened.deletionGracePeriodSeconds).toBe(60);
    expect(Date.parse(shortened.deletionTimestamp)).toBe(Date.parse(first.deletionTimestamp) - 240_000);
    expect((await cluster.kubectl(['delete', 'pod', 'dawdler', '--grace-period=600', '--wait=false'])).code).toBe(0);
    expect((await get('dawdler')).metadata).toMatchObject({ deletionGracePeriodSeconds: 60, deletionTimestamp: shortened.deletionTimestamp, resourceVersion: shortened.resourceVersion });
    for (const pid of pids) expect(running(pid)).toBe(true);

    // 3 s: the host's stop under way (SIGTERM sent, 300 s to wait) is cut short, and the pod goes within seconds.
    const asked = Date.now();
    const deleted = await cluster.kubectl(['delete', 'pod', 'dawdler', '--grace-period=3', '--timeout=60s']);
    expect(deleted.stdout.trim()).toBe('pod "dawdler" deleted');
    expect(Date.now() - asked).toBeLessThan(20_000);
    expect((await cluster.kubectl(['get', 'pod', 'dawdler'])).stderr).toContain('pods "dawdler" not found');
    for (const pid of pids) expect(running(pid)).toBe(false);
  }, 90_000);

  it('follows logs as they are written', async () => {
    await cluster.kubectl(['apply', '-f', '-'], { input: pod('ticker', { command: ['sh', '-c', 'for i in 1 2 3 4 5 6; do echo tick $i; sleep 0.3; done; sleep 3600'] }) });
    await eventually(async () => expect((await get('ticker')).status.phase).toBe('Running'), { timeoutMs: 20_000 });
    const follow = spawn('/usr/bin/kubectl', ['logs', '-f', 'ticker'], { env: { ...process.env, KUBECONFIG: cluster.kubeconfig, KUBECACHEDIR: `${cluster.dataDir}/kube-cache` } });
    let out = '';
    follow.stdout.on('data', (d) => (out += d));
    try {
      await eventually(() => expect(out).toContain('tick 6\n'), { timeoutMs: 15_000 });
      expect(out.split('\n').filter(Boolean)).toEqual(['tick 1', 'tick 2', 'tick 3', 'tick 4', 'tick 5', 'tick 6']);
    } finally {
      follow.kill();
    }
  }, 40_000);

  it('restarts a failing container with back-off until it is in CrashLoopBackOff with a rising restart count', async () => {
    await cluster.kubectl(['apply', '-f', '-'], { input: pod('crash', { command: ['sh', '-c', 'echo boom; exit 1'] }) });
    await eventually(async () => {
      const s = (await get('crash')).status.containerStatuses?.[0];
      expect(s.restartCount).toBeGreaterThanOrEqual(2);
      expect(s.lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    }, { timeoutMs: 30_000 }).catch(async (err) => {
      // Once seen in CI (restartCount 0 after 30 s, never reproduced here): what the pod, its Events and the hosts said.
      const events = await cluster.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=crash']);
      throw new Error(`${(err as Error).message}\npod status: ${JSON.stringify((await get('crash')).status)}\n${events.stdout}\n${cluster.logTails(30, /"level":"(warn|error)"|crash/)}`);
    });
    await eventually(async () => expect((await cluster.kubectl(['get', 'pod', 'crash', '--no-headers'])).stdout).toMatch(/^crash\s+0\/1\s+CrashLoopBackOff\s+[2-9]/), { timeoutMs: 30_000 });
    // As kubelet: the first exit restarts at once, so the wait after the n-th restart is the base (RESTART_BACKOFF_MS,
    // 500 ms here) doubled n - 1 times.
    const waiting = (await get('crash')).status.containerStatuses[0];
    expect(waiting.state.waiting.message).toMatch(new RegExp(`^back-off ${Math.round((500 * 2 ** (waiting.restartCount - 1)) / 1000)}s restarting failed container=c pod=crash_default`));
    expect((await cluster.kubectl(['logs', 'crash', '--previous'])).stdout).toBe('boom\n');
    const crash = await get('crash');
    // Restarting after it ended, the container counts as stopped, not waiting: the pod is Running, as kubelet says.
    expect(crash.status.phase).toBe('Running');
    expect((await cluster.kubectl(['describe', 'pod', 'crash'])).stdout).toMatch(/^Status:\s+Running$/m);
    expect((await cluster.kubectl(['describe', 'pod', 'crash'])).stdout).toMatch(new RegExp(`Warning\\s+BackOff\\s+.*Back-off restarting failed container c in pod crash_default\\(${crash.metadata.uid}\\)`));
    // As kubelet's recorder: each start says Started again, counted up on one Event, which describe shows once, `(x3 over 2s)`.
    await eventually(async () => {
      const described = (await cluster.kubectl(['describe', 'pod', 'crash'])).stdout;
      expect(described.match(/Normal\s+Started\s/g)).toHaveLength(1);
      expect(described).toMatch(/Normal\s+Started\s+\S+ \(x([3-9]|\d\d+) over \S+\)\s+spherelet.*Started container c$/m);
    }, { timeoutMs: 15_000 });
    const started = JSON.parse((await cluster.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=crash,reason=Started', '-o', 'json'])).stdout).items;
    expect(started).toHaveLength(1);
    expect(started[0].count).toBeGreaterThanOrEqual(3);
    expect(Date.parse(started[0].lastTimestamp)).toBeGreaterThanOrEqual(Date.parse(started[0].firstTimestamp));
  }, 90_000);

  it('ends a pod whose image or command does not exist in the state and reason Kubernetes shows, with an event', async () => {
    await cluster.kubectl(['apply', '-f', '-'], { input: pod('noimage', { image: 'registry.example/nothing:1' }) });
    await cluster.kubectl(['apply', '-f', '-'], { input: pod('nocommand', { command: ['does-not-exist'] }) });
    await eventually(async () => {
      expect((await get('noimage')).status.containerStatuses[0].state.waiting.reason).toMatch(/^(ErrImagePull|ImagePullBackOff)$/);
      expect((await get('nocommand')).status.containerStatuses[0].state.waiting).toMatchObject({ reason: 'RunContainerError', message: 'exec: "does-not-exist": executable file not found in $PATH' });
    }, { timeoutMs: 20_000 });
    expect((await cluster.kubectl(['describe', 'pod', 'noimage'])).stdout).toMatch(/Warning\s+Failed\s+.*registry\.example\/nothing:1" is not in the local image store/);
    expect((await cluster.kubectl(['get', 'pod', 'hello-never-existed'])).code).not.toBe(0);
  }, 40_000);

  it('gates Ready on the readiness probe and restarts a container whose liveness probe fails', async () => {
    await cluster.kubectl(['apply', '-f', '-'], {
      input: pod('gated', {
        command: ['sh', '-c', 'sleep 2; touch ready; sleep 3600'],
        readinessProbe: { exec: { command: ['test', '-f', 'ready'] }, periodSeconds: 1, failureThreshold: 1 },
      }),
    });
    await eventually(async () => expect((await cluster.kubectl(['get', 'pod', 'gated', '--no-headers'])).stdout).toMatch(/^gated\s+0\/1\s+Running/), { timeoutMs: 20_000 });
    expect((await get('gated')).status.conditions.find((c: any) => c.type === 'Ready').status).toBe('False');
    await eventually(async () => expect((await cluster.kubectl(['get', 'pod', 'gated', '--no-headers'])).stdout).toMatch(/^gated\s+1\/1\s+Running/), { timeoutMs: 20_000 });

    await cluster.kubectl(['apply', '-f', '-'], {
      input: pod('unhealthy', {
        command: ['sh', '-c', 'sleep 3600'],
        livenessProbe: { tcpSocket: { port: 9 }, periodSeconds: 1, failureThreshold: 2 },
      }, { terminationGracePeriodSeconds: 1 }),
    });
    await eventually(async () => expect((await get('unhealthy')).status.containerStatuses?.[0]?.restartCount).toBeGreaterThanOrEqual(1), { timeoutMs: 30_000 });
    expect((await cluster.kubectl(['describe', 'pod', 'unhealthy'])).stdout).toContain('Container c failed liveness probe, will be restarted');
    // Each failing probe in kubelet's words: an exec probe's (empty) output, a TCP probe's refused connection.
    const unhealthyIp = (await get('unhealthy')).status.podIP;
    expect((await cluster.kubectl(['describe', 'pod', 'unhealthy'])).stdout).toMatch(new RegExp(`Warning\\s+Unhealthy\\s+.*Liveness probe failed: dial tcp ${unhealthyIp.replace(/\./g, '\\.')}:9: connect: connection refused`));
    expect((await cluster.kubectl(['describe', 'pod', 'gated'])).stdout).toMatch(/Warning\s+Unhealthy\s+.*Readiness probe failed:/);

    // A startup probe that fails its threshold ends the container as kubelet ends it: killed, then restarted.
    await cluster.kubectl(['apply', '-f', '-'], {
      input: pod('slowstart', {
        command: ['sh', '-c', 'sleep 3600'],
        startupProbe: { exec: { command: ['test', '-f', 'never'] }, periodSeconds: 1, failureThreshold: 2 },
      }, { terminationGracePeriodSeconds: 1 }),
    });
    await eventually(async () => expect((await get('slowstart')).status.containerStatuses?.[0]?.restartCount).toBeGreaterThanOrEqual(1), { timeoutMs: 30_000 });
    const slow = (await cluster.kubectl(['describe', 'pod', 'slowstart'])).stdout;
    expect(slow).toContain('Container c failed startup probe, will be restarted');
    expect(slow).toMatch(/Warning\s+Unhealthy\s+.*Startup probe failed:/);
    expect((await get('slowstart')).status.containerStatuses[0].started).toBe(false);

    // A grpc probe asks the pod's gRPC health service; nothing listens here, said in kubelet's words.
    await cluster.kubectl(['apply', '-f', '-'], {
      input: pod('grpcready', { command: ['sh', '-c', 'sleep 3600'], readinessProbe: { grpc: { port: 9000, service: 'db' }, periodSeconds: 1 } }),
    });
    await eventually(async () => {
      const ip = (await get('grpcready')).status.podIP;
      expect(ip).toBeTruthy();
      expect((await cluster.kubectl(['describe', 'pod', 'grpcready'])).stdout).toContain(`Readiness probe failed: timeout: failed to connect service "${ip}:9000" within 1s`);
    }, { timeoutMs: 20_000 });
    expect((await get('grpcready')).status.containerStatuses[0].ready).toBe(false);
  }, 90_000);

  it('records every failed probe as kubelet does: one Unhealthy Event counted up, shown as (xN over …) by describe', async () => {
    await cluster.kubectl(['apply', '-f', '-'], {
      input: pod('flaky', {
        command: ['sh', '-c', 'sleep 3600'],
        readinessProbe: { exec: { command: ['sh', '-c', 'echo not ready; exit 1'] }, periodSeconds: 1 },
      }),
    });
    await eventually(async () => {
      const described = (await cluster.kubectl(['describe', 'pod', 'flaky'])).stdout;
      const line = described.match(/Warning\s+Unhealthy\s+\S+ \(x(\d+) over \S+\)\s+spherelet\s+Readiness probe failed: not ready/);
      expect(line).not.toBeNull();
      expect(Number(line![1])).toBeGreaterThanOrEqual(5);
    }, { timeoutMs: 30_000 });
    const events = JSON.parse((await cluster.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=flaky', '-o', 'json'])).stdout).items;
    const unhealthy = events.filter((e: any) => e.reason === 'Unhealthy');
    expect(unhealthy).toHaveLength(1);
    expect(unhealthy[0]).toMatchObject({ type: 'Warning', message: 'Readiness probe failed: not ready\n', involvedObject: { fieldPath: 'spec.containers{c}' } });
    expect(unhealthy[0].count).toBeGreaterThanOrEqual(5);
    expect(Date.parse(unhealthy[0].lastTimestamp)).toBeGreaterThan(Date.parse(unhealthy[0].firstTimestamp));

    // Under restartPolicy Never a liveness kill promises no restart, in kubelet's words.
    await cluster.kubectl(['apply', '-f', '-'], {
      input: pod('doomed', { command: ['sh', '-c', 'sleep 3600'], livenessProbe: { tcpSocket: { port: 9 }, periodSeconds: 1, failureThreshold: 2 } }, { restartPolicy: 'Never', terminationGracePeriodSeconds: 1 }),
    });
    await eventually(async () => expect((await get('doomed')).status.phase).toBe('Failed'), { timeoutMs: 30_000 });
    const doomed = (await cluster.kubectl(['describe', 'pod', 'doomed'])).stdout;
    expect(doomed).toMatch(/Normal\s+Killing\s+.*Container c failed liveness probe$/m);
    await cluster.kubectl(['delete', 'pod', 'flaky', 'doomed', '--grace-period=0', '--force']);
  }, 90_000);

  it('holds Ready on readiness gates until their conditions are True, and fails a pod past its activeDeadlineSeconds', async () => {
    const ready = (p: any) => p.status.conditions.find((c: any) => c.type === 'Ready');
    await cluster.kubectl(['apply', '-f', '-'], { input: pod('gates', { command: ['sleep', '3600'] }, { terminationGracePeriodSeconds: 1, readinessGates: [{ conditionType: 'example.com/lb' }] }) });
    await eventually(async () => {
      const p = await get('gates');
      expect(p.status.phase).toBe('Running');
      expect(ready(p)).toMatchObject({ status: 'False', reason: 'ReadinessGatesNotReady', message: 'corresponding condition of pod readiness gate "example.com/lb" does not exist.' });
    }, { timeoutMs: 30_000 });
    expect((await cluster.kubectl(['get', 'pod', 'gates', '-o', 'wide', '--no-headers'])).stdout).toMatch(/\s0\/1\n$/);
    // What a load balancer controller does: the gate's condition, through the status subresource.
    const opened = await cluster.kubectl(['patch', 'pod', 'gates', '--subresource=status', '--type=json', '-p', JSON.stringify([{ op: 'add', path: '/status/conditions/-', value: { type: 'example.com/lb', status: 'True' } }])]);
    expect(opened.code).toBe(0);
    await eventually(async () => expect(ready(await get('gates')).status).toBe('True'), { timeoutMs: 20_000 });
    expect((await get('gates')).status.conditions).toContainEqual({ type: 'example.com/lb', status: 'True' });
    expect((await cluster.kubectl(['get', 'pod', 'gates', '-o', 'wide', '--no-headers'])).stdout).toMatch(/\s1\/1\n$/);

    await cluster.kubectl(['apply', '-f', '-'], { input: pod('deadline', { command: ['sleep', '3600'] }, { terminationGracePeriodSeconds: 1, activeDeadlineSeconds: 3 }) });
    await eventually(async () => {
      const p = await get('deadline');
      expect(p.status).toMatchObject({ phase: 'Failed', reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' });
      expect(p.status.containerStatuses[0].state.terminated).toBeDefined();
      expect(p.status.containerStatuses[0].restartCount).toBe(0);
    }, { timeoutMs: 30_000 });
    expect((await cluster.kubectl(['describe', 'pod', 'deadline'])).stdout).toMatch(/Normal\s+DeadlineExceeded\s+.*Pod was active on the node longer than the specified deadline/);
  }, 90_000);

  it('reports why a container ended, from its termination message file or its log on FallbackToLogsOnError, in a /dev of its own', async () => {
    const never = { restartPolicy: 'Never' };
    await cluster.kubectl(['apply', '-f', '-'], { input: pod('told', { command: ['sh', '-c', 'ls /dev > /tmp/dev; echo "bad config: port" > /dev/termination-log; exit 2'] }, never) });
    await cluster.kubectl(['apply', '-f', '-'], { input: pod('tail', { command: ['sh', '-c', 'echo starting; echo "panic: nil map" >&2; exit 1'], terminationMessagePolicy: 'FallbackToLogsOnError' }, never) });
    await cluster.kubectl(['apply', '-f', '-'], { input: pod('devices', { command: ['sh', '-c', 'ls /dev | tr "\\n" " "'] }, never) });
    const terminated = async (name: string) => (await get(name)).status.containerStatuses[0].state.terminated;
    await eventually(async () => {
      expect(await terminated('told')).toMatchObject({ exitCode: 2, reason: 'Error', message: 'bad config: port\n' });
      expect(await terminated('tail')).toMatchObject({ exitCode: 1, reason: 'Error', message: 'starting\npanic: nil map\n' });
      expect(await terminated('devices')).toMatchObject({ exitCode: 0 });
    }, { timeoutMs: 30_000 });
    expect((await get('told')).spec.containers[0]).toMatchObject({ terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' });
    expect((await cluster.kubectl(['describe', 'pod', 'told'])).stdout).toMatch(/Message:\s+bad config: port/);
    // The container's own /dev: the devices every container has, its termination log, nothing else of the host's.
    expect((await cluster.kubectl(['logs', 'devices'])).stdout.trim().split(' ').sort()).toEqual(
      ['fd', 'full', 'null', 'ptmx', 'pts', 'random', 'shm', 'stderr', 'stdin', 'stdout', 'termination-log', 'tty', 'urandom', 'zero'],
    );
    // Events about one container say which (kubectl get events -o wide: SUBOBJECT).
    const events = await cluster.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=told', '-o', 'wide']);
    expect(events.stdout).toMatch(/Started\s+pod\/told\s+spec\.containers\{c\}\s/);
    expect(events.stdout).toMatch(/Scheduled\s+pod\/told\s+default-scheduler/);
    // Finished, a pod's sandbox is stopped as kubelet stops it: its network goes (PodReadyToStartContainers False,
    // the address free for another pod), its status keeps the address it had, and its logs are still read.
    await eventually(async () => {
      for (const name of ['told', 'tail', 'devices']) {
        const p = await get(name);
        expect(p.status.phase).toBe(name === 'devices' ? 'Succeeded' : 'Failed');
        expect(p.status.conditions.find((c: any) => c.type === 'PodReadyToStartContainers')).toMatchObject({ status: 'False' });
        expect(p.status.podIP).toEqual(expect.any(String));
      }
    }, { timeoutMs: 30_000 });
    expect((await cluster.kubectl(['logs', 'tail'])).stdout).toBe('starting\npanic: nil map\n');
    expect((await cluster.kubectl(['describe', 'pod', 'devices'])).stdout).toMatch(/PodReadyToStartContainers\s+False/);
    for (const name of ['told', 'tail', 'devices']) await cluster.kubectl(['delete', 'pod', name, '--wait=false']);
  }, 90_000);

  it('keeps a pod running with the same process when only the spherelet-agent is killed and comes back', async () => {
    await cluster.kubectl(['apply', '-f', '-'], { input: pod('survivor', { command: ['sh', '-c', 'exec sleep 3601'] }) });
    await eventually(async () => expect((await get('survivor')).status.phase).toBe('Running'), { timeoutMs: 20_000 });
    const before = await get('survivor');
    const procs = () =>
      readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map((p) => {
        try {
          const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
          return { pid: Number(p), pgrp: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]), cmd: readFileSync(`/proc/${p}/cmdline`, 'utf8') };
        } catch {
          return { pid: Number(p), pgrp: -1, cmd: '' };
        }
      });
    const workload = procs().find((p) => p.cmd === 'sleep\u00003601\u0000')!;
    expect(workload).toBeDefined();
    const host = cluster.hosts.find((h) => h.name === before.spec.nodeName)!;
    const agent = procs().find((p) => p.pgrp === host.pgid && p.cmd.includes('spherelet-agent'))!;
    process.kill(agent.pid, 'SIGKILL');
    await eventually(async () => {
      expect(procs().some((p) => p.pgrp === host.pgid && p.cmd.includes('spherelet-agent') && p.pid !== agent.pid)).toBe(true);
      expect((await cluster.request('GET', `/apis/infrastructure.openpacific.io/v1alpha1/hosts/${host.name}`)).json().status.epoch).toBe(2);
    }, { timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 2500)); // a few passes of the new agent
    const after = await get('survivor');
    expect(existsSync(`/proc/${workload.pid}`)).toBe(true);
    expect(after.status.phase).toBe('Running');
    expect(after.status.containerStatuses[0]).toMatchObject({ restartCount: 0, containerID: before.status.containerStatuses[0].containerID });
  }, 60_000);

  // Memory limits need writable cgroups (v1 or v2); without them the runtime reports cgroups: false and cannot enforce them.
  (cgroupsHere ? it : it.skip)('ends a container that allocates past its memory limit as OOMKilled', async () => {
    const hog = `awk 'BEGIN { s = "x"; while (1) s = s s }'`;
    await cluster.kubectl(['apply', '-f', '-'], {
      input: pod('hog', { command: ['sh', '-c', hog], resources: { limits: { memory: '64Mi', cpu: '500m' } } }, { restartPolicy: 'Never' }),
    });
    await eventually(async () => {
      const p = await get('hog');
      expect(p.status.phase).toBe('Failed');
      expect(p.status.containerStatuses[0].state.terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
    }, { timeoutMs: 30_000 });
    expect((await get('hog')).status.qosClass).toBe('Guaranteed');
  }, 40_000);
});
