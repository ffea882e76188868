import { ObjectEventTypes, objectStreamId, ZONES_RESOURCE } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { ReadModel } from '@openpacific/objects';
import { resourceDefinitions } from '@openpacific/contracts';
import { strategyFor } from './kind-strategies';
import { validateVmZone } from './vm-zone.validation';

let position = 0n;
function put(model: ReadModel, object: any): void {
  position += 1n;
  model.apply({
    id: `e${position}`, streamId: objectStreamId(ZONES_RESOURCE, object.metadata.namespace, object.metadata.name), streamVersion: 1,
    type: ObjectEventTypes.created, data: { resource: ZONES_RESOURCE, object }, metadata: { actor: 'vm-operator', source: 'test' },
    position, transactionId: 100n + position, createdAt: new Date(),
  } as RecordedEvent);
}

const zone = (name: string, extra: any = {}) => ({ apiVersion: 'topology.tanzu.vmware.com/v1alpha1', kind: 'Zone', metadata: { name, namespace: 'team-a', uid: `u-${name}`, ...extra }, spec: { availabilityZoneReference: { apiVersion: 'topology.tanzu.vmware.com/v1alpha1', name } } });
const vm = (zoneLabel?: string) => ({ apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachine', metadata: { name: 'web', namespace: 'team-a', labels: zoneLabel === undefined ? { app: 'web' } : { app: 'web', 'topology.kubernetes.io/zone': zoneLabel } }, spec: { className: 'small', imageName: 'img' } });

const model = new ReadModel();
put(model, zone('zone-a'));
put(model, zone('zone-b', { deletionTimestamp: '2025-01-01T00:00:00Z', finalizers: ['keep'] }));
const FIELD = 'metadata.labels[topology.kubernetes.io/zone]';

describe("a VM's zone label", () => {
  it('may name a Zone of its namespace, or be absent', () => {
    expect(validateVmZone(vm('zone-a'), undefined, model)).toEqual([]);
    expect(validateVmZone(vm(), undefined, model)).toEqual([]);
  });

  it('may not name a zone the namespace has not, in VM Operator\'s words', () => {
    expect(validateVmZone(vm('zone-x'), undefined, model)).toEqual([
      { field: FIELD, reason: 'FieldValueInvalid', message: 'Invalid value: "zone-x": zones.topology.tanzu.vmware.com "zone-x" not found' },
    ]);
    expect(validateVmZone({ ...vm('zone-a'), metadata: { ...vm('zone-a').metadata, namespace: 'team-b' } }, undefined, model)[0].message).toContain('"zone-a" not found');
    expect(validateVmZone(vm('zone-b'), undefined, model)).toEqual([{ field: FIELD, reason: 'FieldValueInvalid', message: 'Invalid value: "zone-b": cannot use zone that is being deleted' }]);
  });

  it('cannot change or go once set, and may be set on a VM that had none', () => {
    expect(validateVmZone(vm('zone-a'), vm('zone-a'), model)).toEqual([]);
    expect(validateVmZone(vm('zone-x'), vm('zone-a'), model)).toEqual([{ field: FIELD, reason: 'FieldValueInvalid', message: 'Invalid value: "zone-x": field is immutable' }]);
    expect(validateVmZone(vm(), vm('zone-a'), model)).toEqual([{ field: FIELD, reason: 'FieldValueInvalid', message: 'Invalid value: "": field is immutable' }]);
    expect(validateVmZone(vm('zone-a'), vm(), model)).toEqual([]);
    expect(validateVmZone(vm('zone-x'), vm(), model)[0].message).toContain('not found');
  });

  it("is checked by the VirtualMachine's create and update rules", () => {
    const strategy = strategyFor(resourceDefinitions.find((d) => d.kind === 'VirtualMachine' && d.group === 'vmoperator.vmware.com')!);
    const ctx = { readModel: model, serviceCIDR: '127.202.0.0/16' };
    expect(strategy.validateCreate!(vm('zone-x'), ctx).map((c) => c.field)).toEqual([FIELD]);
    expect(strategy.validateUpdate!(vm('zone-a'), vm('zone-b'), undefined, ctx).map((c) => c.field)).toEqual([FIELD]);
    expect(strategy.validateUpdate!(vm(), vm(), undefined, ctx)).toEqual([]);
  });
});
