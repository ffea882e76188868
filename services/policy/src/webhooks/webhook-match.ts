import type { AdmissionRequest } from '@openpacific/contracts';
import { compileAdmissionExpression, isEvaluationError, toCel } from '@openpacific/kube-api';
import type { AdmissionProgram } from '@openpacific/kube-api';

export { namespaceSelectorMatches, objectSelectorMatches, rulesMatch } from '../admission/request-match';

/**
 * Which webhooks a request goes to, as kube-apiserver's webhook dispatcher decides: the rules (operation, group,
 * version, resource and subresource, scope), the namespaceSelector (against the namespace's labels, or a Namespace's
 * own), the objectSelector (the new or the old object's labels) and last the matchConditions (CEL).
 */

/** The kinds no webhook is called for, so that a broken webhook can always be removed (kube's exemption). */
const EXEMPT_RESOURCES = new Set(['mutatingwebhookconfigurations', 'validatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings']);

export function isExempt(request: AdmissionRequest): boolean {
  return request.resource.group === 'admissionregistration.k8s.io' && EXEMPT_RESOURCES.has(request.resource.resource);
}

const programs = new Map<string, ReturnType<typeof compileAdmissionExpression>>();

function programOf(expression: string): ReturnType<typeof compileAdmissionExpression> {
  let compiled = programs.get(expression);
  if (!compiled) {
    compiled = compileAdmissionExpression(expression);
    // A cache of every expression ever seen would grow with each edit of a configuration: keep the recent ones.
    if (programs.size >= 512) programs.delete(programs.keys().next().value as string);
    programs.set(expression, compiled);
  }
  return compiled;
}

/** What matchConditions decided: all true (call), one false (skip), or one failed to evaluate (the error). */
export type ConditionsResult = { matched: true } | { matched: false } | { error: string };

/**
 * The matchConditions, evaluated on `object`, `oldObject` (null when absent) and `request` (the AdmissionReview's
 * request): a false one skips the webhook, as kube-apiserver stops at the first false; an error (or a result that is
 * no boolean) is reported when no condition is false.
 */
export function evaluateConditions(conditions: any[] | undefined, reviewRequest: any): ConditionsResult {
  if (!conditions || conditions.length === 0) return { matched: true };
  const vars = { object: toCel(undefined, reviewRequest.object), oldObject: toCel(undefined, reviewRequest.oldObject), request: toCel(undefined, reviewRequest) };
  let error: string | undefined;
  for (const c of conditions) {
    const compiled = programOf(String(c?.expression ?? ''));
    if ('detail' in compiled) {
      error ??= `matchCondition "${c?.name}": ${compiled.detail}`;
      continue;
    }
    const result = (compiled.program as AdmissionProgram)(vars);
    if (result === false) return { matched: false };
    if (isEvaluationError(result as any)) error ??= `matchCondition "${c?.name}" failed evaluating: ${(result as any).message}`;
    else if (result !== true) error ??= `matchCondition "${c?.name}" did not evaluate to a boolean`;
  }
  return error ? { error } : { matched: true };
}
