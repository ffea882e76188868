import { podDisruptionBudgetResource } from './poddisruptionbudget.resource';

export * from './poddisruptionbudget.resource';

/** policy/v1: PodDisruptionBudget (status by the disruption controller in the scheduler; evictions in the gateway). */
export const policyResources = [podDisruptionBudgetResource];
