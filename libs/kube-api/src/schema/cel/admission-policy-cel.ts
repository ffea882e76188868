import { CelProgram, Returns, compileCelExpression } from './cel-compile';

/** Where in a ValidatingAdmissionPolicy an expression is: what it may read depends on it. */
export type PolicyExpressionPlace = 'validation' | 'matchCondition';

/**
 * The variables a ValidatingAdmissionPolicy's expressions read, as kube-apiserver declares them: the request's
 * object and old object, the request itself, its namespace, `params` only when the policy has a paramKind, and
 * (but in match conditions) the policy's `variables`. kube-apiserver's `authorizer` is not provided.
 */
export function policyVariables(place: PolicyExpressionPlace, hasParams: boolean): ReadonlySet<string> {
  const names = ['object', 'oldObject', 'request', 'namespaceObject'];
  if (hasParams) names.push('params');
  if (place === 'validation') names.push('variables');
  return new Set(names);
}

/**
 * Compiles one expression of a policy; a failure carries kube-apiserver's "compilation failed: ..." detail, or, given
 * what the expression's place must produce, its "must evaluate to ..." (checked where the policy is written).
 */
export function compilePolicyExpression(text: string, place: PolicyExpressionPlace, hasParams: boolean, returns?: Returns): { program: CelProgram } | { detail: string } {
  return compileCelExpression(text, policyVariables(place, hasParams), returns);
}
