import { Module } from '@nestjs/common';
import { SchedulerLifecycle } from './scheduler.lifecycle';

/** Places pods and VMs on hosts. Boot only for now: controllers come with the scheduling issue. */
@Module({ providers: [SchedulerLifecycle] })
export class SchedulerModule {}
