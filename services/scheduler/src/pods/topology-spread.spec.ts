import { filterHost, HostView, unschedulableMessage } from './filters';
import { scoreHost } from './scoring';

const host = (name: string, zone: string | undefined, pods: any[] = [], extra: any = {}): HostView => ({
  name,
  host: {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(zone ? { 'topology.kubernetes.io/zone': zone } : {}), ...(extra.labels ?? {}) } },
    spec: extra.spec ?? {},
    status: { allocatable: { cpu: '8', memory: '16Gi', pods: '50' }, conditions: [{ type: 'Ready', status: 'True' }] },
  },
  used: { cpuMillis: 0, memoryBytes: 0, pods: 0 },
  pods: new Map(pods.map((p) => [p.metadata.uid, p])),
  owners: new Map(),
});
let uid = 0;
const web = (labels: Record<string, string> = { app: 'web' }, namespace = 'default') => ({ metadata: { name: `w${++uid}`, namespace, uid: `u${uid}`, labels }, spec: { containers: [{ name: 'c', image: 'i' }] } });
const spreading = (constraints: any[], labels: Record<string, string> = { app: 'web' }) => ({
  metadata: { name: 'new', namespace: 'default', uid: 'new', labels },
  spec: { containers: [{ name: 'c', image: 'i' }], topologySpreadConstraints: constraints },
});
const zoneSpread = (extra: any = {}) => ({ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, ...extra });

describe('pod topology spread', () => {
  it('keeps a pod out of the zone that already has more than maxSkew over the emptiest', () => {
    const hosts = [host('a1', 'a', [web(), web()]), host('b1', 'b', [web()]), host('c1', 'c', [web(), web({ app: 'other' }), web({ app: 'web' }, 'elsewhere')])];
    const pod = spreading([zoneSpread()]);
    expect(hosts.map((h) => filterHost(pod, h, hosts))).toEqual([
      "didn't match pod topology spread constraints", undefined, undefined,
    ]);
    expect(filterHost(spreading([zoneSpread({ maxSkew: 2 })]), hosts[0], hosts)).toBeUndefined();
    expect(unschedulableMessage(3, ["didn't match pod topology spread constraints"])).toBe('0/3 hosts are available: 1 host(s) didn\'t match pod topology spread constraints.');
  });

  it('keeps a pod off hosts without the key, and counts an empty domain only among hosts its selector lets it use', () => {
    const hosts = [host('a1', 'a', [web()]), host('x1', undefined), host('b1', 'b', [], { labels: { disk: 'hdd' } })];
    expect(filterHost(spreading([zoneSpread()]), hosts[1], hosts)).toBe("didn't match pod topology spread constraints (missing required label)");
    // Zone b is empty: a second pod in zone a would be two over it.
    expect(filterHost(spreading([zoneSpread()]), hosts[0], hosts)).toBe("didn't match pod topology spread constraints");
    // Asked for ssd disks only, the pod does not count zone b (nodeAffinityPolicy Honor), so zone a is the only domain.
    const ssd = { ...spreading([zoneSpread()]), spec: { ...spreading([zoneSpread()]).spec, nodeSelector: { 'topology.kubernetes.io/zone': 'a' } } };
    expect(filterHost(ssd, hosts[0], hosts)).toBeUndefined();
  });

  it('treats fewer domains than minDomains as an empty one, and takes matchLabelKeys from the pod', () => {
    const hosts = [host('a1', 'a', [web()]), host('b1', 'b', [web()])];
    expect(filterHost(spreading([zoneSpread()]), hosts[0], hosts)).toBeUndefined();
    expect(filterHost(spreading([zoneSpread({ minDomains: 3 })]), hosts[0], hosts)).toBe("didn't match pod topology spread constraints");
    // By matchLabelKeys only pods of the same revision count: none of them anywhere yet.
    const revisioned = spreading([zoneSpread({ labelSelector: { matchLabels: { app: 'web' } }, matchLabelKeys: ['rev'] })], { app: 'web', rev: '2' });
    const mixed = [host('a1', 'a', [web({ app: 'web', rev: '1' }), web({ app: 'web', rev: '1' })]), host('b1', 'b')];
    expect(filterHost(revisioned, mixed[0], mixed)).toBeUndefined();
  });

  it('scores ScheduleAnyway constraints toward the emptier domain without filtering', () => {
    const hosts = [host('a1', 'a', [web(), web()]), host('b1', 'b')];
    const pod = spreading([zoneSpread({ whenUnsatisfiable: 'ScheduleAnyway' })]);
    expect(filterHost(pod, hosts[0], hosts)).toBeUndefined();
    expect(scoreHost(pod, hosts[1], hosts)).toBeGreaterThan(scoreHost(pod, hosts[0], hosts));
  });
});
