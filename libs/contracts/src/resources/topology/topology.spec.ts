import { validateAgainstSchema } from '@openpacific/kube-api';
import { resourceDefinitions, virtualMachineResource } from '../index';
import { availabilityZoneResource, hostZone, offeredZones, OFFERED_ZONES_ANNOTATION, zoneResource } from './index';

const G = 'topology.tanzu.vmware.com';
const az = {
  apiVersion: `${G}/v1alpha1`,
  kind: 'AvailabilityZone',
  metadata: { name: 'zone-a', uid: 'u-1', creationTimestamp: '2025-01-01T00:00:00Z' },
  spec: { clusterComputeResourceMoIDs: ['host-1', 'host-2'], namespaces: { 'team-a': { folderMoId: 'group-v1', poolMoIDs: ['resgroup-1'] } } },
  status: {},
};
const zone = {
  apiVersion: `${G}/v1alpha1`,
  kind: 'Zone',
  metadata: { name: 'zone-a', namespace: 'team-a', uid: 'u-2', creationTimestamp: '2025-01-01T00:00:00Z' },
  spec: {
    availabilityZoneReference: { apiVersion: `${G}/v1alpha1`, name: 'zone-a' },
    namespace: { clusterMoIDs: ['host-1'], folderMoID: 'group-v1', poolMoIDs: ['resgroup-1'] },
    cpu: { limit: '4Gi', reservation: 1000 },
    overheadMemoryProvidedBy: 'Namespace',
    virtualMachineReservations: [{ reservedVmClass: 'best-effort-small', count: 2 }],
  },
  status: { markedForRemoval: false, conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: '', lastTransitionTime: '2025-01-01T00:00:01Z' }] },
};
const check = (def: any, obj: any) => validateAgainstSchema(def, 'v1alpha1', obj, 'Strict');

describe('topology.tanzu.vmware.com contracts', () => {
  it('serves AvailabilityZone cluster-wide as az and Zone per namespace without short names, both with a status subresource', () => {
    expect(resourceDefinitions).toEqual(expect.arrayContaining([availabilityZoneResource, zoneResource]));
    expect([availabilityZoneResource.scope, availabilityZoneResource.shortNames]).toEqual(['Cluster', ['az']]);
    expect([zoneResource.scope, zoneResource.shortNames]).toEqual(['Namespaced', []]);
    expect([availabilityZoneResource.subresources.status, zoneResource.subresources.status]).toEqual([true, true]);
    expect(zoneResource.versions[0].printerColumns.map((c) => c.name)).toEqual(['Age']);
  });

  it('takes the objects of the real CRDs', () => {
    expect(check(availabilityZoneResource, az)).toMatchObject({ causes: [], unknownFields: [] });
    expect(check(zoneResource, zone)).toMatchObject({ causes: [], unknownFields: [] });
  });

  it('refuses a Zone without its AvailabilityZone reference, a bad overhead provider and unknown fields', () => {
    const bad = { ...zone, spec: { overheadMemoryProvidedBy: 'Host', poolMoIDs: ['resgroup-1'] } };
    const result = check(zoneResource, bad);
    expect(result.causes.map((c: any) => c.field)).toEqual(expect.arrayContaining(['spec.availabilityZoneReference', 'spec.overheadMemoryProvidedBy']));
    expect(result.unknownFields).toEqual(['.spec.poolMoIDs']);
    expect(check(availabilityZoneResource, { ...az, status: { ready: true } }).unknownFields).toEqual(['.status.ready']);
  });

  it("reads a host's zone and a namespace's offered zones", () => {
    expect(hostZone({ metadata: { labels: { 'topology.kubernetes.io/zone': 'zone-a' } } })).toBe('zone-a');
    expect(hostZone({ metadata: { labels: { 'topology.kubernetes.io/zone': '' } } })).toBeUndefined();
    expect(hostZone({ metadata: {} })).toBeUndefined();
    expect(offeredZones({ metadata: { annotations: { [OFFERED_ZONES_ANNOTATION]: 'zone-a,zone-b' } } })).toEqual(['zone-a', 'zone-b']);
    expect(offeredZones({ metadata: {} })).toEqual([]);
  });

  it('keeps a VM\'s status.zone at every VirtualMachine version', () => {
    const vm = { apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachine', metadata: { name: 'web', namespace: 'team-a', labels: { 'topology.kubernetes.io/zone': 'zone-a' } }, spec: { className: 'small', imageName: 'img' }, status: { zone: 'zone-a', nodeName: 'host-1' } };
    for (const version of ['v1alpha1', 'v1alpha2', 'v1alpha3', 'v1alpha5']) {
      const shown = virtualMachineResource.conversion!.fromStorage(vm, version);
      expect({ version, zone: shown.status.zone, label: shown.metadata.labels['topology.kubernetes.io/zone'] }).toEqual({ version, zone: 'zone-a', label: 'zone-a' });
      expect(virtualMachineResource.conversion!.toStorage(shown, version, vm).status.zone).toBe('zone-a');
    }
  });
});
