import { jobResource } from './job.resource';

export * from './job.resource';

/** batch/v1: Job (its controller runs in the scheduler service, services/scheduler/src/workloads). */
export const batchResources = [jobResource];
