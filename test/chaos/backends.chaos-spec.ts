import { startCluster, TestCluster } from '@openpacific/testing';
import { allHostsReady, createdTwice, CreateStream, full, invariants, isRunning, listPods, report, sleep, timeUntil } from './support/chaos-kit';

const requestTimeoutMs = 10_000;

/**
 * Scenario 5: NATS and then Postgres are restarted under a stream of creates (the cluster runs its own
 * servers, which the launcher starts again). Writes during an outage fail fast with a 503 Status, none hangs
 * to the client's timeout; afterwards everything converges and nothing acknowledged is lost.
 */
describe('chaos: NATS and Postgres restart under load', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startCluster({ label: 'chaos-backends', ownServers: true, env: { CRX_DRIVER: 'sim', CRX_SIM_START_DELAY_MS: '50' } });
    await allHostsReady(cluster);
  }, 180_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('fails writes fast during each outage and converges afterwards', async () => {
    expect(cluster.state().nats.managed && cluster.state().postgres.managed).toBe(true);
    const stream = new CreateStream(cluster, { prefix: 'load', intervalMs: 100, timeoutMs: requestTimeoutMs });
    stream.start();
    await sleep(1500);
    const figures: Record<string, number | string> = {};
    for (const [action, label] of [['restart-nats', 'NATS'], ['restart-postgres', 'Postgres']] as const) {
      const before = stream.failures.length;
      const acked = stream.acknowledged.length;
      const result = await cluster.chaos([action]);
      expect(result.code).toBe(0);
      const at = Date.now();
      figures[`${label} restart -> writes acknowledged again`] = await timeUntil(at, async () => stream.acknowledged.length > acked + 3, 90_000);
      const during = stream.failures.slice(before);
      figures[`${label}: failed writes during the outage`] = `${during.length} (${[...new Set(during.map((f) => f.status))].join(', ') || 'none'})`;
      figures[`${label}: slowest failed write`] = Math.max(0, ...during.map((f) => f.ms));
      await sleep(full ? 5000 : 2000);
    }
    await stream.stop();
    report(`NATS and Postgres restarted under ${stream.names.length} creates`, figures);

    // Fail fast: every failure was an answer (a 503 Status) or a refused connection, never the client giving up.
    for (const f of stream.failures) expect(String(f.status)).not.toMatch(/no answer within/);
    expect(stream.failures.every((f) => f.status === 503 || typeof f.status === 'string')).toBe(true);

    await timeUntil(Date.now(), async () => {
      const pods = await listPods(cluster);
      return pods.length === stream.names.length && pods.every(isRunning);
    }, 120_000);
    expect(await createdTwice(cluster)).toEqual([]);
    const checked = await invariants(cluster, stream.acknowledged);
    expect(checked.lost).toEqual([]);
    expect(checked.ok).toBe(true);
  }, 400_000);
});
