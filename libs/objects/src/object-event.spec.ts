import { objectEvent } from './object-event';

const actor = { actor: 'system:serviceaccount:kube-system:node-controller', source: 'scheduler' };

describe('an Event about an object', () => {
  it('lives in the object namespace, or in default for a cluster-scoped object, as kubectl describe finds it', () => {
    const vm = objectEvent({ apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachine', name: 'vm-1', namespace: 'dev', uid: 'u1' }, { type: 'Normal', reason: 'PoweredOn', message: 'on', component: 'spherelet', host: 'host-1', actor });
    expect(vm.streamId).toMatch(/^events\/dev\/vm-1\.[0-9a-f]{16}$/);
    expect(vm.events[0].data.object).toMatchObject({
      metadata: { namespace: 'dev' }, involvedObject: { kind: 'VirtualMachine', name: 'vm-1', namespace: 'dev', uid: 'u1' },
      type: 'Normal', reason: 'PoweredOn', source: { component: 'spherelet', host: 'host-1' }, count: 1,
    });
    const node = objectEvent({ apiVersion: 'v1', kind: 'Node', name: 'host-1', uid: 'u2' }, { type: 'Normal', reason: 'NodeReady', message: 'ready', component: 'node-controller', actor });
    expect(node.events[0].data.object.metadata.namespace).toBe('default');
    expect('namespace' in node.events[0].data.object.involvedObject).toBe(false);
  });

  it('without a once-key, is named after the time in nanoseconds in hex, as client-go names Events, each name after the last', () => {
    const ref = { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'default', uid: 'u3' };
    const now = new Date('2099-01-01T00:00:00.123Z');
    const names = Array.from({ length: 2000 }, () => objectEvent(ref, { type: 'Normal', reason: 'Started', message: 'm', component: 'kubelet', actor }, now).streamId);
    for (const n of names) expect(n).toMatch(/^events\/default\/p\.[0-9a-f]{16}$/);
    const suffixes = names.map((n) => BigInt(`0x${n.slice(n.indexOf('.') + 1)}`));
    for (let i = 1; i < suffixes.length; i++) expect(suffixes[i] > suffixes[i - 1]).toBe(true);
    // Made within one millisecond: the first is in it (the rest may run past it, each one nanosecond on).
    expect(suffixes[0] / 1_000_000n).toBe(BigInt(now.getTime()));
    const later = objectEvent(ref, { type: 'Normal', reason: 'Started', message: 'm', component: 'kubelet', actor }, new Date(now.getTime() + 1000)).streamId;
    expect(BigInt(`0x${later.slice(later.indexOf('.') + 1)}`) / 1_000_000n).toBe(BigInt(now.getTime() + 1000));
  });

  it('is named after its once-key, so writing it again is refused rather than repeated', () => {
    const ref = { apiVersion: 'v1', kind: 'Node', name: 'host-1', uid: 'u2' };
    const opts = { type: 'Normal' as const, reason: 'RegisteredNode', message: 'm', component: 'node-controller', actor, onceKey: 'registered/2' };
    expect(objectEvent(ref, opts).streamId).toBe(objectEvent(ref, opts).streamId);
    expect(objectEvent(ref, { ...opts, onceKey: 'registered/3' }).streamId).not.toBe(objectEvent(ref, opts).streamId);
    expect(objectEvent(ref, { ...opts, onceKey: undefined }).streamId).not.toBe(objectEvent(ref, { ...opts, onceKey: undefined }).streamId);
    expect(objectEvent({ ...ref, kind: 'Host' }, opts).streamId).not.toBe(objectEvent(ref, opts).streamId);
    expect(objectEvent(ref, opts).expectedVersion).toBe('no_stream');
  });

  it('names the part of the object it is about in involvedObject.fieldPath only when given, after uid', () => {
    const ref = { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'default', uid: 'u3' };
    const opts = { type: 'Warning' as const, reason: 'BackOff', message: 'm', component: 'spherelet', actor };
    const about = objectEvent({ ...ref, fieldPath: 'spec.containers{web}' }, opts).events[0].data.object.involvedObject;
    expect(about).toEqual({ ...ref, fieldPath: 'spec.containers{web}' });
    expect(Object.keys(about)).toEqual(['apiVersion', 'kind', 'name', 'namespace', 'uid', 'fieldPath']);
    expect('fieldPath' in objectEvent(ref, opts).events[0].data.object.involvedObject).toBe(false);
    expect('fieldPath' in objectEvent({ ...ref, fieldPath: '' }, opts).events[0].data.object.involvedObject).toBe(false);
  });

  it('with a once-key, makes one Event per fieldPath, and keeps the name it had without one', () => {
    const ref = { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'default', uid: 'u3' };
    const opts = { type: 'Warning' as const, reason: 'BackOff', message: 'm', component: 'spherelet', actor, onceKey: 'backoff/1' };
    const web = objectEvent({ ...ref, fieldPath: 'spec.containers{web}' }, opts).streamId;
    expect(objectEvent({ ...ref, fieldPath: 'spec.containers{web}' }, opts).streamId).toBe(web);
    expect(objectEvent({ ...ref, fieldPath: 'spec.containers{sidecar}' }, opts).streamId).not.toBe(web);
    expect(objectEvent({ ...ref, fieldPath: 'spec.initContainers{web}' }, opts).streamId).not.toBe(web);
    expect(objectEvent(ref, opts).streamId).not.toBe(web);
    // The name an Event about the whole pod had before fieldPaths existed: sha256 of `Pod\nu3\nbackoff/1`.
    expect(objectEvent(ref, opts).streamId).toBe('events/default/p.69f071dc3907e519');
  });
});
