import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ContainerStats } from '@openpacific/contracts';
import { eventually } from '@openpacific/testing';
import { procUsage } from './container-usage';
import { ProcessDriver } from './process-driver';
import { processTree } from './process-tree';

const shim = resolve(__dirname, '..', '..', 'dist', 'shim', 'crx-shim.js');

/** CPU cores used between two readings of a container. */
const cores = (a: ContainerStats, b: ContainerStats) => (b.cpuUsageCoreNanoSeconds - a.cpuUsageCoreNanoSeconds) / ((b.timestamp - a.timestamp) * 1e6);

describe('container stats of real processes', () => {
  const root = mkdtempSync(join(tmpdir(), 'crx-stats-'));
  let driver: ProcessDriver;
  let busy: string;
  let idle: string;

  beforeAll(async () => {
    if (!existsSync(shim)) throw new Error(`${shim} missing: run npm run build first`);
    driver = new ProcessDriver(root, 9, shim);
    const sandbox = driver.runPodSandbox({ podUid: 'uid-stats', podName: 'stats', podNamespace: 'default' });
    busy = driver.createContainer(sandbox.id, { name: 'busy', image: 'busybox', command: ['sh', '-c', 'while :; do :; done'] }, 0).id;
    idle = driver.createContainer(sandbox.id, { name: 'idle', image: 'busybox', command: ['sleep', '3600'] }, 0).id;
    await driver.startContainer(busy);
    await driver.startContainer(idle);
  }, 60_000);
  afterAll(async () => {
    for (const s of driver.listPodSandboxes()) await driver.removePodSandbox(s.id);
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  const read = (id: string) => driver.containerStats([id])[0];

  it('reports a busy loop using a large share of a core and a sleeping process next to none, with their pod', async () => {
    const [b0, i0] = [read(busy), read(idle)];
    expect(b0).toMatchObject({ name: 'busy', pod: { namespace: 'default', name: 'stats', uid: 'uid-stats' } });
    // Two seconds at least, under whatever load the machine has: CPU time is what is compared, not elapsed time.
    const [b1, i1] = await eventually(() => {
      const later = [read(busy), read(idle)];
      expect(later[0].timestamp - b0.timestamp).toBeGreaterThanOrEqual(2000);
      return later;
    }, { timeoutMs: 30_000, intervalMs: 250 });
    expect(cores(b0, b1)).toBeGreaterThan(0.1);
    expect(cores(i0, i1)).toBeLessThan(0.05);
    for (const s of [b1, i1]) {
      expect(s.memoryWorkingSetBytes).toBeGreaterThan(0);
      expect(s.memoryWorkingSetBytes).toBeLessThan(256 * 1024 * 1024);
    }
  });

  it('counts in the container\'s cgroups where the host has them, and /proc over its process tree agrees', () => {
    const status = driver.containerStatus(busy);
    const fromProc = procUsage(processTree(status.pid!));
    const stats = read(busy);
    expect(fromProc.cpuUsageCoreNanoSeconds).toBeGreaterThan(0);
    expect(fromProc.memoryWorkingSetBytes).toBeGreaterThan(0);
    if (driver.cgroups.available) {
      expect(driver.cgroups.usage(busy)).toEqual({ cpuUsageCoreNanoSeconds: expect.any(Number), memoryWorkingSetBytes: expect.any(Number) });
      // The same processes counted two ways: /proc in 10 ms ticks, read a moment apart.
      expect(Math.abs(stats.cpuUsageCoreNanoSeconds - fromProc.cpuUsageCoreNanoSeconds)).toBeLessThan(0.5e9);
    }
  });

  it('leaves out stopped and unknown containers', async () => {
    await driver.stopContainer(idle, 1);
    expect(driver.containerStats([busy, idle, 'unknown']).map((s) => s.name)).toEqual(['busy']);
    expect(driver.containerStats().map((s) => s.id)).toContain(busy);
  }, 30_000);
});
