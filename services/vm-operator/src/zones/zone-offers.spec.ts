import { OFFERED_ZONES_ANNOTATION } from '@openpacific/contracts';
import { availabilityZoneSpec, managed, namespaceOffer, newZone, withOffered, zonesOfHosts } from './zone-offers';

const host = (name: string, zone?: string, extra: any = {}) => ({ metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(zone !== undefined ? { 'topology.kubernetes.io/zone': zone } : {}) }, ...extra } });
const namespace = (name: string, offered?: string) => ({ metadata: { name, uid: `uid-${name}`, ...(offered !== undefined ? { annotations: { [OFFERED_ZONES_ANNOTATION]: offered } } : {}) } });
const zoneObject = (name: string, made = true) => ({ metadata: { name, labels: made ? { 'app.kubernetes.io/managed-by': 'vm-operator' } : {} }, spec: { availabilityZoneReference: { apiVersion: 'topology.tanzu.vmware.com/v1alpha1', name } } });

describe('the zones of the fleet', () => {
  it('are the values of the hosts’ zone labels, each with its hosts, leaving out hosts in no zone, going, or with a label no object can be named after', () => {
    const zones = zonesOfHosts([host('h3', 'zone-b'), host('h1', 'zone-a'), host('h2', 'zone-b'), host('h4'), host('h5', ''), host('h6', 'Zone_C'), host('h7', 'zone-a', { deletionTimestamp: '2025-01-01T00:00:00Z' })]);
    expect([...zones]).toEqual([['zone-a', ['h1']], ['zone-b', ['h2', 'h3']]]);
  });

  it('give each AvailabilityZone its hosts as compute resources and each bound namespace its folder and pool', () => {
    expect(availabilityZoneSpec('zone-a', ['h1', 'h2'], [namespace('team-a')])).toEqual({
      clusterComputeResourceMoIDs: ['h1', 'h2'],
      namespaces: { 'team-a': { folderMoId: 'uid-team-a', poolMoIDs: ['uid-team-a/zone-a'] } },
    });
  });

  it('make a namespace Zone that refers to its AvailabilityZone, marked as the vm-operator’s', () => {
    const zone = newZone('zone-a', ['h1'], namespace('team-a'));
    expect(zone).toMatchObject({
      apiVersion: 'topology.tanzu.vmware.com/v1alpha1', kind: 'Zone', metadata: { name: 'zone-a', namespace: 'team-a', generation: 1 },
      spec: { availabilityZoneReference: { apiVersion: 'topology.tanzu.vmware.com/v1alpha1', name: 'zone-a' }, namespace: { clusterMoIDs: ['h1'], folderMoID: 'uid-team-a', poolMoIDs: ['uid-team-a/zone-a'] } },
    });
    expect(managed(zone)).toBe(true);
    expect(managed(zoneObject('zone-b', false))).toBe(false);
  });
});

describe('what a namespace is offered', () => {
  it('is a Zone of every AvailabilityZone at first', () => {
    expect(namespaceOffer(namespace('team-a'), ['zone-a', 'zone-b'], new Map())).toEqual({ create: ['zone-a', 'zone-b'], remove: [], offered: ['zone-a', 'zone-b'], changed: true });
  });

  it('is nothing again once offered, so a Zone an admin deleted is not made again', () => {
    expect(namespaceOffer(namespace('team-a', 'zone-a,zone-b'), ['zone-a', 'zone-b'], new Map([['zone-b', zoneObject('zone-b')]]))).toEqual({ create: [], remove: [], offered: ['zone-a', 'zone-b'], changed: false });
  });

  it('is a new zone when one appears, and takes a Zone of that name an admin made as offered', () => {
    const offer = namespaceOffer(namespace('team-a', 'zone-a'), ['zone-a', 'zone-b', 'zone-c'], new Map([['zone-c', zoneObject('zone-c', false)]]));
    expect(offer).toEqual({ create: ['zone-b'], remove: [], offered: ['zone-a', 'zone-b', 'zone-c'], changed: true });
  });

  it('drops a zone that went, with its Zone if the vm-operator made it, so the zone is offered afresh if it comes back', () => {
    const zones = new Map([['zone-a', zoneObject('zone-a')], ['zone-b', zoneObject('zone-b', false)]]);
    expect(namespaceOffer(namespace('team-a', 'zone-a,zone-b,zone-c'), ['zone-c'], zones)).toEqual({ create: [], remove: ['zone-a'], offered: ['zone-c'], changed: true });
    expect(namespaceOffer(namespace('team-a', 'zone-a'), [], new Map())).toEqual({ create: [], remove: [], offered: [], changed: true });
  });

  it('is kept on the Namespace as an annotation, which goes when nothing is offered', () => {
    expect(withOffered(namespace('team-a'), ['zone-a', 'zone-b']).metadata.annotations).toEqual({ [OFFERED_ZONES_ANNOTATION]: 'zone-a,zone-b' });
    expect(withOffered(namespace('team-a', 'zone-a'), []).metadata.annotations).toBeUndefined();
    const other = { metadata: { name: 'x', annotations: { keep: 'me', [OFFERED_ZONES_ANNOTATION]: 'zone-a' }, resourceVersion: '9' } };
    expect(withOffered(other, []).metadata).toEqual({ name: 'x', annotations: { keep: 'me' } });
  });
});
