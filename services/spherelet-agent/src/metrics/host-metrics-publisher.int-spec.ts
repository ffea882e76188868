import { ContainerStats, natsNames } from '@openpacific/contracts';
import { connectNats, HostMetricsCache } from '@openpacific/messaging';
import { createLogger } from '@openpacific/service-kit';
import { eventually, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import { HostMetricsPublisher } from './host-metrics-publisher';

describe('the host metrics publisher over NATS', () => {
  const prefix = uniqueNatsPrefix('hostmetrics');
  const lines: string[] = [];
  const logger = createLogger('test', 'info', 'test', (line) => lines.push(line));
  let nc: NatsConnection;
  let cache: HostMetricsCache;

  beforeAll(async () => {
    nc = await connectNats({ url: testNatsUrl, name: 'host-metrics-test' });
    cache = new HostMetricsCache(nc, prefix);
    cache.start();
    await nc.flush();
  });
  afterAll(async () => {
    await cache?.stop();
    await nc?.close();
  });

  it('publishes one sample per host from the second reading on, which the gateway\'s cache takes; a failed reading is skipped and said once', async () => {
    let cpuSeconds = 0;
    let now = 1_000_000;
    let broken = false;
    const stats = (): ContainerStats => ({
      id: 'c1', name: 'main', sandboxId: 's1', pod: { namespace: 'default', name: 'web', uid: 'u1' },
      cpuUsageCoreNanoSeconds: cpuSeconds * 1e9, memoryWorkingSetBytes: 4 << 20, timestamp: now,
    });
    const sources = [
      { host: 'esx-1', read: async () => { if (broken) throw new Error('runtime gone'); return { timestamp: now, items: [stats()] }; } },
      { host: 'esx-2', read: async () => ({ timestamp: now, items: [] }) },
    ];
    const publisher = new HostMetricsPublisher(nc, natsNames(prefix), 60_000, () => sources, logger);
    expect(await publisher.tick()).toEqual([]);
    cpuSeconds = 5;
    now += 10_000;
    expect((await publisher.tick()).map((s) => s.host)).toEqual(['esx-1', 'esx-2']);
    await eventually(() => expect(cache.pod('default', 'web')).toMatchObject({ host: 'esx-1', windowSeconds: 10, containers: [{ name: 'main', cpuNanoCores: 5e8, memoryBytes: 4 << 20 }] }));
    expect(cache.host('esx-2')).toMatchObject({ node: { cpuNanoCores: 0, memoryBytes: 0 }, pods: [] });

    broken = true;
    now += 10_000;
    expect((await publisher.tick()).map((s) => s.host)).toEqual(['esx-2']);
    await publisher.tick();
    expect(lines.filter((l) => l.includes('host usage could not be read'))).toHaveLength(1);
    // Back: the window reaches back to the last reading it had.
    broken = false;
    cpuSeconds = 35;
    now += 10_000;
    const [back] = await publisher.tick();
    expect(back).toMatchObject({ host: 'esx-1', windowSeconds: 20, pods: [{ containers: [{ cpuNanoCores: 1.5e9 }] }] });
  });
});
