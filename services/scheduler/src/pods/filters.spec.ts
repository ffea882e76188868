import { filterHost, holdOn, HostView, tolerates, unschedulableMessage } from './filters';
import { podRequests } from './pod-requests';
import { scoreHost } from './scoring';

const host = (name: string, extra: any = {}): HostView => ({
  name,
  host: {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(extra.labels ?? {}) } },
    spec: extra.spec ?? {},
    status: { allocatable: { cpu: '2', memory: '4Gi', pods: '10' }, conditions: [{ type: 'Ready', status: extra.ready ?? 'True' }] },
  },
  used: { cpuMillis: 0, memoryBytes: 0, pods: 0, ...(extra.used ?? {}) },
  pods: new Map((extra.pods ?? []).map((p: any) => [p.metadata.uid, p])),
  owners: new Map(),
});
const pod = (spec: any = {}, labels: Record<string, string> = {}) => ({
  metadata: { name: 'p', namespace: 'default', uid: 'u-p', labels },
  spec: { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '500m', memory: '1Gi' } } }], ...spec },
});

describe('the scheduler filters', () => {
  it('sum container requests plus one pod slot', () => {
    expect(podRequests(pod())).toEqual({ cpuMillis: 500, memoryBytes: 2 ** 30, pods: 1 });
  });

  it('take the larger of the containers plus sidecars and each init container plus the sidecars started before it', () => {
    const init = (name: string, cpu: string, sidecar = false) => ({ name, image: 'i', ...(sidecar ? { restartPolicy: 'Always' } : {}), resources: { requests: { cpu } } });
    // A big init container alone: its request.
    expect(podRequests(pod({ initContainers: [init('big', '2')] })).cpuMillis).toBe(2000);
    // A sidecar adds to the containers (500m + 300m); the init container after it runs beside it (300m + 400m).
    expect(podRequests(pod({ initContainers: [init('side', '300m', true), init('setup', '400m')] })).cpuMillis).toBe(800);
    expect(podRequests(pod({ initContainers: [init('side', '300m', true), init('setup', '700m')] })).cpuMillis).toBe(1000);
    // An init container before the sidecar does not run beside it.
    expect(podRequests(pod({ initContainers: [init('setup', '700m'), init('side', '300m', true)] })).cpuMillis).toBe(800);
  });

  it("add the pod's overhead (its RuntimeClass's) to what it asks of a host", () => {
    expect(podRequests(pod({ overhead: { cpu: '250m', memory: '64Mi' } }))).toEqual({ cpuMillis: 750, memoryBytes: 2 ** 30 + 64 * 2 ** 20, pods: 1 });
  });

  it('reject hosts that are not Ready, cordoned, out of capacity or tainted', () => {
    const views = [host('a')];
    expect(filterHost(pod(), host('a', { ready: 'False' }), views)).toMatch(/not-ready/);
    expect(filterHost(pod(), host('a', { spec: { unschedulable: true } }), views)).toBe('were unschedulable');
    expect(filterHost(pod(), host('a', { used: { memoryBytes: 3.5 * 2 ** 30 } }), views)).toBe('Insufficient memory');
    expect(filterHost(pod(), host('a', { used: { cpuMillis: 1600 } }), views)).toBe('Insufficient cpu');
    expect(filterHost(pod(), host('a', { used: { pods: 10 } }), views)).toBe('Too many pods');
    expect(filterHost(pod(), host('a', { spec: { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] } }), views)).toBe('had untolerated taint {k: v}');
    expect(filterHost(pod(), host('a'), views)).toBeUndefined();
  });

  it('match node selectors and required node affinity against host labels', () => {
    const ssd = host('a', { labels: { disk: 'ssd' } });
    expect(filterHost(pod({ nodeSelector: { disk: 'ssd' } }), ssd, [ssd])).toBeUndefined();
    expect(filterHost(pod({ nodeSelector: { disk: 'hdd' } }), ssd, [ssd])).toMatch(/node affinity\/selector/);
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['nvme'] }] }] } } };
    expect(filterHost(pod({ affinity }), ssd, [ssd])).toMatch(/node affinity\/selector/);
  });

  it("keep two pods asking for one host port off one host, on the same protocol and overlapping addresses (NodePorts)", () => {
    const withPort = (uid: string, port: any) => ({ metadata: { name: uid, namespace: 'default', uid }, spec: { containers: [{ name: 'c', image: 'i', ports: [port] }] } });
    const busy = host('a', { pods: [withPort('web', { containerPort: 80, hostPort: 8080 }), withPort('dns', { containerPort: 53, hostPort: 53, protocol: 'UDP', hostIP: '10.0.0.1' })] });
    const asks = (port: any) => filterHost(withPort('new', port), busy, [busy]);
    expect(asks({ containerPort: 80, hostPort: 8080 })).toBe("didn't have free ports for the requested pod ports");
    expect(asks({ containerPort: 80, hostPort: 8080, hostIP: '127.0.0.1' })).toBe("didn't have free ports for the requested pod ports");
    expect(asks({ containerPort: 80, hostPort: 8080, protocol: 'UDP' })).toBeUndefined();
    expect(asks({ containerPort: 80, hostPort: 8081 })).toBeUndefined();
    expect(asks({ containerPort: 53, hostPort: 53, protocol: 'UDP', hostIP: '10.0.0.2' })).toBeUndefined();
    expect(asks({ containerPort: 53, hostPort: 53, protocol: 'UDP' })).toBe("didn't have free ports for the requested pod ports");
    expect(asks({ containerPort: 8080 })).toBeUndefined();
  });

  it('compare Gt and Lt node affinity expressions as integers, and fail them on a missing or non-integer label', () => {
    const gen = (g: string) => host(`h${g}`, { labels: { gen: g } });
    const term = (operator: string, value: string) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'gen', operator, values: [value] }] }] } } });
    const fits = (affinity: any, h: HostView) => filterHost(pod({ affinity }), h, [h]) === undefined;
    expect([fits(term('Gt', '3'), gen('4')), fits(term('Gt', '3'), gen('3')), fits(term('Gt', '3'), gen('10'))]).toEqual([true, false, true]);
    expect([fits(term('Lt', '3'), gen('2')), fits(term('Lt', '3'), gen('-1')), fits(term('Lt', '3'), gen('3'))]).toEqual([true, true, false]);
    expect([fits(term('Gt', '3'), gen('x')), fits(term('Gt', '3'), host('bare'))]).toEqual([false, false]);
    // A term with nothing in it matches no host.
    const empty = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] } } };
    expect(fits(empty, gen('1'))).toBe(false);
  });

  it('score the hosts preferred node affinity names up, the best of them by 200, others by their share of its weight', () => {
    const ssd = host('a', { labels: { disk: 'ssd', zone: 'z1' } });
    const hdd = host('b', { labels: { disk: 'hdd', zone: 'z1' } });
    const other = host('c', { labels: { disk: 'hdd', zone: 'z2' } });
    const all = [ssd, hdd, other];
    const preferring = pod({
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 80, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
            { weight: 20, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] } },
          ],
        },
      },
    });
    const plain = pod();
    const bonus = (v: HostView) => scoreHost(preferring, v, all) - scoreHost(plain, v, all);
    expect(bonus(ssd)).toBeCloseTo(200);
    expect(bonus(hdd)).toBeCloseTo(40);
    expect(bonus(other)).toBeCloseTo(0);
    // It outweighs an emptier host: the preferred host wins though it runs more.
    const busySsd = host('a', { labels: { disk: 'ssd' }, used: { cpuMillis: 1500, memoryBytes: 3 * 2 ** 30, pods: 8 } });
    expect(scoreHost(preferring, busySsd, [busySsd, other])).toBeGreaterThan(scoreHost(preferring, other, [busySsd, other]));
  });

  it('honour tolerations by key, value, operator and effect', () => {
    const taint = { key: 'dedicated', value: 'db', effect: 'NoSchedule' };
    expect(tolerates([{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }], taint)).toBe(true);
    expect(tolerates([{ key: 'dedicated', operator: 'Exists' }], taint)).toBe(true);
    expect(tolerates([{ operator: 'Exists' }], taint)).toBe(true);
    expect(tolerates([{ key: 'dedicated', operator: 'Equal', value: 'web' }], taint)).toBe(false);
  });

  it('keep pods with required anti-affinity apart and pods with required affinity together', () => {
    const other = { metadata: { uid: 'o', namespace: 'default', labels: { app: 'db' } } };
    const a = host('a', { pods: [other] });
    const b = host('b');
    const term = [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' }];
    expect(filterHost(pod({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: term } } }), a, [a, b])).toMatch(/anti-affinity/);
    expect(filterHost(pod({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: term } } }), b, [a, b])).toBeUndefined();
    expect(filterHost(pod({ affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: term } } }), b, [a, b])).toMatch(/pod affinity/);
    expect(filterHost(pod({ affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: term } } }), a, [a, b])).toBeUndefined();
  });

  it('score preferred pod affinity up and preferred anti-affinity down by the terms\' weights, per topology domain', () => {
    const other = { metadata: { uid: 'o', namespace: 'default', labels: { app: 'db' } } };
    const zone = { 'topology.kubernetes.io/zone': 'z1' };
    const a = host('a', { pods: [other], labels: zone });
    const b = host('b', { labels: zone });
    const c = host('c', { labels: { 'topology.kubernetes.io/zone': 'z2' } });
    const all = [a, b, c];
    const podAffinityTerm = { labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'topology.kubernetes.io/zone' };
    const near = pod({ affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 40, podAffinityTerm }] } } });
    expect(scoreHost(near, b, all) - scoreHost(near, c, all)).toBeCloseTo(40);
    const far = pod({ affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 40, podAffinityTerm }] } } });
    expect(scoreHost(far, c, all) - scoreHost(far, b, all)).toBeCloseTo(40);
  });

  it('word the verdict as kube-scheduler does', () => {
    expect(unschedulableMessage(3, ['Insufficient memory', 'Insufficient memory', 'were unschedulable'])).toBe('0/3 hosts are available: 1 host(s) were unschedulable, 2 Insufficient memory.');
    // Preemption's verdicts, as kube-scheduler words them after `preemption: `.
    expect(unschedulableMessage(3, ['Preemption is not helpful for scheduling', 'No preemption victims found for incoming pod', 'Preemption is not helpful for scheduling'])).toBe(
      '0/3 hosts are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.',
    );
  });

  it('score the emptier host higher', () => {
    expect(scoreHost(pod(), host('a', { used: { cpuMillis: 1000, memoryBytes: 2 * 2 ** 30, pods: 3 } }))).toBeLessThan(scoreHost(pod(), host('b')));
  });

  it('spread pods of one owner: a host already holding a sibling scores lower than one holding a stranger', () => {
    const owned = (name: string) => ({ ...pod(), metadata: { ...pod().metadata, name, uid: name, ownerReferences: [{ uid: 'rs-1' }] } });
    const [a, b] = [host('a'), host('b')];
    holdOn(a, owned('sibling'));
    holdOn(b, pod());
    expect(a.owners.get('rs-1')).toBe(1);
    expect(a.used).toEqual(b.used);
    expect(scoreHost(owned('new'), a)).toBeLessThan(scoreHost(owned('new'), b));
  });
});
