import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { allHostsReady, createPods, full, hostReady, invariants, isRunning, listPods, podsRunning, report, sleep, timeUntil } from './support/chaos-kit';

/** The pids of the containers a host's runtime started, from its status files. */
function containerPids(crxRoot: string): number[] {
  const pods = join(crxRoot, 'pods');
  if (!existsSync(pods)) return [];
  const pids: number[] = [];
  for (const pod of readdirSync(pods)) {
    const logs = join(pods, pod, 'logs');
    for (const f of existsSync(logs) ? readdirSync(logs).filter((n) => n.endsWith('.status.json')) : []) {
      const status = JSON.parse(readFileSync(join(logs, f), 'utf8'));
      if (status.state === 'running') pids.push(status.pid);
    }
  }
  return pids;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/**
 * Scenario 3: a host's control processes (agent, runtime, shims) are paused past the grace period — a
 * partition or a long GC pause — while its containers, in their own process groups, keep running. Its
 * pods start elsewhere; on resume the host's runtime finds its lease ran out and stops the stale copies.
 */
describe('chaos: a host pauses past its grace period', () => {
  let cluster: TestCluster;
  const podCount = full ? 12 : 6;
  const pauseSeconds = full ? 8 : 6;

  beforeAll(async () => {
    cluster = await startCluster({ label: 'chaos-pause', env: { HOST_REBOOT_DELAY_MS: '0' } });
    await allHostsReady(cluster);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('runs its pods elsewhere during the pause and stops the stale copies within a second of resuming', async () => {
    const acknowledged = await createPods(cluster, Array.from({ length: podCount }, (_, i) => `svc-${i}`));
    await podsRunning(cluster, podCount, 90_000);
    const victim = 'host-1';
    const crxRoot = cluster.state().hosts.find((h) => h.name === victim)!.crxRoot;
    const stale = containerPids(crxRoot);
    expect(stale.length).toBeGreaterThan(0);

    const pausedAt = Date.now();
    const pause = cluster.chaos(['pause-host', victim, '--seconds', String(pauseSeconds)]);
    const notReadyMs = await timeUntil(pausedAt, async () => (await hostReady(cluster, victim)) === 'False', 30_000);
    const elsewhereMs = await timeUntil(pausedAt, async () => {
      const pods = await listPods(cluster);
      return pods.length === podCount && pods.every((p) => isRunning(p) && p.spec.nodeName !== victim);
    }, 60_000);
    // While the host is frozen its containers still run: that window is stated, not prevented.
    expect(stale.every(alive)).toBe(true);
    expect((await pause).code).toBe(0);
    const resumedAt = Date.now();
    const stoppedMs = await timeUntil(resumedAt, async () => !stale.some(alive), 20_000, 20);
    report(`pause ${victim} for ${pauseSeconds} s with ${podCount} pods (${stale.length} containers on it)`, {
      'pause -> NotReady': notReadyMs,
      'pause -> all pods Running elsewhere': elsewhereMs,
      'resume -> stale copies stopped': stoppedMs,
    });

    // The host comes back in a new epoch and reports the fence it carried out.
    await eventually(async () => {
      const host = (await cluster.request('GET', `/apis/infrastructure.openpacific.io/v1alpha1/hosts/${victim}`)).json();
      expect(host.status.epoch).toBe(2);
      expect(await hostReady(cluster, victim)).toBe('True');
    }, { timeoutMs: 30_000 });
    const history = (await cluster.request('GET', `/apis/infrastructure.openpacific.io/v1alpha1/hosts/${victim}/history`)).json().items;
    const fences = history.filter((i: any) => i.type === 'HostRegistered' && i.details?.fence).map((i: any) => i.details.fence);
    expect(fences).toHaveLength(1);
    expect(fences[0].pods.length).toBe(stale.length);
    expect(fences[0].unresponsiveFrom).toBeDefined();

    await sleep(500);
    const checked = await invariants(cluster, acknowledged);
    expect(checked.doubleRuns).toEqual([]);
    expect(checked.ok).toBe(true);
    for (const w of checked.boundedWindows) expect(w.excuse).toBeTruthy();
  }, 240_000);
});
