import { randomBytes } from 'node:crypto';
import { ObjectEventTypes, VIRTUAL_MACHINES_RESOURCE } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { encryptSecret, secretKeyFrom } from '@openpacific/objects';
import { FleetVms } from './sim-vms';

let position = 0n;
function event(type: string, resource: string, object: any, streamVersion: number): RecordedEvent {
  position += 1n;
  return {
    id: `v${position}`, streamId: `${resource}/${object.metadata.namespace}/${object.metadata.name}`, streamVersion, type,
    data: { resource, object }, metadata: { actor: 'admin', source: 'test' }, position, transactionId: 7n, createdAt: new Date(),
  } as RecordedEvent;
}
const vm = (name: string, nodeName?: string) => ({
  apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachine', metadata: { name, namespace: 'team', uid: `uid-${name}` },
  spec: { className: 'small', powerState: 'PoweredOn' }, status: nodeName ? { nodeName } : {},
});

describe('the fleet\'s VMs', () => {
  function fleetWithHosts(key: string, ...hosts: string[]) {
    const vms = new FleetVms(key);
    const calls: [string, string, boolean][] = [];
    for (const h of hosts) vms.subscribe(h, (uid, here) => calls.push([h, uid, here]));
    return { vms, calls };
  }
  const onHost = (vms: FleetVms, host: string) => vms.vmsOn(host).map((s) => s.object.metadata.name).sort();

  it('finds each VM by the host it is placed on and tells only that host', () => {
    const { vms, calls } = fleetWithHosts('', 'sim-1', 'sim-2');
    vms.apply([event(ObjectEventTypes.created, VIRTUAL_MACHINES_RESOURCE, vm('a'), 1)]);
    expect(calls).toEqual([]);
    vms.apply([event(ObjectEventTypes.statusUpdated, VIRTUAL_MACHINES_RESOURCE, vm('a', 'sim-2'), 2), event(ObjectEventTypes.created, VIRTUAL_MACHINES_RESOURCE, vm('b', 'sim-2'), 1)]);
    expect(calls).toEqual([['sim-2', 'uid-a', true], ['sim-2', 'uid-b', true]]);
    expect(onHost(vms, 'sim-2')).toEqual(['a', 'b']);
    expect(onHost(vms, 'sim-1')).toEqual([]);
  });

  it('tells the host a VM left (moved or deleted), so that it sweeps its hypervisor', () => {
    const { vms, calls } = fleetWithHosts('', 'sim-1', 'sim-2');
    vms.apply([event(ObjectEventTypes.created, VIRTUAL_MACHINES_RESOURCE, vm('a', 'sim-1'), 1)]);
    calls.length = 0;
    vms.apply([event(ObjectEventTypes.statusUpdated, VIRTUAL_MACHINES_RESOURCE, vm('a', 'sim-2'), 2)]);
    expect(calls).toEqual([['sim-1', 'uid-a', false], ['sim-2', 'uid-a', true]]);
    expect(onHost(vms, 'sim-1')).toEqual([]);
    calls.length = 0;
    vms.apply([event(ObjectEventTypes.deleted, VIRTUAL_MACHINES_RESOURCE, vm('a', 'sim-2'), 3)]);
    expect(calls).toEqual([['sim-2', 'uid-a', false]]);
    expect(onHost(vms, 'sim-2')).toEqual([]);
  });

  it('keeps a host\'s listener when an older one of the same host unsubscribes (a host restarted with a new epoch)', () => {
    const vms = new FleetVms('');
    const seen: string[] = [];
    const stopOld = vms.subscribe('sim-1', () => seen.push('old'));
    vms.subscribe('sim-1', () => seen.push('new'));
    stopOld();
    vms.apply([event(ObjectEventTypes.created, VIRTUAL_MACHINES_RESOURCE, vm('a', 'sim-1'), 1)]);
    expect(seen).toEqual(['new']);
  });

  it('reads Secrets decrypted with SECRETS_ENCRYPTION_KEY, for the VMs\' cloud-init user data', () => {
    const key = randomBytes(32).toString('base64');
    const { vms } = fleetWithHosts(key, 'sim-1');
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'boot', namespace: 'team' }, stringData: { 'user-data': '#cloud-config\n' } };
    vms.apply([event(ObjectEventTypes.created, 'secrets', encryptSecret(secret, secretKeyFrom(key)), 1)]);
    const stored = vms.model.get('secrets', 'team', 'boot')?.object;
    expect(stored.encrypted).toBeUndefined();
    expect(stored.stringData).toEqual({ 'user-data': '#cloud-config\n' });
  });
});
