import { cronJobResource } from './cronjob.resource';
import { jobResource } from './job.resource';

export * from './job.resource';
export * from './cronjob.resource';
export * from './job-indexes';

/** batch/v1: Job and CronJob (their controllers run in the scheduler service, services/scheduler/src/workloads). */
export const batchResources = [jobResource, cronJobResource];
