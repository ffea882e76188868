import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, NatsConnection } from 'nats';
import { Pool } from 'pg';
import { freePort, testAdminUrl, testNatsUrl } from '@openpacific/testing';
import { createLogger } from '@openpacific/service-kit';
import { GatewayHealth } from './health';

/**
 * The gateway's health endpoints against the real Postgres and NATS: every check passing, then each backend gone in
 * turn (a pool to a port where nothing listens, a closed NATS connection) and the gateway stopping.
 */
describe('the gateway\'s health checks', () => {
  let server: Server;
  let base: string;
  let nats: NatsConnection;
  let pool: Pool;
  let stopping = false;
  const lines: string[] = [];
  let health: GatewayHealth;

  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    return { status: res.status, body: await res.text() };
  };

  beforeAll(async () => {
    nats = await connect({ servers: testNatsUrl });
    pool = new Pool({ connectionString: testAdminUrl, max: 1 });
    health = new GatewayHealth({
      postgres: () => pool.query('select 1').then(() => undefined),
      nats: () => nats.flush(),
      synced: () => true,
      stopping: () => stopping,
    }, createLogger('health-test', 'debug', 'test', (line) => lines.push(line)));
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const [, endpoint, check] = url.pathname.split('/');
      void health.serve(res, endpoint as 'readyz', url.searchParams, check);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.close();
    await pool.end();
    if (!nats.isClosed()) await nats.close();
  });
  // Each round of checks answers for a second.
  const nextRound = () => new Promise((r) => setTimeout(r, 1_100));

  it('passes every check of each endpoint', async () => {
    expect(await get('/readyz')).toEqual({ status: 200, body: 'ok' });
    expect((await get('/readyz?verbose')).body).toBe('[+]ping ok\n[+]log ok\n[+]postgres ok\n[+]nats ok\n[+]informer-sync ok\n[+]shutdown ok\nreadyz check passed\n');
    expect((await get('/livez?verbose')).body).toBe('[+]ping ok\n[+]log ok\n[+]postgres ok\nlivez check passed\n');
    expect(await get('/readyz/postgres')).toEqual({ status: 200, body: 'ok' });
  });

  it('fails postgres when Postgres does not answer, logging why once', async () => {
    const live = pool;
    pool = new Pool({ connectionString: `postgres://postgres@127.0.0.1:${await freePort()}/postgres`, max: 1 });
    await nextRound();
    try {
      expect(await get('/livez')).toEqual({ status: 500, body: '[+]ping ok\n[+]log ok\n[-]postgres failed: reason withheld\nlivez check failed\n' });
      expect(await get('/readyz?exclude=postgres')).toEqual({ status: 200, body: 'ok' });
      const one = await get('/readyz/postgres');
      expect(one.status).toBe(500);
      expect(one.body).toMatch(/^internal server error: .*ECONNREFUSED/);
      expect(lines.filter((l) => l.includes('health check failing') && l.includes('postgres'))).toHaveLength(1);
    } finally {
      await pool.end();
      pool = live;
    }
    await nextRound();
    expect(await get('/livez')).toEqual({ status: 200, body: 'ok' });
    expect(lines.some((l) => l.includes('health check passing again') && l.includes('postgres'))).toBe(true);
  });

  it('fails nats on a closed connection (readiness, not liveness), and shutdown once stopping', async () => {
    await nats.close();
    stopping = true;
    await nextRound();
    expect(await get('/readyz')).toEqual({
      status: 500,
      body: '[+]ping ok\n[+]log ok\n[+]postgres ok\n[-]nats failed: reason withheld\n[+]informer-sync ok\n[-]shutdown failed: reason withheld\nreadyz check failed\n',
    });
    expect(await get('/livez')).toEqual({ status: 200, body: 'ok' });
  });
});
