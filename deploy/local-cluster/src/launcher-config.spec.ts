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

  it('takes the cluster network from POD_CIDR, SERVICE_CIDR and LOADBALANCER_CIDR, or POD_NETWORK=loopback', () => {
    const set = readLauncherConfig({ POD_CIDR: '10.70.0.0/16', SERVICE_CIDR: '10.102.0.0/16', LOADBALANCER_CIDR: '10.134.0.0/16' }, '/repo');
    expect(set.network).toEqual({ podCIDR: '10.70.0.0/16', serviceCIDR: '10.102.0.0/16', loadBalancerCIDR: '10.134.0.0/16' });
    expect(readLauncherConfig({ POD_NETWORK: 'loopback' }, '/repo').network).toEqual({ podCIDR: '', serviceCIDR: '127.202.0.0/16', loadBalancerCIDR: '127.203.0.0/16' });
    expect(() => readLauncherConfig({ POD_CIDR: '10.70.0.0/24' }, '/repo')).toThrow(/POD_CIDR must be an IPv4 network with prefix \/16/);
    expect(() => readLauncherConfig({ POD_NETWORK: 'bridge' }, '/repo')).toThrow(/POD_NETWORK must be auto or loopback/);
  });

  it('gives pods their own network by default where the machine allows it (root and iproute2)', () => {
    const { network, networkNote } = readLauncherConfig({}, '/repo');
    const allowed = process.getuid?.() === 0 && ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].some((p) => require('node:fs').existsSync(p));
    if (allowed) expect(network).toEqual({ podCIDR: '10.64.0.0/16', serviceCIDR: '10.96.0.0/16', loadBalancerCIDR: '10.128.0.0/16' });
    else expect(network.podCIDR).toBe('');
    expect(networkNote).toMatch(allowed ? /own network namespaces/ : /127\.x\.y\.z/);
  });
});
