import { runService } from '@openpacific/service-kit';
import { configSchema, ClusterApiConfig } from './cluster-api.config';
import { ClusterApiModule } from './cluster-api.module';

void runService<ClusterApiConfig>({
  name: 'cluster-api',
  configSchema,
  module: () => ClusterApiModule,
});
