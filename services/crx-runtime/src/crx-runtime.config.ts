import { tmpdir } from 'node:os';
import { BaseConfig, configSchema as baseSchema } from '@openpacific/service-kit';

export interface CrxRuntimeConfig extends BaseConfig {
  /** The host whose containers this runtime runs (a DNS-1123 subdomain, like its Node name). */
  HOST_NAME: string;
  /** `process` runs real process trees; `sim` (scale tests) is not built yet. */
  CRX_DRIVER: 'process' | 'sim';
  /** Where sandboxes, logs and the runtime's state live; empty = <tmpdir>/openpacific-crx/<host>. */
  CRX_ROOT: string;
}

export const configSchema = baseSchema(
  {
    HOST_NAME: { type: 'string', format: 'dns1123-subdomain' },
    CRX_DRIVER: { type: 'string', enum: ['process', 'sim'], default: 'process' },
    CRX_ROOT: { type: 'string', default: '' },
  },
  ['HOST_NAME'],
);

export function crxRoot(config: CrxRuntimeConfig): string {
  return config.CRX_ROOT || `${tmpdir()}/openpacific-crx/${config.HOST_NAME}`;
}
