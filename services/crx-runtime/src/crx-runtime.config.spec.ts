import { loadConfig } from '@openpacific/service-kit';
import { configSchema, CrxRuntimeConfig, podAddress, podAddressing } from './crx-runtime.config';
import { SimDriver } from './runtime/sim-driver';

describe('crx-runtime configuration', () => {
  it('requires HOST_NAME and names it when missing', () => {
    expect(() => loadConfig(configSchema, { CRX_DRIVER: 'sim' })).toThrow('invalid configuration: HOST_NAME is required');
  });

  it('runs real processes unless told to simulate', () => {
    expect(loadConfig<CrxRuntimeConfig>(configSchema, { HOST_NAME: 'h1' }).CRX_DRIVER).toBe('process');
    expect(loadConfig<CrxRuntimeConfig>(configSchema, { HOST_NAME: 'h1', CRX_DRIVER: 'sim' }).CRX_DRIVER).toBe('sim');
    expect(() => loadConfig(configSchema, { HOST_NAME: 'h1', CRX_DRIVER: 'vm' })).toThrow(
      'CRX_DRIVER must be one of: process, sim',
    );
  });

  it('takes an optional pod subnet: a /24 in 127.0.0.0/8, or nothing', () => {
    expect(loadConfig<CrxRuntimeConfig>(configSchema, { HOST_NAME: 'h1' }).CRX_POD_SUBNET).toBe('');
    expect(loadConfig<CrxRuntimeConfig>(configSchema, { HOST_NAME: 'h1', CRX_POD_SUBNET: '' }).CRX_POD_SUBNET).toBe('');
    expect(loadConfig<CrxRuntimeConfig>(configSchema, { HOST_NAME: 'h1', CRX_POD_SUBNET: '127.16.3.0/24' }).CRX_POD_SUBNET).toBe('127.16.3.0/24');
    for (const bad of ['10.0.0.0/24', '127.16.3.0/16', '127.16.3.1/24', '127.256.3.0/24', '127.16.3.0', '127.160.03.0/24 ', 'x']) {
      expect(() => loadConfig(configSchema, { HOST_NAME: 'h1', CRX_POD_SUBNET: bad })).toThrow('CRX_POD_SUBNET must match pattern');
    }
  });

  it('takes the cluster pod network and how to use it, a namespace per pod where possible by default', () => {
    const config = loadConfig<CrxRuntimeConfig>(configSchema, { HOST_NAME: 'h1' });
    expect([config.POD_CIDR, config.CRX_POD_NETWORK]).toEqual(['', 'auto']);
    expect(loadConfig<CrxRuntimeConfig>(configSchema, { HOST_NAME: 'h1', POD_CIDR: '10.65.0.0/16', CRX_POD_NETWORK: 'netns' }).CRX_POD_NETWORK).toBe('netns');
    expect(() => loadConfig(configSchema, { HOST_NAME: 'h1', CRX_POD_NETWORK: 'bridge' })).toThrow('CRX_POD_NETWORK must be one of: auto, netns, loopback');
  });

  it('addresses pods from the host index, or from the pod subnet cycling through .2 to .251', () => {
    expect(podAddress(3, 0)).toBe('127.103.0.2');
    expect(podAddress(podAddressing({ HOST_NAME: 'host-3', CRX_POD_SUBNET: '' }), 250)).toBe('127.103.1.2');
    const subnet = podAddressing({ HOST_NAME: 'tkc-1-workers-abcde', CRX_POD_SUBNET: '127.16.3.0/24' });
    expect([0, 1, 249, 250, 251].map((n) => podAddress(subnet, n))).toEqual(['127.16.3.2', '127.16.3.3', '127.16.3.251', '127.16.3.2', '127.16.3.3']);
    // Both drivers take their addresses from it (the process driver is proven by its integration test).
    const driver = new SimDriver(subnet, { startDelayMs: 0, failureRate: 0 });
    const sandbox = driver.runPodSandbox({ podName: 'p', podNamespace: 'default', podUid: 'u1' });
    expect(sandbox.ip).toBe('127.16.3.2');
  });
});
