import { isDeepStrictEqual } from 'node:util';
import type { JsonSchema } from '@openpacific/contracts';
import { fieldDuplicate, fieldForbidden, fieldInvalid, fieldRequired } from '../../request/field-errors';
import type { ValidationCause } from '../validate';
import { BrokenRule, CompiledRule, CompiledRules, compiledRulesOf, isEvaluationError } from './cel-compile';
import { celTypeName, sizeOf, toCel } from './cel-values';

/** kube-apiserver's limits: one rule's cost, and all rules' of one request. */
export const PER_CALL_COST_LIMIT = 1_000_000;
export const REQUEST_COST_BUDGET = 10_000_000;
const OUT_OF_BUDGET = 'validation failed due to running out of cost budget, no further validation rules will be run';

interface Walk {
  rules: CompiledRules;
  causes: ValidationCause[];
  budget: number;
}

/**
 * Evaluates a custom resource's `x-kubernetes-validations` (the object already pruned and defaulted) as
 * kube-apiserver does: `self` at each node with rules, `oldSelf` the same node of the stored object on an update.
 * A rule's cost is estimated before it runs (its value's size to the power of its comprehensions' nesting), so an
 * expensive rule is refused instead of run.
 */
export function validateRules(schema: JsonSchema, obj: any, old: any | undefined, budget = REQUEST_COST_BUDGET): ValidationCause[] {
  const rules = compiledRulesOf(schema);
  if (rules.size === 0) return [];
  const walk: Walk = { rules, causes: [], budget };
  visit(walk, schema, rootView(obj), old === undefined ? undefined : rootView(old), '');
  // kube-apiserver names the root by its nil field path.
  return walk.causes.map((c) => (c.field === '' ? { ...c, field: '<nil>' } : c));
}

/** At the root a rule sees apiVersion, kind and of the metadata only name and generateName. */
function rootView(obj: any): any {
  if (typeof obj !== 'object' || obj === null) return obj;
  const { name, generateName } = obj.metadata ?? {};
  return { ...obj, metadata: { ...(name !== undefined ? { name } : {}), ...(generateName !== undefined ? { generateName } : {}) } };
}

function visit(walk: Walk, schema: JsonSchema | undefined, value: any, old: any, path: string): void {
  if (!schema || value === undefined || value === null || walk.budget < 0) return;
  const rules = walk.rules.get(schema);
  if (rules) evaluate(walk, rules, schema, value, old, path);
  if (Array.isArray(value)) {
    // Items of an atomic list have no old value to compare with.
    value.forEach((item, i) => visit(walk, schema.items, item, undefined, `${path}[${i}]`));
  } else if (typeof value === 'object') {
    const props: Record<string, JsonSchema> = schema.properties ?? {};
    const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    for (const [k, v] of Object.entries(value)) {
      const child = Object.hasOwn(props, k) ? props[k] : additional;
      const oldChild = typeof old === 'object' && old !== null && !Array.isArray(old) ? old[k] : undefined;
      visit(walk, child, v, oldChild, path ? `${path}.${k}` : k);
    }
  }
}

function evaluate(walk: Walk, rules: (CompiledRule | BrokenRule)[], schema: JsonSchema, value: any, old: any, path: string): void {
  const type = celTypeName(schema, value);
  if (walk.budget <= 0) return outOfBudget(walk, path, type);
  const self = toCel(schema, value);
  const oldSelf = old === undefined ? undefined : toCel(schema, old);
  const size = sizeOf(value) + (old === undefined ? 0 : sizeOf(old));
  // Ratcheting (kube-apiserver's CRDValidationRatcheting, on by default since 1.30): an update may keep a value that
  // breaks a rule as long as it does not change it.
  const unchanged = old !== undefined && isDeepStrictEqual(value, old);
  for (const rule of rules) {
    if ('error' in rule) {
      walk.causes.push(fieldInvalid(path, type, `rule compile error: ${rule.error}`));
      continue;
    }
    if (rule.transition && oldSelf === undefined && !rule.source.optionalOldSelf) continue;
    if (unchanged && !rule.transition) continue;
    const cost = Math.pow(size, rule.depth) + 1;
    if (cost > PER_CALL_COST_LIMIT) {
      walk.causes.push(fieldInvalid(path, type, `call cost exceeds limit for rule: ${ruleErrorString(rule)}`));
      continue;
    }
    walk.budget -= cost;
    if (walk.budget < 0) return outOfBudget(walk, path, type);
    // With optionalOldSelf a create sees oldSelf as an empty optional; without CEL optionals here, as null.
    const vars = { self, oldSelf: oldSelf === undefined ? null : oldSelf };
    const result = rule.program(vars);
    if (isEvaluationError(result)) walk.causes.push(fieldInvalid(path, type, `${evalError(result.message)} evaluating rule: ${ruleErrorString(rule)}`));
    else if (result !== true) walk.causes.push(failure(rule, vars, path, type));
  }
}

function outOfBudget(walk: Walk, path: string, type: string): void {
  walk.causes.push(fieldInvalid(path, type, OUT_OF_BUDGET));
  walk.budget = -1;
}

function failure(rule: CompiledRule, vars: { self: unknown; oldSelf: unknown }, path: string, type: string): ValidationCause {
  const at = rule.source.fieldPath ? joinFieldPath(path, rule.source.fieldPath) : path;
  let message = rule.source.message?.trim() || `failed rule: ${rule.source.rule.trim()}`;
  if (rule.messageProgram) {
    const dynamic = rule.messageProgram(vars);
    // A messageExpression that fails or says nothing falls back to the message, as in kube-apiserver.
    if (typeof dynamic === 'string' && dynamic.trim() !== '' && !/[\r\n]/.test(dynamic)) message = dynamic.trim();
  }
  switch (rule.source.reason) {
    case 'FieldValueForbidden':
      return fieldForbidden(at, message);
    case 'FieldValueRequired':
      return fieldRequired(at, message);
    case 'FieldValueDuplicate':
      return fieldDuplicate(at, type);
    default:
      return fieldInvalid(at, type, message);
  }
}

/** A rule's fieldPath (`.spec.x`, `.items['a.b']`) below the node's path. */
function joinFieldPath(path: string, fieldPath: string): string {
  const rest = fieldPath.replace(/\['([^']*)'\]/g, '.$1').replace(/^\./, '');
  return path ? `${path}.${rest}` : rest;
}

/** cel-go's wording where it differs. */
export function evalError(message: string): string {
  return message.replace(/^field not found: /, 'no such key: ');
}

function ruleErrorString(rule: CompiledRule): string {
  return rule.source.message?.trim() || rule.source.rule.trim();
}
