import { readLauncherConfig } from './launcher-config';

describe('readLauncherConfig', () => {
  it('defaults to .data under the repository, local Postgres and NATS, port 6443 and three hosts', () => {
    const config = readLauncherConfig({}, '/repo');
    expect(config).toMatchObject({
      dataDir: '/repo/.data',
      logDir: '/repo/.data/logs',
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/openpacific',
      natsUrl: 'nats://127.0.0.1:4222',
      natsPrefix: 'op',
      gatewayPort: 6443,
      hostCount: 3,
      logLevel: 'info',
    });
    expect(config.serviceMain).toBeUndefined();
  });

  it('takes every knob from the environment and treats empty values as unset', () => {
    const config = readLauncherConfig(
      { DATA_DIR: '/tmp/x', GATEWAY_PORT: '7443', HOST_COUNT: '1', NATS_PREFIX: 'abc', LOG_LEVEL: '', DATABASE_URL: 'postgres://db/x' },
      '/repo',
    );
    expect(config).toMatchObject({ dataDir: '/tmp/x', gatewayPort: 7443, hostCount: 1, natsPrefix: 'abc', logLevel: 'info', databaseUrl: 'postgres://db/x' });
  });

  it('refuses a host count that is not a number', () => {
    expect(() => readLauncherConfig({ HOST_COUNT: 'three' }, '/repo')).toThrow(/HOST_COUNT/);
  });

  it('runs one replica of each service and reboots killed hosts after 10 s by default', () => {
    expect(readLauncherConfig({}, '/repo')).toMatchObject({ replicas: 1, hostRebootDelayMs: 10_000 });
    expect(readLauncherConfig({ REPLICAS: '3', HOST_REBOOT_DELAY_MS: '0' }, '/repo')).toMatchObject({ replicas: 3, hostRebootDelayMs: 0 });
  });

  it('refuses replica counts outside 1..3', () => {
    expect(() => readLauncherConfig({ REPLICAS: '4' }, '/repo')).toThrow(/REPLICAS must be 1, 2 or 3/);
    expect(() => readLauncherConfig({ REPLICAS: '0' }, '/repo')).toThrow(/REPLICAS/);
  });
});
