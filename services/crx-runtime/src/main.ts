import { runService } from '@openpacific/service-kit';
import { configSchema, CrxRuntimeConfig } from './crx-runtime.config';
import { CrxRuntimeModule } from './crx-runtime.module';

void runService<CrxRuntimeConfig>({
  name: 'crx-runtime',
  configSchema,
  module: () => CrxRuntimeModule,
});
