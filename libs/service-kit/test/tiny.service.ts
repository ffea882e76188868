// A minimal service booted through runService by run-service.int-spec.ts.
import { existsSync } from 'node:fs';
import { Inject, Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { configSchema, runService, SERVICE_CONTEXT, ServiceContext } from '../src';

@Injectable()
class TinyLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext) {}

  onApplicationBootstrap(): void {
    // The test flips this file's existence to make a registered check fail.
    const failFile = process.env.TINY_FAIL_FILE;
    this.ctx.health.addCheck('tiny-dependency', async () => {
      if (failFile && existsSync(failFile)) throw new Error('dependency down');
    });
    this.ctx.logger.info('ready');
  }

  onApplicationShutdown(signal?: string): void {
    this.ctx.logger.info('tiny shutdown hook ran', { signal });
  }
}

@Module({ providers: [TinyLifecycle] })
class TinyModule {}

void runService({ name: 'tiny', configSchema: configSchema(), module: () => TinyModule });
