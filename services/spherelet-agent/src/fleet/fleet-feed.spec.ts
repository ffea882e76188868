import { randomBytes } from 'node:crypto';
import { ObjectEventTypes, PVCS_RESOURCE, RUNTIME_CLASSES_RESOURCE, VIRTUAL_MACHINES_RESOURCE } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { encryptSecret, secretKeyFrom } from '@openpacific/objects';
import { FleetFeed } from './fleet-feed';
import { StaggeredResync } from './staggered-resync';

let position = 0n;
function event(type: string, resource: string, object: any, streamVersion: number): RecordedEvent {
  position += 1n;
  return {
    id: `e${position}`, streamId: `${resource}/${object.metadata.namespace}/${object.metadata.name}`, streamVersion, type,
    data: { resource, object }, metadata: { actor: 'admin', source: 'test' }, position, transactionId: 100n, createdAt: new Date(),
  } as RecordedEvent;
}
const pod = (name: string, nodeName?: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: name }, spec: { ...(nodeName ? { nodeName } : {}), containers: [] } });
const vm = (name: string, nodeName?: string) => ({
  apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachine', metadata: { name, namespace: 'team', uid: `uid-${name}` },
  spec: { className: 'small', powerState: 'PoweredOn' }, status: nodeName ? { nodeName } : {},
});
const VMS = VIRTUAL_MACHINES_RESOURCE;

/** A feed with pod and VM listeners on `hosts`, recording whom it woke and with what. */
function feedWithHosts(key: string, ...hosts: string[]) {
  const feed = new FleetFeed(key);
  const woken: string[] = [];
  const named: Record<string, string[] | 'all'> = {};
  const vmCalls: [string, string, boolean][] = [];
  for (const h of hosts) {
    feed.pods.subscribe(h, (pods) => {
      woken.push(h);
      named[h] = pods ?? 'all';
    });
    feed.vms.subscribe(h, (uid, here) => vmCalls.push([h, uid, here]));
  }
  return { feed, woken, named, vmCalls };
}
const podsOn = (feed: FleetFeed, host: string) => feed.pods.podsOn(host).map((s) => s.object.metadata.name).sort();
const vmsOn = (feed: FleetFeed, host: string) => feed.vms.vmsOn(host).map((s) => s.object.metadata.name).sort();

