import { runService } from '@openpacific/service-kit';
import { configSchema, VmOperatorConfig } from './vm-operator.config';
import { VmOperatorModule } from './vm-operator.module';

void runService<VmOperatorConfig>({
  name: 'vm-operator',
  configSchema,
  module: () => VmOperatorModule,
});
