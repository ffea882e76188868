import { filterHost, holdOn, HostView } from '../pods/filters';
import { scoreHost } from '../pods/scoring';
import { asWorkload, tooBigFor, vmPodAffinity } from './vm-workloads';

describe('VMs as the scheduler sees them', () => {
  const placement = (extra: object = {}) => ({ className: 'small', cpus: 2, memoryBytes: 2 ** 31, requests: { cpuMillis: 500, memoryBytes: 2 ** 30 }, image: { kind: 'VirtualMachineImage', name: 'ubuntu' }, ports: [22], ip: '127.65.0.1', ...extra });
  const vm = (name: string) => ({ metadata: { name, namespace: 'team', uid: `uid-${name}` } });
  const host = { metadata: { name: 'h' }, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } } };
  const view = (pods: any[]) => {
    const v: HostView = { name: 'h', host, used: { cpuMillis: 0, memoryBytes: 0, pods: 0 }, pods: new Map(), owners: new Map() };
    for (const p of pods) holdOn(v, p);
    return v;
  };

  it('holds only the reservations, and spreads VMs of one cluster-module group apart', () => {
    const a = asWorkload(vm('a'), placement({ resourcePolicy: 'workers', moduleGroup: 'control-plane-group' }));
    expect(a.spec.containers[0].resources.requests).toEqual({ cpu: '500m', memory: String(2 ** 30) });
    const b = asWorkload(vm('b'), placement({ resourcePolicy: 'workers', moduleGroup: 'control-plane-group' }));
    const other = asWorkload(vm('c'), placement({ resourcePolicy: 'workers', moduleGroup: 'worker-group' }));
    expect(scoreHost(b, view([a]))).toBeLessThan(scoreHost(b, view([other])));
  });

  it('does not fit a VM on a host with fewer CPUs or less memory than the VM has', () => {
    expect(tooBigFor(placement({ cpus: 8 }), { host })).toBe('Insufficient cpu');
    expect(tooBigFor(placement({ memoryBytes: 2 ** 34 }), { host })).toBe('Insufficient memory');
    expect(tooBigFor(placement(), { host })).toBeUndefined();
  });

  describe('with spec.affinity', () => {
    const web = { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' };
    const labelled = (name: string, labels: Record<string, string>, affinity?: any) => ({ metadata: { name, namespace: 'team', uid: `uid-${name}`, labels }, spec: { affinity } });
    const hostView = (name: string, zone: string, pods: any[]): HostView => {
      const v: HostView = {
        name, used: { cpuMillis: 0, memoryBytes: 0, pods: 0 }, pods: new Map(), owners: new Map(),
        host: { metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': zone } }, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] } },
      };
      for (const p of pods) holdOn(v, p);
      return v;
    };

    it('maps required terms (hard during execution too) to required pod terms and preferred ones to weighted terms, all over VMs', () => {
      expect(vmPodAffinity(undefined)).toBeUndefined();
      expect(vmPodAffinity({ vmAffinity: {}, zoneAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{}] } })).toBeUndefined();
      expect(vmPodAffinity({
        vmAffinity: { preferredDuringSchedulingPreferredDuringExecution: [web] },
        vmAntiAffinity: { requiredDuringSchedulingPreferredDuringExecution: [web], requiredDuringSchedulingRequiredDuringExecution: [{ topologyKey: 'topology.kubernetes.io/zone' }] },
      })).toEqual({
        podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [], preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { ...web, vmsOnly: true } }] },
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [{ ...web, vmsOnly: true }, { labelSelector: undefined, topologyKey: 'topology.kubernetes.io/zone', vmsOnly: true }],
          preferredDuringSchedulingIgnoredDuringExecution: [],
        },
      });
    });

    it('keeps VMs with required anti-affinity off a host with a matching VM, but not off one with a matching pod', () => {
      const anti = { vmAntiAffinity: { requiredDuringSchedulingPreferredDuringExecution: [web] } };
      const placed = asWorkload(labelled('a', { app: 'web' }), placement());
      const next = asWorkload(labelled('b', { app: 'web' }, anti), placement());
      const pod = { metadata: { name: 'p', namespace: 'team', uid: 'uid-p', labels: { app: 'web' } }, spec: { containers: [] } };
      const h1 = hostView('h1', 'z1', [placed]);
      const h2 = hostView('h2', 'z1', [pod]);
      expect(filterHost(next, h1, [h1, h2])).toBe("didn't match VM anti-affinity rules");
      expect(filterHost(next, h2, [h1, h2])).toBeUndefined();
      // Without a label selector a term matches no VM.
      const blind = asWorkload(labelled('c', { app: 'web' }, { vmAntiAffinity: { requiredDuringSchedulingPreferredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname' }] } }), placement());
      expect(filterHost(blind, h1, [h1, h2])).toBeUndefined();
    });

    it('puts a VM with required zonal affinity in the zone of its peer, and scores preferred terms', () => {
      const zonal = { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'topology.kubernetes.io/zone' };
      const peer = asWorkload(labelled('a', { app: 'web' }), placement());
      const h1 = hostView('h1', 'z1', [peer]);
      const h2 = hostView('h2', 'z2', []);
      const all = [h1, h2];
      const near = asWorkload(labelled('b', {}, { vmAffinity: { requiredDuringSchedulingPreferredDuringExecution: [zonal] } }), placement());
      expect(filterHost(near, h2, all)).toBe("didn't match VM affinity rules");
      expect(filterHost(near, h1, all)).toBeUndefined();
      const soft = asWorkload(labelled('c', {}, { vmAffinity: { preferredDuringSchedulingPreferredDuringExecution: [zonal] } }), placement());
      expect(filterHost(soft, h2, all)).toBeUndefined();
      expect(scoreHost(soft, h1, all)).toBeGreaterThan(scoreHost(soft, h2, all));
      const apart = asWorkload(labelled('d', {}, { vmAntiAffinity: { preferredDuringSchedulingPreferredDuringExecution: [zonal] } }), placement());
      expect(scoreHost(apart, h1, all)).toBeLessThan(scoreHost(apart, h2, all));
    });
  });
});
