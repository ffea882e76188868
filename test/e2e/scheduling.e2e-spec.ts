import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/** The scheduler places pods on Ready hosts by their requests, selectors, taints and (anti-)affinity, and says why when it cannot. */
const pod = (name: string, spec: Record<string, unknown> = {}, labels: Record<string, string> = {}) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'sleep 3600'] }], ...spec },
  });

describe('scheduling pods onto hosts', () => {
  let cluster: TestCluster;
  const nodeOf = async (name: string) => (await cluster.kubectl(['get', 'pod', name, '-o', 'jsonpath={.spec.nodeName}'])).stdout;

  beforeAll(async () => {
    cluster = await startCluster({ label: 'scheduling' });
    await cluster.hostsReady(3);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('binds a pod to a Ready host, records the Scheduled event and the host epoch', async () => {
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: pod('p1', { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] }) })).stdout.trim()).toBe('pod/p1 created');
    await eventually(async () => expect(await nodeOf('p1')).toMatch(/^host-[123]$/));
    const p1 = JSON.parse((await cluster.kubectl(['get', 'pod', 'p1', '-o', 'json'])).stdout);
    expect(p1.status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'PodScheduled', status: 'True' })]));
    expect(p1.metadata.annotations['infrastructure.openpacific.io/host-epoch']).toBe('1');
    expect(p1.status.qosClass).toBe('Burstable');
    expect(p1.spec.restartPolicy).toBe('Always');
    const describe = await cluster.kubectl(['describe', 'pod', 'p1']);
    expect(describe.stdout).toMatch(new RegExp(`Normal\\s+Scheduled\\s+.*default-scheduler\\s+Successfully assigned default/p1 to ${p1.spec.nodeName}`));
    const history = (await cluster.request('GET', '/api/v1/namespaces/default/pods/p1/history')).json().items;
    // Then the host's spherelet-agent reports the pod's status as it starts it.
    expect(history.slice(0, 2).map((i: any) => [i.type, i.actor])).toEqual([
      ['ResourceCreated', 'admin'],
      ['PodBound', 'system:serviceaccount:kube-system:default-scheduler'],
    ]);
    expect(history.slice(2).every((i: any) => i.actor === `system:node:${p1.spec.nodeName}`)).toBe(true);
  });

  it('keeps a pod that fits nowhere Pending with the reason, and places it once a host can take it', async () => {
    await cluster.kubectl(['apply', '-f', '-'], { input: pod('picky', { nodeSelector: { disk: 'ssd' } }) });
    await eventually(async () => {
      const cond = JSON.parse((await cluster.kubectl(['get', 'pod', 'picky', '-o', 'jsonpath={.status.conditions[0]}'])).stdout || '{}');
      expect(cond).toMatchObject({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: "0/3 hosts are available: 3 host(s) didn't match Pod's node affinity/selector. preemption: 0/3 hosts are available: 3 Preemption is not helpful for scheduling.." });
    });
    expect((await cluster.kubectl(['get', 'pod', 'picky', '--no-headers'])).stdout).toMatch(/^picky\s+0\/1\s+Pending\s+0/);
    expect((await cluster.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=picky'])).stdout).toMatch(/Warning\s+FailedScheduling\s+pod\/picky\s+0\/3 hosts are available/);
    await cluster.kubectl(['label', 'node', 'host-3', 'disk=ssd']);
    await eventually(async () => expect(await nodeOf('picky')).toBe('host-3'));

    // Preferred node affinity outweighs spreading: both go to the ssd host, which already runs a pod.
    const preferring = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }] } };
    for (const n of ['fond1', 'fond2']) await cluster.kubectl(['apply', '-f', '-'], { input: pod(n, { affinity: preferring }) });
    await eventually(async () => expect([await nodeOf('fond1'), await nodeOf('fond2')]).toEqual(['host-3', 'host-3']));
    // Gt compares the label as an integer: generation 12 is above 9 (as text it would sort below).
    await cluster.kubectl(['label', 'node', 'host-1', 'generation=12']);
    await cluster.kubectl(['label', 'node', 'host-2', 'generation=7']);
    const newer = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'generation', operator: 'Gt', values: ['9'] }] }] } } };
    await cluster.kubectl(['apply', '-f', '-'], { input: pod('modern', { affinity: newer }) });
    await eventually(async () => expect(await nodeOf('modern')).toBe('host-1'));

    await cluster.kubectl(['apply', '-f', '-'], { input: pod('greedy', { containers: [{ name: 'c', image: 'busybox', resources: { requests: { memory: '900Gi' } } }] }) });
    await eventually(async () => expect((await cluster.kubectl(['get', 'pod', 'greedy', '-o', 'jsonpath={.status.conditions[0].message}'])).stdout).toBe('0/3 hosts are available: 3 Insufficient memory. preemption: 0/3 hosts are available: 3 No preemption victims found for incoming pod..'));
  });

  it('spreads three pods with required anti-affinity over three hosts, and avoids cordoned and tainted hosts', async () => {
    const anti = (name: string) =>
      pod(name, { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'spread' } }, topologyKey: 'kubernetes.io/hostname' }] } } }, { app: 'spread' });
    for (const n of ['s1', 's2', 's3']) await cluster.kubectl(['apply', '-f', '-'], { input: anti(n) });
    await eventually(async () => {
      const nodes = await Promise.all(['s1', 's2', 's3'].map(nodeOf));
      expect(nodes.every(Boolean)).toBe(true);
      expect(new Set(nodes).size).toBe(3);
    });
    await cluster.kubectl(['apply', '-f', '-'], { input: anti('s4') });
    await eventually(async () => expect((await cluster.kubectl(['get', 'pod', 's4', '-o', 'jsonpath={.status.conditions[0].message}'])).stdout).toBe("0/3 hosts are available: 3 host(s) didn't match pod anti-affinity rules. preemption: 0/3 hosts are available: 3 No preemption victims found for incoming pod.."));

    await cluster.kubectl(['cordon', 'host-1']);
    await cluster.request('PATCH', '/api/v1/nodes/host-2', { headers: { 'Content-Type': 'application/merge-patch+json' }, body: { spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] } } });
    for (const n of ['t1', 't2']) await cluster.kubectl(['apply', '-f', '-'], { input: pod(n) });
    await cluster.kubectl(['apply', '-f', '-'], { input: pod('tolerant', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }], nodeSelector: { 'kubernetes.io/hostname': 'host-2' } }) });
    await eventually(async () => {
      expect(await nodeOf('t1')).toBe('host-3');
      expect(await nodeOf('t2')).toBe('host-3');
      expect(await nodeOf('tolerant')).toBe('host-2');
    });
  });

  it('refuses impossible pods at admission and keeps pod specs immutable', async () => {
    const negative = await cluster.kubectl(['apply', '-f', '-'], { input: pod('neg', { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '-1' } } }] }) });
    expect(negative.stderr).toContain('spec.containers[0].resources.requests.cpu: Invalid value: "-1": must be greater than or equal to 0');
    const absurd = await cluster.kubectl(['apply', '-f', '-'], { input: pod('absurd', { containers: [{ name: 'c', image: 'busybox', resources: { requests: { memory: '9Ei' } } }] }) });
    expect(absurd.stderr).toContain('spec.containers[0].resources.requests.memory: Invalid value: "9Ei"');
    const noImage = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'noimg' }, spec: { containers: [{ name: 'c' }] } }) });
    expect(noImage.stderr).toContain('spec.containers[0].image: Required value');
    const changed = await cluster.kubectl(['patch', 'pod', 'p1', '--type=merge', '-p', '{"spec":{"restartPolicy":"Never"}}']);
    expect(changed.stderr).toContain('pod updates may not change fields');
    expect((await cluster.kubectl(['patch', 'pod', 'p1', '--type=json', '-p', '[{"op":"replace","path":"/spec/containers/0/image","value":"busybox:2"}]'])).stdout.trim()).toBe('pod/p1 patched');
  });
});
