import { BaseConfig, configSchema as baseSchema } from '@openpacific/service-kit';

export type VmOperatorConfig = BaseConfig;

export const configSchema = baseSchema();
