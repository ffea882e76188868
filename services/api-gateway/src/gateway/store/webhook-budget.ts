import { MUTATING_WEBHOOK_CONFIGURATIONS_RESOURCE, VALIDATING_WEBHOOK_CONFIGURATIONS_RESOURCE } from '@openpacific/contracts';
import type { ReadModel } from '@openpacific/objects';

/** kube-apiserver's default request deadline (`--request-timeout` 1m): no admission takes longer. */
const MAX_BUDGET_MS = 60_000;
/** The v1 default of a webhook's `timeoutSeconds`. */
const DEFAULT_TIMEOUT_S = 10;

const timeoutMsOf = (hook: any) => (Number.isInteger(hook?.timeoutSeconds) ? hook.timeoutSeconds : DEFAULT_TIMEOUT_S) * 1000;

/**
 * How much longer than its own deadline (`ADMISSION_TIMEOUT_MS`) the gateway waits for the policy service while
 * admission webhooks are registered: the mutating ones are called one after another (an `IfNeeded` one perhaps
 * twice), the validating ones at once, each within its `timeoutSeconds`. None registered: nothing, so a policy
 * service that is down is still a 503 within the short deadline.
 */
export function webhookTimeBudgetMs(readModel: ReadModel): number {
  let mutating = 0;
  for (const { object } of readModel.list(MUTATING_WEBHOOK_CONFIGURATIONS_RESOURCE)) {
    for (const hook of object.webhooks ?? []) mutating += timeoutMsOf(hook) * (hook?.reinvocationPolicy === 'IfNeeded' ? 2 : 1);
  }
  let validating = 0;
  for (const { object } of readModel.list(VALIDATING_WEBHOOK_CONFIGURATIONS_RESOURCE)) {
    for (const hook of object.webhooks ?? []) validating = Math.max(validating, timeoutMsOf(hook));
  }
  return Math.min(mutating + validating, MAX_BUDGET_MS);
}
