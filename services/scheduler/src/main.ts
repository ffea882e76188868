import { runService } from '@openpacific/service-kit';
import { configSchema, SchedulerConfig } from './scheduler.config';
import { SchedulerModule } from './scheduler.module';

void runService<SchedulerConfig>({
  name: 'scheduler',
  configSchema,
  module: () => SchedulerModule,
});
