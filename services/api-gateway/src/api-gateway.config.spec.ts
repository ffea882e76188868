import { isAbsolute, join } from 'node:path';
import { loadConfig } from '@openpacific/service-kit';
import { GatewayConfig, gatewayConfigSchema, prepareGatewayConfig, tlsSans } from './api-gateway.config';

const load = (env: Record<string, string>) => prepareGatewayConfig(loadConfig<GatewayConfig>(gatewayConfigSchema, env), '/srv/op');

describe('gateway configuration', () => {
  it('defaults to port 6443 on loopback with the public URL derived from the port', () => {
    const config = load({});
    expect(config).toMatchObject({
      GATEWAY_PORT: 6443,
      GATEWAY_BIND: '127.0.0.1',
      GATEWAY_PUBLIC_URL: 'https://127.0.0.1:6443',
      DATA_DIR: '/srv/op/.data',
      ADMISSION_TIMEOUT_MS: 2000,
      WATCH_CACHE_SIZE: 10000,
    });
    expect(tlsSans(config)).toEqual(['localhost', '127.0.0.1', 'api-gateway']);
  });

  it('resolves DATA_DIR to an absolute path and keeps an explicit public URL', () => {
    const config = load({ DATA_DIR: 'state', GATEWAY_PUBLIC_URL: 'https://api.example.com:443', GATEWAY_PORT: '7443' });
    expect(isAbsolute(config.DATA_DIR)).toBe(true);
    expect(config.DATA_DIR).toBe(join('/srv/op', 'state'));
    expect(config.GATEWAY_PUBLIC_URL).toBe('https://api.example.com:443');
    expect(config.GATEWAY_PORT).toBe(7443);
  });

  it('leaves the public URL to the gateway when the port is chosen by the OS', () => {
    expect(load({ GATEWAY_PORT: '0' }).GATEWAY_PUBLIC_URL).toBeUndefined();
  });

  it('splits TLS_SANS on commas, ignoring spaces', () => {
    expect(tlsSans(load({ TLS_SANS: 'a.example, 10.0.0.1 ,b' }))).toEqual(['a.example', '10.0.0.1', 'b']);
  });

  it('skips asking the policy service about writes nothing of it applies to unless told not to', () => {
    expect(load({}).ADMISSION_SKIP_WHEN_NOTHING_APPLIES).toBe(true);
    expect(load({ ADMISSION_SKIP_WHEN_NOTHING_APPLIES: 'false' }).ADMISSION_SKIP_WHEN_NOTHING_APPLIES).toBe(false);
    expect(() => load({ ADMISSION_SKIP_WHEN_NOTHING_APPLIES: 'maybe' })).toThrow(/ADMISSION_SKIP_WHEN_NOTHING_APPLIES/);
  });

  it('compiles every schema validator ahead of use unless told not to (a guest cluster\'s gateway)', () => {
    expect(load({}).GATEWAY_PRECOMPILE_SCHEMAS).toBe(true);
    expect(load({ GATEWAY_PRECOMPILE_SCHEMAS: 'false' }).GATEWAY_PRECOMPILE_SCHEMAS).toBe(false);
    expect(() => load({ GATEWAY_PRECOMPILE_SCHEMAS: 'sometimes' })).toThrow(/GATEWAY_PRECOMPILE_SCHEMAS/);
  });

  it('refuses a plain-HTTP public URL, naming the variable', () => {
    expect(() => load({ GATEWAY_PUBLIC_URL: 'http://x:1' })).toThrow(/GATEWAY_PUBLIC_URL must match pattern/);
  });

  it('takes the service range from SERVICE_CIDR, loopback by default, and refuses one that is not a /16', () => {
    expect(load({}).SERVICE_CIDR).toBe('127.202.0.0/16');
    expect(load({ SERVICE_CIDR: '10.97.0.0/16' }).SERVICE_CIDR).toBe('10.97.0.0/16');
    expect(() => load({ SERVICE_CIDR: '10.97.0.0/24' })).toThrow(/SERVICE_CIDR must match pattern/);
    expect(() => load({ SERVICE_CIDR: '10.397.0.0/16' })).toThrow(/SERVICE_CIDR must be an IPv4 network with prefix \/16/);
  });
});
