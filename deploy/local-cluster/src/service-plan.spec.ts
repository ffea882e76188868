import { readLauncherConfig } from './launcher-config';
import {
  controlPlaneEnv,
  controlPlaneInstances,
  controlPlaneServices,
  gatewayPortFor,
  hostNames,
  hostServiceEnv,
  serviceEntry,
  serviceInstances,
} from './service-plan';
import { formatDelay, restartDelayMs } from './cluster-launcher';

const config = readLauncherConfig({ NATS_PREFIX: 'p1', GATEWAY_PORT: '7443' }, '/repo');

describe('the service plan', () => {
  it('starts policy before the gateway and the controllers', () => {
    expect(controlPlaneServices).toEqual(['policy', 'api-gateway', 'scheduler', 'vm-operator', 'cluster-api']);
  });

  it('names hosts host-1 to host-N', () => {
    expect(hostNames(3)).toEqual(['host-1', 'host-2', 'host-3']);
  });

  it('runs each service from its bundle (dist/main.bundle.js) unless a test script replaces them all', () => {
    expect(serviceEntry(config, 'scheduler')).toBe('/repo/services/scheduler/dist/main.bundle.js');
    expect(serviceEntry({ ...config, serviceMain: '/fake.js' }, 'scheduler')).toBe('/fake.js');
  });

  it('gives the gateway its port and the data folder for pki, token and kubeconfig', () => {
    expect(controlPlaneEnv(config, 'api-gateway', 9000)).toMatchObject({
      GATEWAY_PORT: '7443',
      DATA_DIR: '/repo/.data',
      HEALTH_PORT: '9000',
      NATS_PREFIX: 'p1',
    });
    expect(controlPlaneEnv(config, 'policy', 9001)).not.toHaveProperty('GATEWAY_PORT');
  });

  it('tells each host service which host it runs on', () => {
    expect(hostServiceEnv(config, 'host-2', 'crx-runtime')).toMatchObject({ HOST_NAME: 'host-2', INSTANCE_ID: 'host-2-crx-runtime' });
  });

  it('keeps the bare service names with one replica and numbers them with more', () => {
    expect(serviceInstances('scheduler', 1)).toEqual([{ name: 'scheduler', service: 'scheduler', index: 0 }]);
    expect(serviceInstances('scheduler', 2).map((i) => i.name)).toEqual(['scheduler-1', 'scheduler-2']);
  });

  it('starts every replica of policy before any gateway', () => {
    const names = controlPlaneInstances(2).map((i) => i.name);
    expect(names.slice(0, 4)).toEqual(['policy-1', 'policy-2', 'api-gateway-1', 'api-gateway-2']);
    expect(names).toHaveLength(10);
  });

  it('gives each instance its own INSTANCE_ID and each extra gateway the next port, without the kubeconfig', () => {
    const second = { name: 'api-gateway-2', index: 1, gatewayPort: gatewayPortFor(config, 1) };
    expect(controlPlaneEnv(config, 'api-gateway', 9002, second)).toMatchObject({
      INSTANCE_ID: 'api-gateway-2',
      GATEWAY_PORT: '7444',
      DATA_DIR: '/repo/.data',
      GATEWAY_WRITE_KUBECONFIG: 'false',
    });
    expect(controlPlaneEnv(config, 'api-gateway', 9000)).not.toHaveProperty('GATEWAY_WRITE_KUBECONFIG');
    expect(controlPlaneEnv(config, 'scheduler', 9003, { name: 'scheduler-2', index: 1 })).toMatchObject({ INSTANCE_ID: 'scheduler-2' });
  });

  it('gives the scheduler and cluster-api the one datastore, where guest clusters get their folders', () => {
    for (const service of ['scheduler', 'cluster-api'] as const) expect(controlPlaneEnv(config, service, 9003).DATASTORE_DIR).toBe('/repo/.data/datastore');
  });

  it('leaves the port of every gateway to be picked when GATEWAY_PORT is 0', () => {
    expect(gatewayPortFor({ gatewayPort: 0 }, 1)).toBeUndefined();
    expect(gatewayPortFor({ gatewayPort: 6443 }, 2)).toBe(6445);
  });
});

describe('restarts', () => {
  it('back off from 200 ms, doubling to at most 5 s', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map(restartDelayMs)).toEqual([200, 400, 800, 1600, 3200, 5000, 5000]);
  });

  it('say delays in seconds when whole', () => {
    expect(formatDelay(10_000)).toBe('10 s');
    expect(formatDelay(200)).toBe('200 ms');
  });
});