describe('the fleet feed: pods', () => {
  it('indexes pods by the host they are bound to and wakes only that host', () => {
    const { feed, woken, named } = feedWithHosts('', 'sim-1', 'sim-2');
    feed.apply([event(ObjectEventTypes.created, 'pods', pod('a'), 1)]);
    expect(woken).toEqual([]);
    feed.apply([event(ObjectEventTypes.updated, 'pods', pod('a', 'sim-2'), 2), event(ObjectEventTypes.created, 'pods', pod('b', 'sim-2'), 1)]);
    expect(woken).toEqual(['sim-2']);
    expect(named['sim-2']).toEqual(['default/a', 'default/b']);
    expect(podsOn(feed, 'sim-2')).toEqual(['a', 'b']);
    expect(podsOn(feed, 'sim-1')).toEqual([]);
  });

  it('moves a rebound pod and forgets a deleted one, waking the hosts it left', () => {
    const { feed, woken, named } = feedWithHosts('', 'sim-1', 'sim-2');
    feed.apply([event(ObjectEventTypes.created, 'pods', pod('a', 'sim-1'), 1)]);
    woken.length = 0;
    feed.apply([event(ObjectEventTypes.updated, 'pods', pod('a', 'sim-2'), 2)]);
    expect(woken.sort()).toEqual(['sim-1', 'sim-2']);
    expect(named).toEqual({ 'sim-1': ['default/a'], 'sim-2': ['default/a'] });
    expect(podsOn(feed, 'sim-1')).toEqual([]);
    woken.length = 0;
    feed.apply([event(ObjectEventTypes.deleted, 'pods', pod('a', 'sim-2'), 3)]);
    expect(woken).toEqual(['sim-2']);
    expect(podsOn(feed, 'sim-2')).toEqual([]);
  });

  it('wakes no host for a status its own host wrote, and the host for one anyone else wrote', () => {
    const { feed, woken } = feedWithHosts('', 'sim-1');
    feed.apply([event(ObjectEventTypes.created, 'pods', pod('a', 'sim-1'), 1)]);
    woken.length = 0;
    const status = (actor: string, version: number) => ({ ...event(ObjectEventTypes.statusUpdated, 'pods', pod('a', 'sim-1'), version), metadata: { actor, source: 'test' } }) as RecordedEvent;
    feed.apply([status('system:node:sim-1', 2)]);
    expect(woken).toEqual([]);
    expect(feed.pods.podsOn('sim-1')[0].streamVersion).toBe(2);
    feed.apply([status('system:node:sim-2', 3), status('admin', 4)]);
    expect(woken).toEqual(['sim-1']);
  });

  it('wakes, for a claim, ConfigMap or Secret, the hosts of its namespace\'s pods, naming those pods; nobody for one in a namespace without pods', () => {
    const { feed, woken, named } = feedWithHosts('', 'sim-1', 'sim-2', 'sim-3');
    const other = (name: string, host: string) => ({ ...pod(name, host), metadata: { name, namespace: 'other', uid: name } });
    feed.apply([
      event(ObjectEventTypes.created, 'pods', pod('a', 'sim-1'), 1), event(ObjectEventTypes.created, 'pods', pod('b', 'sim-2'), 1),
      event(ObjectEventTypes.created, 'pods', pod('unbound'), 1), event(ObjectEventTypes.created, 'pods', other('c', 'sim-3'), 1),
    ]);
    for (const resource of [PVCS_RESOURCE, 'configmaps', 'secrets']) {
      woken.length = 0;
      for (const k of Object.keys(named)) delete named[k];
      feed.apply([event(ObjectEventTypes.created, resource, { metadata: { name: `x-${resource}`, namespace: 'default' } }, 1)]);
      expect(woken.sort()).toEqual(['sim-1', 'sim-2']);
      expect(named).toEqual({ 'sim-1': ['default/a'], 'sim-2': ['default/b'] });
    }
    woken.length = 0;
    feed.apply([event(ObjectEventTypes.updated, 'configmaps', { metadata: { name: 'x', namespace: 'empty' } }, 1)]);
    feed.apply([event(ObjectEventTypes.updated, 'services', { metadata: { name: 'svc', namespace: 'default' } }, 1)]);
    expect(woken).toEqual([]);
  });

  it('wakes every host for all its pods when a RuntimeClass changes (any sandbox may wait for its handler)', () => {
    const { feed, woken, named } = feedWithHosts('', 'sim-1', 'sim-2');
    feed.apply([event(ObjectEventTypes.created, RUNTIME_CLASSES_RESOURCE, { metadata: { name: 'kata' } }, 1)]);
    expect(woken.sort()).toEqual(['sim-1', 'sim-2']);
    expect(named).toEqual({ 'sim-1': 'all', 'sim-2': 'all' });
  });
});

describe('the fleet feed: VMs', () => {
  it('finds each VM by the host it is placed on and tells only that host', () => {
    const { feed, vmCalls } = feedWithHosts('', 'sim-1', 'sim-2');
    feed.apply([event(ObjectEventTypes.created, VMS, vm('a'), 1)]);
    expect(vmCalls).toEqual([]);
    feed.apply([event(ObjectEventTypes.statusUpdated, VMS, vm('a', 'sim-2'), 2), event(ObjectEventTypes.created, VMS, vm('b', 'sim-2'), 1)]);
    expect(vmCalls).toEqual([['sim-2', 'uid-a', true], ['sim-2', 'uid-b', true]]);
    expect(vmsOn(feed, 'sim-2')).toEqual(['a', 'b']);
    expect(vmsOn(feed, 'sim-1')).toEqual([]);
  });

  it('tells the host a VM left (moved or deleted), so that it sweeps its hypervisor', () => {
    const { feed, vmCalls } = feedWithHosts('', 'sim-1', 'sim-2');
    feed.apply([event(ObjectEventTypes.created, VMS, vm('a', 'sim-1'), 1)]);
    vmCalls.length = 0;
    feed.apply([event(ObjectEventTypes.statusUpdated, VMS, vm('a', 'sim-2'), 2)]);
    expect(vmCalls).toEqual([['sim-1', 'uid-a', false], ['sim-2', 'uid-a', true]]);
    expect(vmsOn(feed, 'sim-1')).toEqual([]);
    vmCalls.length = 0;
    feed.apply([event(ObjectEventTypes.deleted, VMS, vm('a', 'sim-2'), 3)]);
    expect(vmCalls).toEqual([['sim-2', 'uid-a', false]]);
    expect(vmsOn(feed, 'sim-2')).toEqual([]);
  });

  it('reads Secrets decrypted with SECRETS_ENCRYPTION_KEY, for the VMs\' cloud-init user data', () => {
    const key = randomBytes(32).toString('base64');
    const { feed } = feedWithHosts(key, 'sim-1');
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'boot', namespace: 'team' }, stringData: { 'user-data': '#cloud-config\n' } };
    feed.apply([event(ObjectEventTypes.created, 'secrets', encryptSecret(secret, secretKeyFrom(key)), 1)]);
    const stored = feed.vms.model.get('secrets', 'team', 'boot')?.object;
    expect(stored.encrypted).toBeUndefined();
    expect(stored.stringData).toEqual({ 'user-data': '#cloud-config\n' });
  });
});

