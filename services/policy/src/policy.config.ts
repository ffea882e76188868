import { BaseConfig, configSchema as baseSchema } from '@openpacific/service-kit';

export type PolicyConfig = BaseConfig;

export const configSchema = baseSchema();
