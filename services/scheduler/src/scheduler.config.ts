import { BaseConfig, configSchema as baseSchema } from '@openpacific/service-kit';

export type SchedulerConfig = BaseConfig;

export const configSchema = baseSchema();
