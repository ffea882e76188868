import { holdOn, HostView } from '../pods/filters';
import { scoreHost } from '../pods/scoring';
import { asWorkload, tooBigFor } from './vm-workloads';

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
});
