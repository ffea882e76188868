import { bytesOf, cpuQuantity, goDuration, memoryQuantity, nanoCoresOf } from './metrics-quantity';
import { podMetricsResource } from './metrics.resource';

describe('metrics.k8s.io quantities', () => {
  it.each([
    [1234567, '1234567n'], [250_000_000, '250m'], [1_500_000_000, '1500m'], [2_000_000_000, '2'], [3000, '3u'], [0, '0'], [12.6, '13n'],
  ])('writes %p nanocores as %p, the largest suffix that keeps an integer, as metrics-server does', (nanoCores, quantity) => {
    expect(cpuQuantity(nanoCores)).toBe(quantity);
  });

  it.each([
    [8_384_512, '8188Ki'], [12 * 1024 * 1024, '12Mi'], [3 * 1024 ** 3, '3Gi'], [1000, '1000'], [0, '0'],
  ])('writes %p bytes of memory as %p, in binary suffixes', (bytes, quantity) => {
    expect(memoryQuantity(bytes)).toBe(quantity);
  });

  it('reads back what it wrote', () => {
    for (const n of [1234567, 250_000_000, 2e9, 3000, 0]) expect(nanoCoresOf(cpuQuantity(n))).toBe(n);
    for (const b of [8_384_512, 12 * 1024 * 1024, 1000, 0]) expect(bytesOf(memoryQuantity(b))).toBe(b);
    expect(nanoCoresOf('1.5')).toBeNaN();
    expect(bytesOf('1G')).toBeNaN();
  });

  it.each([
    [10, '10s'], [10.0042, '10.004s'], [1.5, '1.5s'], [60.5, '1m0.5s'], [3605, '1h0m5s'], [0.25, '250ms'],
  ])('writes a window of %p seconds as the Go duration %p', (seconds, duration) => {
    expect(goDuration(seconds)).toBe(duration);
  });

  it('shows a PodMetrics in a table with the sum of its containers, as metrics-server does', () => {
    const columns = podMetricsResource.versions[0].printerColumns;
    const pod = { window: '10s', containers: [{ name: 'a', usage: { cpu: '250m', memory: '1Mi' } }, { name: 'b', usage: { cpu: '1234n', memory: '512Ki' } }] };
    expect(columns.map((c) => c.name)).toEqual(['CPU', 'Memory', 'Window']);
    expect(columns[0].value!(pod)).toBe('250001234n');
    expect(columns[1].value!(pod)).toBe('1536Ki');
  });
});
