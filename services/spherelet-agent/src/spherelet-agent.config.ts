import { BaseConfig, configSchema as baseSchema } from '@openpacific/service-kit';

export interface SphereletAgentConfig extends BaseConfig {
  /** The host this agent speaks for; it becomes a Node name, hence a DNS-1123 subdomain. */
  HOST_NAME: string;
}

export const configSchema = baseSchema({ HOST_NAME: { type: 'string', format: 'dns1123-subdomain' } }, ['HOST_NAME']);
