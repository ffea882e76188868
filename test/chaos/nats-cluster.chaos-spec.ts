import { connect } from 'nats';
import { Pool } from 'pg';
import { NatsCluster, startCluster, startNatsCluster, TestCluster } from '@openpacific/testing';
import { allHostsReady, createdTwice, CreateStream, invariants, isRunning, listPods, report, sleep, timeUntil } from './support/chaos-kit';

/**
 * Scenario 6: the cluster runs on a three-server NATS cluster with the event stream replicated three
 * times. The server leading the stream is killed under a stream of creates: writes go on, and every event
 * of the log still reaches JetStream — exactly once each.
 */
describe('chaos: a NATS cluster member dies', () => {
  let nats: NatsCluster;
  let cluster: TestCluster;

  beforeAll(async () => {
    nats = await startNatsCluster(3);
    cluster = await startCluster({ label: 'chaos-natsha', env: { NATS_URL: nats.url, EVENT_STREAM_REPLICAS: '3', CRX_DRIVER: 'sim', CRX_SIM_START_DELAY_MS: '50' } });
    await allHostsReady(cluster);
  }, 180_000);
  afterAll(async () => {
    await cluster?.stop();
    await nats?.stop();
  }, 60_000);

  const streamInfo = async () => {
    const nc = await connect({ servers: nats.nodes.filter((n) => n.process.exitCode === null && n.process.signalCode === null).map((n) => n.url), timeout: 2000 });
    try {
      return await (await nc.jetstreamManager()).streams.info(`${cluster.natsPrefix.toUpperCase()}_EVENTS`);
    } finally {
      await nc.close();
    }
  };
  const logLength = async () => {
    const pool = new Pool({ connectionString: cluster.databaseUrl, max: 1 });
    try {
      return Number((await pool.query('SELECT count(*) AS n FROM events')).rows[0].n);
    } finally {
      await pool.end();
    }
  };

  it('keeps writing and relays every event exactly once after the stream leader dies', async () => {
    const before = await streamInfo();
    expect(before.config.num_replicas).toBe(3);
    const leader = before.cluster?.leader;
    expect(nats.nodes.map((n) => n.name)).toContain(leader);

    const stream = new CreateStream(cluster, { prefix: 'load', intervalMs: 100 });
    stream.start();
    await sleep(1500);
    const acked = stream.acknowledged.length;
    nats.kill(leader!);
    const killedAt = Date.now();
    const resumedMs = await timeUntil(killedAt, async () => stream.acknowledged.length > acked + 5, 60_000);
    const newLeaderMs = await timeUntil(killedAt, async () => {
      const info = await streamInfo();
      return !!info.cluster?.leader && info.cluster.leader !== leader;
    }, 60_000);
    await sleep(2000);
    await stream.stop();

    await timeUntil(Date.now(), async () => {
      const pods = await listPods(cluster);
      return pods.length === stream.names.length && pods.every(isRunning);
    }, 90_000);
    // Every event of the log is in the replicated stream, once (the relay's message ids dedupe re-sends).
    const relayedMs = await timeUntil(killedAt, async () => (await streamInfo()).state.messages === (await logLength()), 60_000);
    report(`NATS stream leader ${leader} killed under ${stream.names.length} creates`, {
      'kill -> writes acknowledged again': resumedMs,
      'kill -> new stream leader': newLeaderMs,
      'kill -> every event relayed': relayedMs,
      'failed writes, retried': `${stream.failures.length}`,
    });
    expect(await createdTwice(cluster)).toEqual([]);
    const checked = await invariants(cluster, stream.acknowledged);
    expect(checked.ok).toBe(true);
  }, 300_000);
});
