import { ChaosUsageError, formatEvent, parseChaosArgs, restartNats, restartPostgres, killService } from './chaos';
import type { ClusterState } from './cluster-state';

const env = { DATA_DIR: '/tmp/cluster-data' };

describe('chaos arguments', () => {
  it('reads an action, its target and the data folder from DATA_DIR', () => {
    expect(parseChaosArgs(['kill-host', 'host-2'], env, '/cwd')).toEqual({ action: 'kill-host', target: 'host-2', seconds: 5, dataDir: '/tmp/cluster-data' });
  });

  it('resolves a relative DATA_DIR from the repository root and --data-dir from the working folder', () => {
    expect(parseChaosArgs(['status'], {}, '/cwd').dataDir).toMatch(/\/\.data$/);
    expect(parseChaosArgs(['status', '--data-dir', 'd'], env, '/cwd').dataDir).toBe('/cwd/d');
  });

  it('takes --seconds for pause-host', () => {
    expect(parseChaosArgs(['pause-host', 'host-1', '--seconds', '2.5'], env)).toMatchObject({ action: 'pause-host', target: 'host-1', seconds: 2.5 });
  });

  it.each([
    [[], /no action/],
    [['explode'], /unknown action explode/],
    [['kill-host'], /kill-host needs a name/],
    [['status', 'extra'], /too many arguments/],
    [['kill-service', 'a', 'b'], /too many arguments/],
    [['pause-host', 'host-1', '--seconds', '0'], /--seconds must be a positive number/],
    [['pause-host', 'host-1', '--seconds'], /--seconds needs a value/],
    [['status', '--force'], /unknown option --force/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseChaosArgs(argv as string[], env)).toThrow(ChaosUsageError);
    expect(() => parseChaosArgs(argv as string[], env)).toThrow(message);
  });
});

describe('chaos actions', () => {
  const state: ClusterState = {
    launcherPid: process.pid,
    dataDir: '/tmp/none',
    server: 'https://127.0.0.1:1',
    gateways: [],
    kubeconfig: '/tmp/none/kubeconfig',
    databaseUrl: 'postgres://u:secret@db/x',
    natsUrl: 'nats://127.0.0.1:4222',
    natsPrefix: 'p',
    nats: { managed: false, url: 'nats://127.0.0.1:4222' },
    postgres: { managed: false, url: 'postgres://u:secret@db/x' },
    hosts: [],
    services: [],
  };

  it('leaves external NATS and Postgres alone and says so', () => {
    expect(() => restartNats(state)).toThrow('the cluster uses an external NATS server at nats://127.0.0.1:4222; it was not touched');
    expect(() => restartPostgres(state)).toThrow('the cluster uses an external Postgres server at postgres://u:***@db/x; it was not touched');
  });

  it('names the instances there are when asked for one that is not', () => {
    expect(() => killService({ ...state, services: [{ name: 'scheduler-1', service: 'scheduler', pid: 1, healthPort: 1 }] }, 'scheduler')).toThrow(
      /no control-plane instance named scheduler \(instances: scheduler-1\)/,
    );
  });

  it('prints the time first, in ISO with milliseconds', () => {
    expect(formatEvent({ time: new Date('2026-11-30T18:00:00.123Z'), message: 'killed host-2 (process group 4242)' })).toBe(
      '2026-11-30T18:00:00.123Z killed host-2 (process group 4242)',
    );
  });
});
