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

  it('without a once-key, is named at random: 16 hex digits, none repeated over more than a page of random bytes', () => {
    const ref = { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'default', uid: 'u3' };
    const names = Array.from({ length: 2000 }, () => objectEvent(ref, { type: 'Normal', reason: 'Started', message: 'm', component: 'kubelet', actor }).streamId);
    for (const n of names) expect(n).toMatch(/^events\/default\/p\.[0-9a-f]{16}$/);
    expect(new Set(names).size).toBe(names.length);
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
});
