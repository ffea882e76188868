import { get } from 'node:http';
import { startCluster, TestCluster } from '@openpacific/testing';
import { allHostsReady, createdTwice, CreateStream, full, invariants, isRunning, listPods, report, sleep, timeUntil } from './support/chaos-kit';

const healthy = (port: number) =>
  new Promise<boolean>((res) => {
    const req = get({ host: '127.0.0.1', port, path: '/readyz', timeout: 1000 }, (r) => {
      r.resume();
      res(r.statusCode === 200);
    });
    req.on('error', () => res(false));
    req.on('timeout', () => req.destroy());
  });

/**
 * Scenario 4: every control-plane service and the api-gateway is killed (SIGKILL) in turn while a client
 * keeps creating pods. The launcher restarts each; the restarted service picks up from the log. No
 * acknowledged create is lost and none is applied twice. The full run does it with two replicas of each.
 */
describe('chaos: control-plane services are killed one by one under a stream of creates', () => {
  let cluster: TestCluster;
  const replicas = full ? 2 : 1;

  beforeAll(async () => {
    cluster = await startCluster({ label: 'chaos-kills', replicas, env: { CRX_DRIVER: 'sim', CRX_SIM_START_DELAY_MS: '50', HOST_REBOOT_DELAY_MS: '0' } });
    await allHostsReady(cluster);
  }, 180_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('loses no acknowledged create, applies none twice, and converges', async () => {
    const stream = new CreateStream(cluster, { prefix: 'load', intervalMs: 100, servers: cluster.gateways.map((g) => g.server) });
    stream.start();
    await sleep(1000);
    const figures: Record<string, number | string> = {};
    const victims = cluster.state().services.filter((s) => replicas === 1 || s.name.endsWith('-1'));
    for (const victim of victims) {
      const kill = await cluster.chaos(['kill-service', victim.name]);
      expect(kill.code).toBe(0);
      const killedAt = Date.now();
      figures[`${victim.name}: kill -> restarted and ready`] = await timeUntil(killedAt, async () => {
        const now = cluster.state().services.find((s) => s.name === victim.name);
        return !!now && now.pid !== victim.pid && (await healthy(now.healthPort));
      }, 60_000);
      await sleep(1500);
    }
    await stream.stop();
    const created = stream.names.length;
    const failed = `${stream.failures.length} (${[...new Set(stream.failures.map((f) => f.status))].join(', ') || 'none'})`;
    figures['slowest failed attempt'] = Math.max(0, ...stream.failures.map((f) => f.ms));
    report(`${victims.length} services killed in turn (${replicas} replica(s) each) under ${created} creates`, { ...figures, 'failed attempts, retried': failed });

    await timeUntil(Date.now(), async () => {
      const pods = await listPods(cluster);
      return pods.length === created && pods.every(isRunning);
    }, 90_000);
    expect(await createdTwice(cluster)).toEqual([]);
    const checked = await invariants(cluster, stream.acknowledged);
    expect(checked.lost).toEqual([]);
    expect(checked.ok).toBe(true);
  }, 300_000);
});
