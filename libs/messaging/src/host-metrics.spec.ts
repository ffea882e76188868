import type { HostMetrics } from '@openpacific/contracts';
import type { NatsConnection } from 'nats';
import { HostMetricsCache } from './host-metrics';

const sample = (host: string, timestamp: string, pods: HostMetrics['pods'] = []): HostMetrics => ({
  host,
  timestamp,
  windowSeconds: 10,
  node: { cpuNanoCores: 5e8, memoryBytes: 1 << 30 },
  pods,
});
const pod = (namespace: string, name: string, cpu = 1e7) => ({ namespace, name, uid: `${name}-uid`, containers: [{ name: 'c', cpuNanoCores: cpu, memoryBytes: 4096 }] });

describe('HostMetricsCache', () => {
  let now = 0;
  const cache = () => new HostMetricsCache({} as NatsConnection, 'op', { staleAfterMs: 30_000, now: () => now });

  beforeEach(() => (now = 1_000_000));

  it('keeps each host’s newest sample and finds pods by namespace and name', () => {
    const c = cache();
    expect(c.ingest(sample('h1', '2026-01-01T00:00:10Z', [pod('a', 'p1'), pod('b', 'p2')]))).toBe(true);
    expect(c.ingest(sample('h1', '2026-01-01T00:00:00Z', [pod('a', 'old')]))).toBe(true);
    expect(c.hosts().map((h) => h.timestamp)).toEqual(['2026-01-01T00:00:10Z']);
    expect(c.pods('a').map((p) => p.name)).toEqual(['p1']);
    expect(c.pod('b', 'p2')).toMatchObject({ host: 'h1', windowSeconds: 10, containers: [{ name: 'c', cpuNanoCores: 1e7 }] });
    expect(c.pods()).toHaveLength(2);
  });

  it('drops a host that went quiet, and prefers the newer report of a pod two hosts name', () => {
    const c = cache();
    c.ingest(sample('h1', '2026-01-01T00:00:00Z', [pod('a', 'moved', 1)]));
    now += 20_000;
    c.ingest(sample('h2', '2026-01-01T00:00:20Z', [pod('a', 'moved', 2)]));
    expect(c.pod('a', 'moved')?.host).toBe('h2');
    now += 15_000;
    expect(c.hosts().map((h) => h.host)).toEqual(['h2']);
    expect(c.host('h1')).toBeUndefined();
  });

  it('ignores malformed samples', () => {
    const c = cache();
    expect(c.ingest({ host: 'h1' })).toBe(false);
    expect(c.ingest({ ...sample('h1', 'yesterday') })).toBe(false);
    expect(c.ingest({ ...sample('h1', '2026-01-01T00:00:00Z'), node: { cpuNanoCores: -1, memoryBytes: 0 } })).toBe(false);
    expect(c.ingest({ ...sample('h1', '2026-01-01T00:00:00Z'), pods: [{ namespace: 'a', name: 'p', uid: 'u', containers: [{ name: 'c' }] }] })).toBe(false);
    expect(c.hosts()).toEqual([]);
  });
});
