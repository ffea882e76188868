import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { natsNames } from '@openpacific/contracts';
import { createTestDatabase, eventually, testNatsUrl, TestDatabase, uniqueNatsPrefix } from '@openpacific/testing';
import { connect, JSONCodec, NatsConnection } from 'nats';
import type { HealthReply } from '../health/health-responder';

const testDir = join(__dirname, '../../test');

interface Child {
  proc: ChildProcess;
  lines: () => Array<Record<string, unknown>>;
  output: () => string;
  exited: Promise<number | null>;
}

function startTiny(env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ['-r', join(testDir, 'ts-register.cjs'), join(testDir, 'tiny.service.ts')], {
    // Only PATH and NODE_OPTIONS pass through, so the developer's own LOG_LEVEL etc. cannot skew the test.
    env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: process.env.NODE_OPTIONS ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const lines = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { proc, lines, output: () => out, exited };
}

describe('runService', () => {
  let db: TestDatabase;
  let nc: NatsConnection;
  let tmp: string;
  const prefix = uniqueNatsPrefix('kit');
  const children: Child[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('service_kit');
    nc = await connect({ servers: testNatsUrl });
    tmp = mkdtempSync(join(tmpdir(), 'service-kit-'));
  });

  afterAll(async () => {
    for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
    await nc.close();
    await db.drop();
    rmSync(tmp, { recursive: true, force: true });
  });

  function boot(extra: Record<string, string> = {}): Child {
    const child = startTiny({
      DATABASE_URL: db.url,
      NATS_URL: testNatsUrl,
      NATS_PREFIX: prefix,
      INSTANCE_ID: 'tiny-1',
      TINY_FAIL_FILE: join(tmp, 'fail'),
      ...extra,
    });
    children.push(child);
    return child;
  }

  async function healthPort(child: Child): Promise<number> {
    return eventually(
      () => {
        const line = child.lines().find((l) => l.msg === 'health listening');
        if (!line) throw new Error(`no health port logged yet:\n${child.output()}`);
        return line.port as number;
      },
      { timeoutMs: 20_000 },
    );
  }

  it('boots, reports ready over HTTP and NATS, fails readiness naming the failing check, and exits 0 on SIGTERM', async () => {
    const child = boot();
    const port = await healthPort(child);
    expect(port).toBeGreaterThan(0);

    const ready = await eventually(
      async () => {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        expect(res.status).toBe(200);
        return res;
      },
      { timeoutMs: 20_000 },
    );
    expect(await ready.json()).toEqual({ status: 'ready' });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    // Prometheus' text format: the process's own figures, as every service serves them.
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    expect(text).toMatch(/^# TYPE process_cpu_seconds_total counter$/m);
    expect(Number(/^process_resident_memory_bytes (\d+)/m.exec(text)?.[1])).toBeGreaterThan(1024 * 1024);

    const reply = await nc.request(natsNames(prefix).health('tiny'), undefined, { timeout: 2000 });
    expect(JSONCodec<HealthReply>().decode(reply.data)).toEqual({ service: 'tiny', instance: 'tiny-1', ready: true });

    writeFileSync(join(tmp, 'fail'), '');
    const notReady = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ ready: false, failed: 'tiny-dependency', error: 'dependency down' });
    rmSync(join(tmp, 'fail'));

    // Every line on stdout is a JSON log record carrying service and instance.
    const records = child.lines();
    expect(records.find((l) => l.msg === 'ready')).toMatchObject({ level: 'info', service: 'tiny', instance: 'tiny-1' });
    expect(records.some((l) => l.msg === 'connecting to postgres' && l.attempt === 1)).toBe(true);

    child.proc.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    const msgs = child.lines().map((l) => l.msg);
    expect(msgs).toEqual(expect.arrayContaining(['shutting down', 'tiny shutdown hook ran', 'stopped']));
  }, 60_000);

  it('exits 1 naming the variable when the environment is invalid', async () => {
    const child = boot({ NATS_URL: 'not a url' });
    expect(await child.exited).toBe(1);
    expect(child.output()).toContain('invalid configuration: NATS_URL must match format "nats-urls"');
  }, 30_000);

  it('keeps retrying Postgres, logging each attempt, and stops cleanly on SIGINT meanwhile', async () => {
    const child = boot({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' });
    await eventually(() => {
      const attempts = child.lines().filter((l) => l.msg === 'postgres connection failed');
      expect(attempts.length).toBeGreaterThanOrEqual(2);
    }, { timeoutMs: 20_000 });
    child.proc.kill('SIGINT');
    expect(await child.exited).toBe(0);
  }, 30_000);
});
