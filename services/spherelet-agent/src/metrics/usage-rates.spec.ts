import type { ContainerStats } from '@openpacific/contracts';
import { cpuRate, HostUsageRates } from './usage-rates';

const container = (id: string, pod: string, name: string, cpuSeconds: number, memory: number, at: number): ContainerStats => ({
  id, name, sandboxId: `sb-${pod}`, pod: { namespace: 'default', name: pod, uid: `uid-${pod}` },
  cpuUsageCoreNanoSeconds: cpuSeconds * 1e9, memoryWorkingSetBytes: memory, timestamp: at,
});

describe('usage rates', () => {
  it('gives CPU in nanocores over the time between two readings', () => {
    const at = (cpuSeconds: number, timestamp: number) => ({ cpuUsageCoreNanoSeconds: cpuSeconds * 1e9, memoryWorkingSetBytes: 0, timestamp });
    expect(cpuRate(at(5, 0), at(10, 10_000))).toBe(5e8);
    expect(cpuRate(at(1, 0), at(1.001, 10_000))).toBe(1e5);
    expect(cpuRate(undefined, at(10, 10_000))).toBeUndefined();
    // A counter that went back counted other processes: no rate from it.
    expect(cpuRate(at(10, 0), at(5, 10_000))).toBeUndefined();
    expect(cpuRate(at(1, 10_000), at(2, 10_000))).toBeUndefined();
  });

  it('samples a host from its second reading on: pods whole, the host the sum of its containers, runtime and agent', () => {
    const rates = new HostUsageRates('esx-1');
    const self = (cpuSeconds: number, timestamp: number) => ({ cpuUsageCoreNanoSeconds: cpuSeconds * 1e9, memoryWorkingSetBytes: 50e6, timestamp });
    expect(rates.next({ timestamp: 1000, items: [container('a', 'busy', 'c', 0, 4096, 1000)], runtime: self(1, 1000), agent: self(2, 1000) })).toBeUndefined();
    const sample = rates.next({
      timestamp: 11_000,
      items: [container('a', 'busy', 'c', 9, 8192, 11_000), container('b', 'new', 'c', 1, 4096, 11_000)],
      runtime: self(1.1, 11_000),
      agent: self(2.2, 11_000),
    });
    expect(sample).toEqual({
      host: 'esx-1',
      timestamp: '1970-01-01T00:00:11.000Z',
      windowSeconds: 10,
      // 0.9 cores busy + 10m runtime + 20m agent; the new container has no rate yet but its memory counts.
      node: { cpuNanoCores: 930_000_000, memoryBytes: 8192 + 4096 + 100e6 },
      pods: [{ namespace: 'default', name: 'busy', uid: 'uid-busy', containers: [{ name: 'c', cpuNanoCores: 9e8, memoryBytes: 8192 }] }],
    });
  });

  it('leaves out a pod until every one of its containers has a rate, and forgets containers gone', () => {
    const rates = new HostUsageRates('h');
    rates.next({ timestamp: 0, items: [container('a', 'p', 'one', 0, 1, 0)] });
    expect(rates.next({ timestamp: 1000, items: [container('a', 'p', 'one', 0.5, 1, 1000), container('b', 'p', 'two', 0, 1, 1000)] })?.pods).toEqual([]);
    const third = rates.next({ timestamp: 2000, items: [container('a', 'p', 'one', 1, 1, 2000), container('b', 'p', 'two', 0.25, 1, 2000)] });
    expect(third?.pods[0].containers.map((c) => [c.name, c.cpuNanoCores])).toEqual([['one', 5e8], ['two', 2.5e8]]);
    // A restarted container is a new one: its pod waits a window again.
    expect(rates.next({ timestamp: 3000, items: [container('a2', 'p', 'one', 0, 1, 3000), container('b', 'p', 'two', 0.5, 1, 3000)] })?.pods).toEqual([]);
  });

  it("keeps the host's CPU since its first reading, which never goes back as containers come, restart and go", () => {
    const rates = new HostUsageRates('h');
    rates.next({ timestamp: 0, items: [container('a', 'p', 'one', 5, 1, 0)] });
    expect(rates.latest).toMatchObject({ nodeCpuCoreNanoSeconds: 5e9, since: 0, node: undefined });
    rates.next({ timestamp: 1000, items: [container('a', 'p', 'one', 6, 1, 1000), container('b', 'q', 'two', 0.5, 1, 1000)] });
    expect(rates.latest).toMatchObject({ nodeCpuCoreNanoSeconds: 6.5e9, node: { cpuNanoCores: 1e9 } });
    expect([...rates.latest!.containerCpuNanoCores]).toEqual([['a', 1e9], ['b', undefined]]);
    // `a` is gone, `b` was replaced under its id (its counter went back): what the new one used counts whole.
    rates.next({ timestamp: 2000, items: [container('b', 'q', 'two', 0.25, 1, 2000)] });
    expect(rates.latest).toMatchObject({ nodeCpuCoreNanoSeconds: 6.75e9, since: 0 });
  });

  it("keeps each pod's CPU since it was first read, which never goes back as its containers restart, and forgets a pod gone", () => {
    const rates = new HostUsageRates('h');
    rates.next({ timestamp: 0, items: [container('a', 'p', 'one', 2, 1, 0), container('b', 'p', 'two', 1, 1, 0)] });
    expect([...rates.latest!.podCpuCoreNanoSeconds]).toEqual([['uid-p', 3e9]]);
    // `a` restarted as `a2`: the pod keeps what `a` used and adds all of `a2`'s.
    rates.next({ timestamp: 1000, items: [container('a2', 'p', 'one', 0.5, 1, 1000), container('b', 'p', 'two', 1.5, 1, 1000), container('c', 'q', 'one', 1, 1, 1000)] });
    expect([...rates.latest!.podCpuCoreNanoSeconds]).toEqual([['uid-p', 4e9], ['uid-q', 1e9]]);
    rates.next({ timestamp: 2000, items: [container('c', 'q', 'one', 1.25, 1, 2000)] });
    expect([...rates.latest!.podCpuCoreNanoSeconds]).toEqual([['uid-q', 1.25e9]]);
  });

  it('samples a host with no pods (a sim host: nothing used)', () => {
    const rates = new HostUsageRates('sim-1');
    rates.next({ timestamp: 0, items: [] });
    expect(rates.next({ timestamp: 10_000, items: [] })).toEqual({ host: 'sim-1', timestamp: '1970-01-01T00:00:10.000Z', windowSeconds: 10, node: { cpuNanoCores: 0, memoryBytes: 0 }, pods: [] });
  });
});
