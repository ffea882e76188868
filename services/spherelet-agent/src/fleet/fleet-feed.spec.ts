import { ObjectEventTypes, PVCS_RESOURCE } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { FleetFeed } from './fleet-feed';

let position = 0n;
function event(type: string, resource: string, object: any, streamVersion: number): RecordedEvent {
  position += 1n;
  return {
    id: `e${position}`, streamId: `${resource}/${object.metadata.namespace}/${object.metadata.name}`, streamVersion, type,
    data: { resource, object }, metadata: { actor: 'admin', source: 'test' }, position, transactionId: 100n, createdAt: new Date(),
  } as RecordedEvent;
}
const pod = (name: string, nodeName?: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: name }, spec: { ...(nodeName ? { nodeName } : {}), containers: [] } });

describe('the fleet feed', () => {
  function feedWithHosts(...hosts: string[]) {
    const feed = new FleetFeed();
    const woken: string[] = [];
    const named: Record<string, string[] | 'all'> = {};
    for (const h of hosts) {
      feed.subscribe(h, (pods) => {
        woken.push(h);
        named[h] = pods ?? 'all';
      });
    }
    return { feed, woken, named };
  }

  it('indexes pods by the host they are bound to and wakes only that host', () => {
    const { feed, woken, named } = feedWithHosts('sim-1', 'sim-2');
    feed.apply([event(ObjectEventTypes.created, 'pods', pod('a'), 1)]);
    expect(woken).toEqual([]);
    feed.apply([event(ObjectEventTypes.updated, 'pods', pod('a', 'sim-2'), 2), event(ObjectEventTypes.created, 'pods', pod('b', 'sim-2'), 1)]);
    expect(woken).toEqual(['sim-2']);
    expect(named['sim-2']).toEqual(['default/a', 'default/b']);
    expect(feed.podsOn('sim-2').map((s) => s.object.metadata.name).sort()).toEqual(['a', 'b']);
    expect(feed.podsOn('sim-1')).toEqual([]);
  });

  it('moves a rebound pod and forgets a deleted one, waking the hosts it left', () => {
    const { feed, woken, named } = feedWithHosts('sim-1', 'sim-2');
    feed.apply([event(ObjectEventTypes.created, 'pods', pod('a', 'sim-1'), 1)]);
    woken.length = 0;
    feed.apply([event(ObjectEventTypes.updated, 'pods', pod('a', 'sim-2'), 2)]);
    expect(woken.sort()).toEqual(['sim-1', 'sim-2']);
    expect(named).toEqual({ 'sim-1': ['default/a'], 'sim-2': ['default/a'] });
    expect(feed.podsOn('sim-1')).toEqual([]);
    woken.length = 0;
    feed.apply([event(ObjectEventTypes.deleted, 'pods', pod('a', 'sim-2'), 3)]);
    expect(woken).toEqual(['sim-2']);
    expect(feed.podsOn('sim-2')).toEqual([]);
  });

  it('wakes every host when a claim changes (any host\'s pod may be waiting for it)', () => {
    const { feed, woken, named } = feedWithHosts('sim-1', 'sim-2');
    feed.apply([event(ObjectEventTypes.created, PVCS_RESOURCE, { metadata: { name: 'c', namespace: 'default' } }, 1)]);
    expect(woken.sort()).toEqual(['sim-1', 'sim-2']);
    expect(named).toEqual({ 'sim-1': 'all', 'sim-2': 'all' });
  });
});
