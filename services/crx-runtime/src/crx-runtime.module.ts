import { Module } from '@nestjs/common';
import { CrxRuntimeLifecycle } from './crx-runtime.lifecycle';

/** One per host beside its spherelet: runs pod containers. Boot only for now. */
@Module({ providers: [CrxRuntimeLifecycle] })
export class CrxRuntimeModule {}
