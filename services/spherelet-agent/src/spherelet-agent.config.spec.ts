import { loadConfig } from '@openpacific/service-kit';
import { configSchema, SphereletAgentConfig } from './spherelet-agent.config';

describe('spherelet-agent configuration', () => {
  it('requires HOST_NAME and names it when missing', () => {
    expect(() => loadConfig(configSchema, {})).toThrow('invalid configuration: HOST_NAME is required');
  });

  it('accepts a DNS-1123 subdomain and refuses anything else', () => {
    expect(loadConfig<SphereletAgentConfig>(configSchema, { HOST_NAME: 'esx-01.lab' }).HOST_NAME).toBe('esx-01.lab');
    expect(() => loadConfig(configSchema, { HOST_NAME: 'ESX_01' })).toThrow(/HOST_NAME must match format/);
  });

  it('samples usage every 10 s unless METRICS_INTERVAL_MS says otherwise, and refuses an interval under half a second', () => {
    expect(loadConfig<SphereletAgentConfig>(configSchema, { HOST_NAME: 'h' }).METRICS_INTERVAL_MS).toBe(10000);
    expect(loadConfig<SphereletAgentConfig>(configSchema, { HOST_NAME: 'h', METRICS_INTERVAL_MS: '1000' }).METRICS_INTERVAL_MS).toBe(1000);
    expect(() => loadConfig(configSchema, { HOST_NAME: 'h', METRICS_INTERVAL_MS: '10' })).toThrow(/METRICS_INTERVAL_MS/);
  });
});
