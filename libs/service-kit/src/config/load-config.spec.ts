import { hostname } from 'node:os';
import { CodedError } from '@openpacific/contracts';
import { BaseConfig, configSchema } from './base-config';
import { loadConfig } from './load-config';

interface WithHost extends BaseConfig {
  HOST_NAME: string;
  VERBOSE: boolean;
}
const schema = configSchema(
  { HOST_NAME: { type: 'string', format: 'dns1123-subdomain' }, VERBOSE: { type: 'boolean', default: false } },
  ['HOST_NAME'],
);

function configError(env: Record<string, string>): CodedError {
  try {
    loadConfig(schema, env);
  } catch (err) {
    return err as CodedError;
  }
  throw new Error('expected a configuration error');
}

describe('loadConfig', () => {
  it('applies the documented defaults when the environment is empty of them', () => {
    const config = loadConfig<WithHost>(schema, { HOST_NAME: 'host-1' });
    expect(config).toEqual({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/openpacific',
      DATABASE_POOL_SIZE: 10,
      NATS_URL: 'nats://127.0.0.1:4222',
      NATS_PREFIX: 'op',
      LOG_LEVEL: 'info',
      HEALTH_PORT: 0,
      INSTANCE_ID: `${hostname()}-${process.pid}`,
      SECRETS_ENCRYPTION_KEY: '',
      HOST_NAME: 'host-1',
      VERBOSE: false,
    });
  });

  it('coerces integers and booleans and ignores variables the schema does not name', () => {
    const config = loadConfig<WithHost>(schema, { HOST_NAME: 'h', HEALTH_PORT: '8081', VERBOSE: 'true', OTHER: 'x' });
    expect(config.HEALTH_PORT).toBe(8081);
    expect(config.VERBOSE).toBe(true);
    expect(config).not.toHaveProperty('OTHER');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig<WithHost>(schema, { HOST_NAME: 'h', LOG_LEVEL: '' }).LOG_LEVEL).toBe('info');
  });

  it('names the variable whose value is not a URI', () => {
    expect(() => loadConfig(schema, { HOST_NAME: 'h', NATS_URL: 'nats://a:4222,nats://b:4222' })).not.toThrow();
    expect(configError({ HOST_NAME: 'h', NATS_URL: 'nats://a:4222,http://b' }).message).toBe('invalid configuration: NATS_URL must match format "nats-urls"');
    const err = configError({ HOST_NAME: 'h', NATS_URL: 'not a url' });
    expect(err.code).toBe('CONFIG.INVALID');
    expect(err.message).toBe('invalid configuration: NATS_URL must match format "nats-urls"');
  });

  it('names a missing required variable', () => {
    expect(configError({}).message).toBe('invalid configuration: HOST_NAME is required');
  });

  it('reports every bad variable at once, listing allowed values for enums', () => {
    const err = configError({ HOST_NAME: 'Not_A_Host', LOG_LEVEL: 'loud', HEALTH_PORT: 'abc', NATS_PREFIX: 'Op-1' });
    expect(err.message).toContain('HOST_NAME must match format "dns1123-subdomain"');
    expect(err.message).toContain('LOG_LEVEL must be one of: debug, info, warn, error');
    expect(err.message).toContain('HEALTH_PORT must be integer');
    expect(err.message).toContain('NATS_PREFIX must match pattern');
  });
});
