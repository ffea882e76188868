import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/** scheduling.k8s.io/v1 PriorityClasses, the Priority admission of pods, and preemption by the scheduler, through the real kubectl. */
const podSpec = (priorityClassName?: string, grace = 1) => ({
  ...(priorityClassName ? { priorityClassName } : {}),
  terminationGracePeriodSeconds: grace,
  // Deaf to SIGTERM: a victim stays Terminating for its whole grace period, long enough to be described.
  containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'trap "" TERM; while true; do sleep 1; done'], resources: { requests: { cpu: '500m' } } }],
});
const pod = (name: string, priorityClassName?: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: podSpec(priorityClassName) });
const deployment = (name: string, replicas: number, priorityClassName: string) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: podSpec(priorityClassName, 15) } },
  });

describe('pod priority and preemption', () => {
  let cluster: TestCluster;
  const kubectl = (args: string[], opts?: { input?: string; timeoutMs?: number }) => cluster.kubectl(args, opts);
  const getJson = async (...args: string[]) => JSON.parse((await kubectl(['get', ...args, '-o', 'json'])).stdout);

  beforeAll(async () => {
    // One CPU a host: two 500m pods fill it.
    cluster = await startCluster({ label: 'priority', env: { HOST_CPU: '1' } });
    await cluster.hostsReady(3);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('serves PriorityClasses as kubectl creates and lists them, the system classes among them', async () => {
    expect((await kubectl(['create', 'priorityclass', 'high', '--value=1000', '--description=for the important'])).stdout.trim()).toBe('priorityclass.scheduling.k8s.io/high created');
    expect((await kubectl(['create', 'priorityclass', 'low', '--value=10', '--preemption-policy=Never'])).code).toBe(0);
    const listed = (await kubectl(['get', 'pc'])).stdout.trim().split('\n');
    expect(listed[0]).toMatch(/^NAME\s+VALUE\s+GLOBAL-DEFAULT\s+AGE\s+PREEMPTIONPOLICY$/);
    expect(listed.slice(1).map((l) => l.split(/\s+/).filter((_, i) => i !== 3))).toEqual([
      ['high', '1000', 'false', 'PreemptLowerPriority'],
      ['low', '10', 'false', 'Never'],
      ['system-cluster-critical', '2000000000', 'false', 'PreemptLowerPriority'],
      ['system-node-critical', '2000001000', 'false', 'PreemptLowerPriority'],
    ]);
    expect((await getJson('priorityclass', 'high'))).toMatchObject({ value: 1000, description: 'for the important', preemptionPolicy: 'PreemptLowerPriority' });
    const described = (await kubectl(['describe', 'pc', 'high'])).stdout;
    for (const line of [/^Name:\s+high$/m, /^Value:\s+1000$/m, /^GlobalDefault:\s+false$/m, /^PreemptionPolicy:\s+PreemptLowerPriority$/m, /^Description:\s+for the important$/m]) expect(described).toMatch(line);
    // As the README runs it: a pod of the class, with no requests (it takes no CPU from the tests below).
    const run = await kubectl(['run', 'urgent', '--image=busybox', '--overrides={"spec":{"priorityClassName":"high"}}', '--', 'sleep', '3600']);
    expect(run.stdout.trim()).toBe('pod/urgent created');
    expect((await getJson('pod', 'urgent')).spec).toMatchObject({ priorityClassName: 'high', priority: 1000, preemptionPolicy: 'PreemptLowerPriority' });
  });

  it('refuses what kube-apiserver refuses: a system class deleted, values too high or changed, an unknown class on a pod', async () => {
    const deleted = await kubectl(['delete', 'pc', 'system-node-critical']);
    expect(deleted.stderr.trim()).toBe('Error from server (Forbidden): priorityclasses.scheduling.k8s.io "system-node-critical" is forbidden: this is a system priority class and cannot be deleted');
    const huge = await kubectl(['create', 'priorityclass', 'huge', '--value=1000000001']);
    // kubectl's generators put their own words before the server's.
    expect(huge.stderr.trim()).toBe('error: failed to create priorityclass: PriorityClass "huge" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000');
    const reserved = await kubectl(['create', 'priorityclass', 'system-mine', '--value=1']);
    expect(reserved.stderr).toContain("metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only");
    const changed = await kubectl(['patch', 'pc', 'high', '--type=merge', '-p', '{"value":2000}']);
    expect(changed.stderr.trim()).toBe('The PriorityClass "high" is invalid: value: Forbidden: may not be changed in an update.');
    const lost = await kubectl(['apply', '-f', '-'], { input: pod('lost', 'foo') });
    expect(lost.code).not.toBe(0);
    expect(lost.stderr).toContain('pods "lost" is forbidden: no PriorityClass with name foo was found');
    expect((await kubectl(['get', 'pod', 'lost'])).code).not.toBe(0);
    // A controller's pods are admitted alike: its ReplicaSet reports the refusal.
    expect((await kubectl(['apply', '-f', '-'], { input: deployment('classless', 1, 'foo') })).code).toBe(0);
    await eventually(async () => expect((await kubectl(['get', 'events'])).stdout).toMatch(/Warning\s+FailedCreate\s+replicaset\/classless-\S+\s+Error creating: pods "classless-\S+" is forbidden: no PriorityClass with name foo was found/));
    expect((await kubectl(['delete', 'deployment', 'classless'])).code).toBe(0);
  });

  it('fills the hosts with low-priority Deployment pods, then preempts one of them for a high-priority pod', async () => {
    expect((await kubectl(['apply', '-f', '-'], { input: deployment('filler', 6, 'low') })).code).toBe(0);
    expect((await kubectl(['rollout', 'status', 'deploy/filler', '--timeout=90s'], { timeoutMs: 100_000 })).code).toBe(0);
    const fillers = (await getJson('pods', '-l', 'app=filler')).items;
    expect(fillers.map((p: any) => [p.spec.priority, p.spec.preemptionPolicy])).toEqual(Array(6).fill([10, 'Never']));
    // A pod of no class gets priority 0; with the hosts full it waits, and preempts no one of higher priority.
    expect((await kubectl(['apply', '-f', '-'], { input: pod('plain') })).code).toBe(0);
    await eventually(async () => expect((await getJson('pod', 'plain')).status.conditions?.[0]).toMatchObject({ reason: 'Unschedulable', message: '0/3 hosts are available: 3 Insufficient cpu. preemption: 0/3 hosts are available: 3 No preemption victims found for incoming pod..' }));
    expect((await getJson('pod', 'plain')).spec).toMatchObject({ priority: 0, preemptionPolicy: 'PreemptLowerPriority' });

    expect((await kubectl(['apply', '-f', '-'], { input: pod('vip', 'high') })).code).toBe(0);
    // Nominated first: NODE <none>, NOMINATED NODE the host, while one filler there terminates.
    const nominated = await eventually(async () => {
      const p = await getJson('pod', 'vip');
      expect(p.status.nominatedNodeName).toMatch(/^host-[123]$/);
      return p;
    });
    const host = nominated.status.nominatedNodeName;
    expect((await kubectl(['get', 'pod', 'vip', '-o', 'wide', '--no-headers'])).stdout).toMatch(new RegExp(`^vip\\s+0/1\\s+Pending\\s+0\\s+\\S+\\s+<none>\\s+<none>\\s+${host}\\s+`));
    expect(nominated.spec).toMatchObject({ priorityClassName: 'high', priority: 1000, preemptionPolicy: 'PreemptLowerPriority' });
    // Exactly one filler goes, from that host, with the Preempted Event naming the vip's uid.
    const events = (await kubectl(['get', 'events'])).stdout.trim().split('\n').filter((l) => /\sPreempted\s/.test(l));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatch(new RegExp(`Normal\\s+Preempted\\s+pod/filler-\\S+\\s+Preempted by pod ${nominated.metadata.uid} on node ${host}`));
    const victim = events[0].match(/pod\/(filler-\S+)/)![1];
    const described = (await kubectl(['describe', 'pod', victim])).stdout;
    expect(described).toMatch(/Status:\s+Terminating \(lasts /);
    expect(described).toMatch(/DisruptionTarget\s+True/);
    expect(described).toMatch(new RegExp(`Normal\\s+Preempted\\s+\\S+\\s+default-scheduler\\s+Preempted by pod ${nominated.metadata.uid} on node ${host}`));
    expect((await getJson('pod', victim)).spec.nodeName).toBe(host);
    // Once the victim is gone (its grace period over), the vip is bound there and runs.
    const vip = await eventually(async () => {
      const p = await getJson('pod', 'vip');
      expect(p.status.phase).toBe('Running');
      return p;
    }, { timeoutMs: 60_000 });
    expect(vip.spec.nodeName).toBe(host);
    expect((await kubectl(['get', 'events'])).stdout.trim().split('\n').filter((l) => /\sPreempted\s/.test(l))).toHaveLength(1);
    // Its ReplicaSet's replacement waits like the plain pod: low priority, preemptionPolicy Never.
    await eventually(async () => {
      const waiting = (await getJson('pods', '-l', 'app=filler')).items.filter((p: any) => !p.spec.nodeName);
      expect(waiting).toHaveLength(1);
      expect(waiting[0].status.conditions?.[0]).toMatchObject({ reason: 'Unschedulable' });
      expect(waiting[0].status.nominatedNodeName).toBeUndefined();
    });
    expect((await getJson('pod', 'plain')).spec.nodeName).toBeUndefined();
  }, 180_000);

  it('allows one global default class, which pods without a class then get', async () => {
    expect((await kubectl(['create', 'priorityclass', 'usual', '--value=5', '--global-default'])).code).toBe(0);
    const second = await kubectl(['create', 'priorityclass', 'other', '--value=6', '--global-default']);
    expect(second.stderr.trim()).toBe('error: failed to create priorityclass: priorityclasses.scheduling.k8s.io "other" is forbidden: PriorityClass usual is already marked as default. Only one default can exist');
    expect((await kubectl(['get', 'pc', 'usual', '--no-headers'])).stdout).toMatch(/^usual\s+5\s+true\s+/);
    expect((await kubectl(['apply', '-f', '-'], { input: pod('defaulted') })).code).toBe(0);
    expect((await getJson('pod', 'defaulted')).spec).toMatchObject({ priorityClassName: 'usual', priority: 5 });
    // A class in use can go, as in Kubernetes: the pods keep their priority.
    expect((await kubectl(['delete', 'pc', 'usual'])).code).toBe(0);
    expect((await getJson('pod', 'defaulted')).spec.priority).toBe(5);
  });
});
