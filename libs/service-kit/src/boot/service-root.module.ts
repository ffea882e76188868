import { DynamicModule, Module, Type } from '@nestjs/common';
import { SERVICE_CONTEXT, ServiceContext } from './service-context';

@Module({})
class ServiceRootModule {}

/**
 * The root of every service's Nest app: makes the context injectable
 * everywhere (global) and imports the service's own module.
 */
export function serviceRootModule(ctx: ServiceContext<any>, serviceModule: DynamicModule | Type): DynamicModule {
  return {
    module: ServiceRootModule,
    global: true,
    providers: [{ provide: SERVICE_CONTEXT, useValue: ctx }],
    exports: [SERVICE_CONTEXT],
    imports: [serviceModule],
  };
}
