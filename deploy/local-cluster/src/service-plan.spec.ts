import { readLauncherConfig } from './launcher-config';
import { controlPlaneEnv, controlPlaneServices, hostNames, hostServiceEnv, serviceEntry } from './service-plan';

const config = readLauncherConfig({ NATS_PREFIX: 'p1', GATEWAY_PORT: '7443' }, '/repo');

describe('the service plan', () => {
  it('starts policy before the gateway and the controllers', () => {
    expect(controlPlaneServices).toEqual(['policy', 'api-gateway', 'scheduler', 'vm-operator', 'cluster-api']);
  });

  it('names hosts host-1 to host-N', () => {
    expect(hostNames(3)).toEqual(['host-1', 'host-2', 'host-3']);
  });

  it('runs each service from its built dist/main.js unless a test script replaces them all', () => {
    expect(serviceEntry(config, 'scheduler')).toBe('/repo/services/scheduler/dist/main.js');
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
});
