import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { burstCurveCharts, curveCells, redrawBurstCurve } from './pod-scale.bench';
import { cpuColumns } from './process-cpu';
import { readResults, writeResults } from './results';

const ctx = { durationMs: 300, smoke: false };

/** A row as burstCurveBench writes it (the columns the charts read). */
function row(hosts: number, pods: number, podsPerSecond: number, p99: number) {
  return {
    hosts, pods, 'pods/s (all Running)': podsPerSecond, 'p50 (ms)': p99 / 2, 'p99 (ms)': p99,
    'create→acked p50 (ms)': 100, 'create→acked p99 (ms)': 200, 'acked→bound p50 (ms)': 100, 'acked→bound p99 (ms)': 300,
    'bound→Running written p50 (ms)': 200, 'bound→Running written p99 (ms)': 900, '→watch p50 (ms)': 50, '→watch p99 (ms)': 100,
    'load before': 1.5, 'load after': 4.25,
    'CPU s: scheduler': pods / 1000, 'CPU s: sim-fleet': (hosts * pods) / 10_000,
  };
}

describe('curveCells', () => {
  it('runs every pods × hosts cell, smallest bursts first, from the env knobs', () => {
    expect(curveCells(ctx, { BENCH_CURVE_PODS: '1000, 2000', BENCH_CURVE_HOSTS: '10,50' })).toEqual([
      { hosts: 10, pods: 1000 }, { hosts: 50, pods: 1000 }, { hosts: 10, pods: 2000 }, { hosts: 50, pods: 2000 },
    ]);
    expect(curveCells(ctx, {})).toHaveLength(12);
    expect(curveCells({ ...ctx, smoke: true }, { BENCH_CURVE_PODS: '10000' })).toEqual([{ hosts: 3, pods: 20 }]);
  });

  it('names the knob that is not a list of positive integers', () => {
    expect(() => curveCells(ctx, { BENCH_CURVE_HOSTS: '10,,50' })).toThrow(/BENCH_CURVE_HOSTS/);
    expect(() => curveCells(ctx, { BENCH_CURVE_PODS: '1k' })).toThrow(/BENCH_CURVE_PODS/);
  });
});

describe('burstCurveCharts', () => {
  const machine = { cpus: 2, cpuModel: 'AMD EPYC', memoryGiB: 24, node: 'v20.20.2' };
  const rows = [row(50, 2000, 150, 4000), row(10, 1000, 200, 1000), row(50, 1000, 180, 2000), { hosts: 10, pods: 2000, error: 'cluster did not start' }];

  it('draws a line per host count (points in pod order) and leaves failed cells out', () => {
    const charts = burstCurveCharts(rows, machine, '2026-12-01T14:00:00.000Z');
    expect(Object.keys(charts).sort()).toEqual(['burst-curve-cpu.svg', 'burst-curve-latency.svg', 'burst-curve-stages-p50.svg', 'burst-curve-stages-p99.svg', 'burst-curve-throughput.svg']);
    const throughput = charts['burst-curve-throughput.svg'];
    expect(throughput.match(/<polyline/g)).toHaveLength(2);
    expect(throughput).toContain('>10 hosts<');
    expect(throughput).toContain('50 hosts: 1,000 → 180');
    expect(throughput).toContain('load average 1.5–4.25, 2026-12-01');
    // p99 and p50 for each host count, in seconds.
    const latency = charts['burst-curve-latency.svg'];
    expect(latency.match(/<polyline/g)).toHaveLength(4);
    expect(latency).toContain('50 hosts, p99: 2,000 → 4');
    // One bar per successful cell, four stages each.
    expect(charts['burst-curve-stages-p99.svg'].match(/<rect [^>]*><title>/g)).toHaveLength(12);
    expect(charts['burst-curve-stages-p99.svg']).toContain('2,000 pods 50 hosts, bound → Running written (hosts): 0.9');
    // CPU ms per pod, the process with the most CPU over all cells first: sim-fleet 1 + 5 + 10 s, scheduler 1 + 1 + 2 s.
    const cpu = charts['burst-curve-cpu.svg'];
    expect(cpu.indexOf('>sim-fleet<')).toBeLessThan(cpu.indexOf('>scheduler<'));
    expect(cpu).toContain('2,000 pods 50 hosts, sim-fleet: 5');
    expect(cpu).toContain('1,000 pods 10 hosts, scheduler: 1');
  });
});

describe('burst-curve results on disk', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'burst-curve-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back what was written, and draws the charts again from the JSON alone into both folders', () => {
    const rows = [row(10, 1000, 200, 1000), row(10, 2000, 190, 1500)];
    writeResults(dir, 'burst-curve', { rows }, ctx);
    const file = readResults(dir, 'burst-curve');
    expect(file?.rows).toEqual(rows);
    expect(file?.smoke).toBe(false);
    const images = join(dir, 'images');
    const written = redrawBurstCurve(dir, images);
    expect(written).toHaveLength(10);
    expect(readdirSync(images).sort()).toEqual(['burst-curve-cpu.svg', 'burst-curve-latency.svg', 'burst-curve-stages-p50.svg', 'burst-curve-stages-p99.svg', 'burst-curve-throughput.svg']);
    expect(readFileSync(join(images, 'burst-curve-throughput.svg'), 'utf8')).toContain('10 hosts: 2,000 → 190');
  });

  it('draws a kept copy under its own name', () => {
    writeResults(dir, 'burst-curve-direct', { rows: [row(10, 1000, 300, 900)] }, ctx);
    redrawBurstCurve(dir, join(dir, 'images'), 'burst-curve-direct');
    expect(readdirSync(join(dir, 'images'))).toContain('burst-curve-direct-throughput.svg');
    expect(() => redrawBurstCurve(dir, join(dir, 'images'), '../x')).toThrow(/not \.\.\/x/);
  });

  it('says what to run when there is nothing to draw', () => {
    expect(() => redrawBurstCurve(dir, join(dir, 'images'))).toThrow(/npm run bench -- burst-curve/);
  });
});

describe('cpuColumns', () => {
  it('gives each process its CPU seconds between two readings, Postgres backends together', () => {
    const before = { scheduler: 10, 'api-gateway': 4, 'postgres#11': 1, 'postgres#12': 2, idle: 3 };
    // Backend 12 is gone by the second reading, 13 started in between.
    const after = { scheduler: 12.5, 'api-gateway': 4.25, 'postgres#11': 1.5, 'postgres#13': 0.75, idle: 3 };
    expect(cpuColumns(before, after)).toEqual({ 'CPU s: scheduler': 2.5, 'CPU s: api-gateway': 0.25, 'CPU s: postgres': 1.25 });
  });
});
