import { tmpdir } from 'node:os';
import { BaseConfig, configSchema as baseSchema } from '@openpacific/service-kit';

export interface CrxRuntimeConfig extends BaseConfig {
  /** The host whose containers this runtime runs (a DNS-1123 subdomain, like its Node name). */
  HOST_NAME: string;
  /** `process` runs real process trees; `sim` runs nothing (scale tests). */
  CRX_DRIVER: 'process' | 'sim';
  /** sim driver: how long a container takes to start, and the share of starts that fail. */
  CRX_SIM_START_DELAY_MS: number;
  CRX_SIM_FAILURE_RATE: number;
  /** Where sandboxes, logs and the runtime's state live; empty = <tmpdir>/openpacific-crx/<host>. */
  CRX_ROOT: string;
}

export const configSchema = baseSchema(
  {
    HOST_NAME: { type: 'string', format: 'dns1123-subdomain' },
    CRX_DRIVER: { type: 'string', enum: ['process', 'sim'], default: 'process' },
    CRX_ROOT: { type: 'string', default: '' },
    CRX_SIM_START_DELAY_MS: { type: 'integer', minimum: 0, maximum: 600000, default: 0 },
    CRX_SIM_FAILURE_RATE: { type: 'number', minimum: 0, maximum: 1, default: 0 },
  },
  ['HOST_NAME'],
);

export function crxRoot(config: CrxRuntimeConfig): string {
  return config.CRX_ROOT || `${tmpdir()}/openpacific-crx/${config.HOST_NAME}`;
}
