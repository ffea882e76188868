import { loadConfig } from '@openpacific/service-kit';
import { configSchema, CrxRuntimeConfig } from './crx-runtime.config';

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
});
