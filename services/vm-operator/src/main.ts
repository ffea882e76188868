import { runService } from '@openpacific/service-kit';
import { configSchema, prepareVmOperatorConfig, VmOperatorConfig } from './vm-operator.config';
import { VmOperatorModule } from './vm-operator.module';

void runService<VmOperatorConfig>({
  name: 'vm-operator',
  configSchema,
  prepareConfig: prepareVmOperatorConfig,
  module: () => VmOperatorModule,
});
