import { lockKey } from '@openpacific/event-store';
import { componentStatusResource } from '@openpacific/contracts';
import type { GatewayCore } from '../core';
import { componentStatuses } from './component-statuses';

const core = (held: string[] | Error, closed = false) =>
  ({
    store: { pool: { query: async () => (held instanceof Error ? Promise.reject(held) : { rows: held.map((l) => ({ key: lockKey(l) })) }) } },
    nats: { isClosed: () => closed },
  }) as unknown as GatewayCore;
const summary = (items: any[]) => items.map((c) => [c.metadata.name, c.conditions[0].status, c.conditions[0].message ?? c.conditions[0].error]);

describe('component statuses', () => {
  it('reports the event store, NATS and each elected service, healthy while some instance holds its leader lock', async () => {
    const items = await componentStatuses(core(['scheduler', 'vm-operator', 'cluster-api', 'garbage-collector']));
    expect(summary(items)).toEqual([
      ['cluster-api', 'True', 'ok'],
      ['event-store', 'True', 'ok'],
      ['garbage-collector', 'True', 'ok'],
      ['nats', 'True', 'ok'],
      ['policy', 'False', 'no instance holds the "policy-quota-status" leader lock'],
      ['scheduler', 'True', 'ok'],
      ['vm-operator', 'True', 'ok'],
    ]);
    const cols = componentStatusResource.versions[0].printerColumns!;
    expect(cols.map((c) => c.value!(items[4]))).toEqual(['Unhealthy', '', 'no instance holds the "policy-quota-status" leader lock']);
    expect(cols.map((c) => c.value!(items[0]))).toEqual(['Healthy', 'ok', '']);
  });

  it('says why when Postgres cannot be asked or NATS is gone', async () => {
    const items = await componentStatuses(core(new Error('connect ECONNREFUSED 127.0.0.1:5432'), true));
    const by = Object.fromEntries(summary(items).map(([n, s, m]) => [n, [s, m]]));
    expect(by['event-store']).toEqual(['False', 'connect ECONNREFUSED 127.0.0.1:5432']);
    expect(by.nats).toEqual(['False', 'the connection to NATS is closed']);
    expect(by.scheduler).toEqual(['False', 'the event store cannot be asked who leads']);
  });
});
