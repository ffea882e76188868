import { unschedulableMessage } from '../pods/filters';
import { namespaceZoneRule, namespaceZones, vmZoneRule, zoneFilter } from './vm-zones';

const vm = (labels: Record<string, string> = {}) => ({ metadata: { name: 'web', namespace: 'team-a', labels } });
const host = (zone?: string) => ({ metadata: { name: 'h', labels: zone ? { 'topology.kubernetes.io/zone': zone } : {} } });
const zone = (name: string, extra: any = {}) => ({ metadata: { name, ...extra }, spec: { availabilityZoneReference: { apiVersion: 'topology.tanzu.vmware.com/v1alpha1', name } } });
const offered = (value: string) => ({ metadata: { name: 'team-a', annotations: { 'topology.openpacific.io/offered-zones': value } } });

describe('VM placement by zone', () => {
  it('leaves a VM of a namespace never offered a zone where it was: any host, zone or not', () => {
    const rule = vmZoneRule(vm(), namespaceZones({ metadata: { name: 'team-a' } }, []));
    expect(rule).toBeUndefined();
    expect(zoneFilter(rule, host())).toBeUndefined();
  });

  it("keeps a VM of a namespace with Zones to their hosts (a Zone being deleted is none of them)", () => {
    const zones = namespaceZones(offered('zone-a,zone-b,zone-c'), [zone('zone-c'), zone('zone-a'), zone('zone-b', { deletionTimestamp: '2025-01-01T00:00:00Z' })]);
    expect(zones).toEqual({ names: ['zone-a', 'zone-c'], offered: true });
    const rule = vmZoneRule(vm(), zones);
    expect([zoneFilter(rule, host('zone-a')), zoneFilter(rule, host('zone-c'))]).toEqual([undefined, undefined]);
    const reasons = [zoneFilter(rule, host('zone-b')), zoneFilter(rule, host())].map(String);
    expect(unschedulableMessage(3, reasons)).toBe('0/3 hosts are available: 2 host(s) were not in a zone of namespace "team-a" (zone-a, zone-c).');
  });

  it('keeps a VM labelled with a zone to that zone only', () => {
    const rule = vmZoneRule(vm({ 'topology.kubernetes.io/zone': 'zone-c' }), namespaceZones(offered('zone-a,zone-c'), [zone('zone-a'), zone('zone-c')]));
    expect(zoneFilter(rule, host('zone-c'))).toBeUndefined();
    expect(zoneFilter(rule, host('zone-a'))).toBe('were not in the VM\'s zone "zone-c"');
  });

  it('places no VM of a namespace whose every Zone was deleted', () => {
    const rule = vmZoneRule(vm(), namespaceZones(offered('zone-a'), []));
    expect(zoneFilter(rule, host('zone-a'))).toBe('were not in a zone of namespace "team-a" (it has none)');
  });
});

describe("a namespace's pods by zone", () => {
  it('keeps them to the hosts of the namespace\'s Zones, nowhere once all were deleted, anywhere without zones', () => {
    const rule = namespaceZoneRule('team-a', namespaceZones(offered('zone-a,zone-b'), [zone('zone-a')]));
    expect(zoneFilter(rule, host('zone-a'))).toBeUndefined();
    expect(zoneFilter(rule, host('zone-b'))).toBe('were not in a zone of namespace "team-a" (zone-a)');
    expect(zoneFilter(rule, host())).toBe('were not in a zone of namespace "team-a" (zone-a)');
    expect(zoneFilter(namespaceZoneRule('team-a', namespaceZones(offered('zone-a'), [])), host('zone-a'))).toBe('were not in a zone of namespace "team-a" (it has none)');
    expect(namespaceZoneRule('team-a', namespaceZones({ metadata: { name: 'team-a' } }, []))).toBeUndefined();
  });
});