describe('the fleet feed: one view for both', () => {
  it('dispatches the pods and VMs of one batch to their hosts from one model', () => {
    const { feed, woken, named, vmCalls } = feedWithHosts('', 'sim-1', 'sim-2');
    feed.apply([event(ObjectEventTypes.created, 'pods', pod('p', 'sim-1'), 1), event(ObjectEventTypes.created, VMS, vm('v', 'sim-2'), 1)]);
    expect(woken).toEqual(['sim-1']);
    expect(named).toEqual({ 'sim-1': ['default/p'] });
    expect(vmCalls).toEqual([['sim-2', 'uid-v', true]]);
    expect(feed.pods.model).toBe(feed.vms.model);
    expect(podsOn(feed, 'sim-1')).toEqual(['p']);
    expect(vmsOn(feed, 'sim-2')).toEqual(['v']);
  });

  it('keeps a host\'s listeners when older ones of the same host unsubscribe (a host restarted with a new epoch)', () => {
    const feed = new FleetFeed('');
    const seen: string[] = [];
    const stopOldPods = feed.pods.subscribe('sim-1', () => seen.push('old pods'));
    const stopOldVms = feed.vms.subscribe('sim-1', () => seen.push('old vms'));
    feed.pods.subscribe('sim-1', () => seen.push('new pods'));
    feed.vms.subscribe('sim-1', () => seen.push('new vms'));
    stopOldPods();
    stopOldVms();
    feed.apply([event(ObjectEventTypes.created, 'pods', pod('p', 'sim-1'), 1), event(ObjectEventTypes.created, VMS, vm('a', 'sim-1'), 1)]);
    expect(seen.sort()).toEqual(['new pods', 'new vms']);
  });
});

describe('the staggered resync', () => {
  it('asks the feed\'s host for a pass over every pod (no pods named)', () => {
    const { feed, named } = feedWithHosts('', 'sim-1', 'sim-2');
    expect(feed.hosts()).toEqual(['sim-1', 'sim-2']);
    feed.resync('sim-2');
    expect(named).toEqual({ 'sim-2': 'all' });
  });


  it('resyncs one host after another, in turn, each once per interval', async () => {
    const seen: string[] = [];
    const hosts = ['sim-1', 'sim-2', 'sim-3'];
    const resync = new StaggeredResync(60, () => hosts, (h) => seen.push(h));
    resync.start();
    while (seen.length < 7) await new Promise((r) => setTimeout(r, 10));
    resync.stop();
    expect(seen.slice(0, 7)).toEqual(['sim-1', 'sim-2', 'sim-3', 'sim-1', 'sim-2', 'sim-3', 'sim-1']);
  });

  it('lets hosts that start later join the rotation', async () => {
    const seen: string[] = [];
    const hosts: string[] = [];
    const resync = new StaggeredResync(30, () => hosts, (h) => seen.push(h));
    resync.start();
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([]);
    hosts.push('sim-1', 'sim-2');
    while (seen.length < 4) await new Promise((r) => setTimeout(r, 10));
    resync.stop();
    expect(seen.slice(0, 4)).toEqual(['sim-1', 'sim-2', 'sim-1', 'sim-2']);
  });
});
