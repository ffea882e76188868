import { BaseConfig, configSchema as baseSchema } from '@openpacific/service-kit';

export type ClusterApiConfig = BaseConfig;

export const configSchema = baseSchema();
