import { controlPlaneDomains, failureDomainsOfZones, landedFailureDomain, machinesOfDomainWithMost, pickFewest, PlacedMachine, vmZoneRefusal } from './failure-domains';

/** A machine made `minute` minutes past ten, in `failureDomain`. */
const machine = (name: string, minute: number, failureDomain?: string): PlacedMachine => ({
  metadata: { name, creationTimestamp: `2026-01-01T10:${String(minute).padStart(2, '0')}:00Z` },
  spec: failureDomain ? { failureDomain } : {},
});
const names = (ms: PlacedMachine[]) => ms.map((m) => m.metadata.name).sort();
const zone = (name: string, extra: any = {}) => ({ metadata: { name, namespace: 'tkg-team', ...extra } });
const ABC = ['zone-a', 'zone-b', 'zone-c'];

describe('failure domains', () => {
  it("are a namespace's Zones, each for the control plane, sorted; none (no field) without Zones or with only Zones being deleted", () => {
    expect(failureDomainsOfZones([zone('zone-c'), zone('zone-a'), zone('zone-b')])).toEqual({ 'zone-a': { controlPlane: true }, 'zone-b': { controlPlane: true }, 'zone-c': { controlPlane: true } });
    expect(Object.keys(failureDomainsOfZones([zone('zone-c'), zone('zone-a')])!)).toEqual(['zone-a', 'zone-c']);
    expect(failureDomainsOfZones([])).toBeUndefined();
    expect(failureDomainsOfZones([zone('zone-a', { deletionTimestamp: '2026-01-01T00:00:00Z' })])).toBeUndefined();
  });

  it('offer the control plane only those marked for it', () => {
    expect(controlPlaneDomains({ 'zone-b': { controlPlane: true }, 'zone-a': { controlPlane: true }, gpu: { controlPlane: false }, x: {} })).toEqual(['zone-a', 'zone-b']);
    expect(controlPlaneDomains(undefined)).toEqual([]);
  });

  it('place a new control-plane machine in the domain with the fewest up-to-date machines, then the fewest overall, then by name', () => {
    expect(pickFewest(ABC, [], [])).toBe('zone-a');
    const a = machine('a', 1, 'zone-a');
    const b = machine('b', 2, 'zone-b');
    expect(pickFewest(ABC, [a, b], [a, b])).toBe('zone-c');
    // One up-to-date machine per domain but two in zone-a (an outdated one rolling out): not zone-a.
    const old = machine('old', 0, 'zone-a');
    const c = machine('c', 3, 'zone-c');
    expect(pickFewest(ABC, [old, a, b, c], [a, b, c])).toBe('zone-b');
    // Up-to-date machines weigh first: zone-a holds two outdated ones, zone-b one up-to-date one.
    expect(pickFewest(['zone-a', 'zone-b'], [machine('o1', 0, 'zone-a'), machine('o2', 0, 'zone-a'), b], [b])).toBe('zone-a');
    // Machines outside the known domains are not counted; without domains there is none to pick.
    expect(pickFewest(['zone-a', 'zone-b'], [machine('x', 1, 'zone-x'), a], [a])).toBe('zone-b');
    expect(pickFewest([], [a], [a])).toBeUndefined();
  });

  it('take a scale-down victim from outside the domains first, else from the domain with the most machines', () => {
    const a1 = machine('a1', 1, 'zone-a');
    const a2 = machine('a2', 5, 'zone-a');
    const b = machine('b', 2, 'zone-b');
    const c = machine('c', 3, 'zone-c');
    expect(names(machinesOfDomainWithMost(ABC, [a1, a2, b, c], [a1, a2, b, c]))).toEqual(['a1', 'a2']);
    // Eligible ones first (a rollout's outdated machines): zone-b holds the only outdated one.
    expect(names(machinesOfDomainWithMost(ABC, [a1, a2, b, c], [b]))).toEqual(['b']);
    // A tie of eligible machines goes to the domain with more machines overall, then by name.
    expect(names(machinesOfDomainWithMost(ABC, [a1, a2, b, c], [a1, b]))).toEqual(['a1']);
    expect(names(machinesOfDomainWithMost(ABC, [b, c], [b, c]))).toEqual(['b']);
    // A machine in no known domain (a zone gone, or none) goes first: the domain of the oldest such machine.
    const gone = machine('gone', 9, 'zone-x');
    const none = machine('none', 4);
    expect(names(machinesOfDomainWithMost(ABC, [a1, a2, gone, none], [a1, a2, gone, none]))).toEqual(['none']);
    expect(names(machinesOfDomainWithMost(ABC, [a1, a2, gone], [a1, a2, gone]))).toEqual(['gone']);
  });

  it('leave every eligible machine to the caller without domains and without machines placed in one', () => {
    const ms = [machine('m1', 1), machine('m2', 2), machine('m3', 3)];
    expect(names(machinesOfDomainWithMost([], ms, ms))).toEqual(['m1', 'm2', 'm3']);
    expect(names(machinesOfDomainWithMost([], ms, [ms[2]]))).toEqual(['m3']);
  });

  it("report where a machine landed: its VM's zone once placed, else what was reported before, else none", () => {
    const vm = (status?: any) => ({ metadata: { name: 'm' }, ...(status ? { status } : {}) });
    // Placed in the zone it asked for, or in the one VM Operator chose for a machine that named none.
    expect(landedFailureDomain(vm({ zone: 'zone-b', nodeName: 'host-2' }), undefined)).toBe('zone-b');
    // Not placed yet (no VM, or a VM without a zone): nothing, or what it landed in before (a VM made again).
    expect(landedFailureDomain(undefined, undefined)).toBeUndefined();
    expect(landedFailureDomain(vm({ powerState: 'PoweredOff' }), undefined)).toBeUndefined();
    expect(landedFailureDomain(vm(), 'zone-a')).toBe('zone-a');
    expect(landedFailureDomain(vm({ zone: '' }), '')).toBeUndefined();
  });

  it("word a zone the namespace lacks, or one being deleted, as CAPV reports VM Operator's webhook refusing the VM", () => {
    const prefix = 'failed to create or update VirtualMachine: admission webhook "default.validating.virtualmachine.v1alpha5.vmoperator.vmware.com" denied the request: ';
    const zones = [zone('zone-a'), zone('zone-b', { deletionTimestamp: '2026-01-01T00:00:00Z' })];
    expect(vmZoneRefusal('zone-a', zones)).toBeUndefined();
    expect(vmZoneRefusal('zone-x', zones)).toBe(`${prefix}metadata.labels[topology.kubernetes.io/zone]: Invalid value: "zone-x": zones.topology.tanzu.vmware.com "zone-x" not found`);
    expect(vmZoneRefusal('zone-b', zones)).toBe(`${prefix}metadata.labels[topology.kubernetes.io/zone]: Invalid value: "zone-b": cannot use zone that is being deleted`);
  });
});
