import { BaseConfig, configSchema as baseSchema } from '@openpacific/service-kit';

export interface CrxRuntimeConfig extends BaseConfig {
  /** The host whose containers this runtime runs (a DNS-1123 subdomain, like its Node name). */
  HOST_NAME: string;
  /** `process` runs real process trees; `sim` runs nothing and is for scale tests. */
  CRX_DRIVER: 'process' | 'sim';
}

export const configSchema = baseSchema(
  {
    HOST_NAME: { type: 'string', format: 'dns1123-subdomain' },
    CRX_DRIVER: { type: 'string', enum: ['process', 'sim'], default: 'process' },
  },
  ['HOST_NAME'],
);
