import { appendedPayload, appendedResources, ObjectEventTypes, objectStreamId, streamResource } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { controllerReadModel } from './controller-read-model';

let position = 0n;
function created(resource: string, name: string): RecordedEvent {
  position++;
  return {
    id: `e${position}`, streamId: objectStreamId(resource, 'default', name), streamVersion: 1, type: ObjectEventTypes.created,
    data: { resource, object: { apiVersion: 'v1', kind: 'X', metadata: { name, namespace: 'default', uid: `${resource}-${name}` } } },
    metadata: { actor: 'test', source: 'test' }, position, transactionId: 1n, createdAt: new Date(),
  };
}

describe('a controller read model', () => {
  it('holds only the resources it follows and never core Events', () => {
    const model = controllerReadModel(['pods', 'events']);
    expect(model.apply(created('pods', 'a'))?.type).toBe('ADDED');
    expect(model.apply(created('configmaps', 'b'))).toBeUndefined();
    expect(model.apply(created('events', 'c'))).toBeUndefined();
    expect(model.list('pods').map((s) => s.object.metadata.name)).toEqual(['a']);
    expect(model.get('pods', 'default', 'a')?.streamVersion).toBe(1);
    expect(model.streamVersion('pods', 'default', 'a')).toBe(1);
    expect(model.resources()).toEqual(['pods']);
  });

  it('refuses to answer for a resource it does not follow, rather than calling it empty', () => {
    const model = controllerReadModel(['pods']);
    expect(model.follows).toEqual(['pods']);
    expect(() => model.list('configmaps')).toThrow(/does not follow configmaps/);
    expect(() => model.get('secrets', 'default', 'x')).toThrow(/does not follow secrets/);
    expect(() => model.streamVersion('services', 'default', 'x')).toThrow(/does not follow services/);
  });
});

describe('the resources a log wake-up names', () => {
  it('are the streams’ first segments, and go through the payload unchanged', () => {
    expect(streamResource(objectStreamId('virtualmachines.vmoperator.vmware.com', 'ns', 'vm'))).toBe('virtualmachines.vmoperator.vmware.com');
    expect(streamResource(objectStreamId('nodes', undefined, 'host-1'))).toBe('nodes');
    expect(streamResource('no-slash')).toBe('no-slash');
    const payload = new TextEncoder().encode(appendedPayload(new Set(['pods', 'secrets'])));
    expect(appendedResources(payload)).toEqual(['pods', 'secrets']);
    expect(appendedResources(new Uint8Array())).toBeUndefined();
  });
});
