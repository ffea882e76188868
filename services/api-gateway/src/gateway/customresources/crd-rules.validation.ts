import { isDeepStrictEqual } from 'node:util';
import { compileSchemaRules, fieldInvalid, fieldNotSupported, fieldRequired, goRendered, StatusCause, ValidationRule } from '@openpacific/kube-api';

const REASONS = ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'];

/**
 * The `x-kubernetes-validations` of a CRD's schemas, checked as kube-apiserver does before it accepts the CRD: each
 * rule present, its message on one line, its reason one of four, and every rule and messageExpression compiling.
 * Paths are those of kube-apiserver's internal version: `spec.validation.openAPIV3Schema` when every version has the
 * same schema, `spec.versions[i].schema.openAPIV3Schema` otherwise.
 */
export function validateCrdRules(versions: any[] | undefined): StatusCause[] {
  if (!Array.isArray(versions) || versions.length === 0) return [];
  const schemas = versions.map((v) => v?.schema?.openAPIV3Schema);
  if (schemas.every((s) => isDeepStrictEqual(s, schemas[0]))) return schemaRules(schemas[0], 'spec.validation.openAPIV3Schema');
  return schemas.flatMap((s, i) => schemaRules(s, `spec.versions[${i}].schema.openAPIV3Schema`));
}

function schemaRules(schema: any, root: string): StatusCause[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const causes: StatusCause[] = [];
  forEachRuleList(schema, '', (rules, path) => {
    rules.forEach((rule: any, i) => {
      const at = `${root}${path}.x-kubernetes-validations[${i}]`;
      const text = typeof rule?.rule === 'string' ? rule.rule.trim() : '';
      const message = typeof rule?.message === 'string' ? rule.message : '';
      if (text === '') causes.push(fieldRequired(`${at}.rule`, 'rule is not specified'));
      else if (message !== '' && message.trim() === '') causes.push(fieldInvalid(`${at}.message`, message, 'message must be non-empty if specified'));
      else if (/[\r\n]/.test(message.trim())) causes.push(fieldInvalid(`${at}.message`, message, 'message must not contain line breaks'));
      else if (/[\r\n]/.test(text) && message.trim() === '' && !rule.messageExpression) {
        causes.push(fieldRequired(`${at}.message`, 'message must be specified if rule contains line breaks'));
      }
      if (rule?.reason !== undefined && !REASONS.includes(rule.reason)) {
        causes.push(fieldNotSupported(`${at}.reason`, rule.reason, REASONS));
      }
    });
  });
  if (causes.length > 0) return causes;
  for (const e of compileSchemaRules(schema).errors) {
    causes.push(fieldInvalid(`${root}${e.path}.x-kubernetes-validations[${e.index}].${e.property}`, goRendered(goValidationRule(e.rule)), e.detail));
  }
  return causes;
}

function forEachRuleList(node: any, path: string, fn: (rules: any[], path: string) => void): void {
  if (typeof node !== 'object' || node === null) return;
  if (Array.isArray(node['x-kubernetes-validations'])) fn(node['x-kubernetes-validations'], path);
  for (const [name, child] of Object.entries(node.properties ?? {})) forEachRuleList(child, `${path}.properties[${name}]`, fn);
  if (typeof node.additionalProperties === 'object') forEachRuleList(node.additionalProperties, `${path}.additionalProperties`, fn);
  if (node.items !== undefined) forEachRuleList(node.items, `${path}.items`, fn);
}

/** The rule as Go's `%#v` prints kube-apiserver's internal ValidationRule in its error. */
function goValidationRule(rule: ValidationRule): string {
  const str = (s: unknown) => JSON.stringify(typeof s === 'string' ? s : '');
  const ptr = (type: string, v: unknown) => (v === undefined || v === null ? `(*${type})(nil)` : `(*${type})(${JSON.stringify(v)})`);
  return `apiextensions.ValidationRule{Rule:${str(rule.rule)}, Message:${str(rule.message)}, MessageExpression:${str(rule.messageExpression)}, `
    + `Reason:${ptr('apiextensions.FieldValueErrorReason', rule.reason)}, FieldPath:${str(rule.fieldPath)}, OptionalOldSelf:${ptr('bool', rule.optionalOldSelf)}}`;
}
