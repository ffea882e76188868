import { fieldInvalid, fieldRequired, goQuote, StatusCause } from '@openpacific/kube-api';
import { rawValue, unknownFieldPaths, variableSchemaCauses } from './variable-schema.validation';

/**
 * Variable values against the ClusterClass's definitions, as Cluster API's internal/topology/variables does for
 * `spec.topology.variables` and for each part's `variables.overrides`, each value named by its variable
 * (`spec.topology.variables[vmClass]`):
 * - a name set twice is refused first, alone (`variable "vmClass" is set more than once`);
 * - a required variable must be set, among the Cluster's own variables only (overrides are never required);
 * - a value whose variable the class does not define is refused (`variable is not defined`);
 * - a value must match its schema (variable-schema.validation.ts), then declare no field the schema does not
 *   (`failed validation: "x" field(s) are not specified in the variable schema of variable "y"`).
 */

export interface VariableDefinition {
  name: string;
  required?: boolean;
  schema?: { openAPIV3Schema?: Record<string, any> };
}

export interface VariableValue {
  name: string;
  value?: unknown;
}

export function variableCauses(values: VariableValue[] | undefined, definitions: VariableDefinition[], at: string, opts: { required: boolean }): StatusCause[] {
  const list = (values ?? []).filter((v) => v && typeof v === 'object');
  const seen = new Set<string>();
  const twice: StatusCause[] = [];
  for (const v of list) {
    if (seen.has(v.name)) twice.push(fieldInvalid(`${at}[${v.name}]`, rawValue(v.value), `variable ${goQuote(v.name)} is set more than once`));
    seen.add(v.name);
  }
  if (twice.length) return twice;

  const causes: StatusCause[] = [];
  if (opts.required) {
    // In the words of the CAPI releases that still had definitionFrom (newer ones: `required variable "x" must be set`).
    for (const d of definitions) if (d.required && !seen.has(d.name)) causes.push(fieldRequired(at, `required variable with name "${d.name}" must be defined`));
  }
  const byName = new Map(definitions.map((d) => [d.name, d]));
  for (const v of list) {
    const key = `${at}[${v.name}]`;
    const definition = byName.get(v.name);
    if (!definition) causes.push(fieldInvalid(key, rawValue(v.value), 'variable is not defined'));
    else causes.push(...valueCauses(v, definition, key));
  }
  return causes;
}

function valueCauses(v: VariableValue, definition: VariableDefinition, key: string): StatusCause[] {
  const schema = definition.schema?.openAPIV3Schema;
  const invalid = variableSchemaCauses(schema, v.value, `${key}.value`);
  if (invalid.length) return invalid;
  const unknown = unknownFieldPaths(schema, v.value).sort();
  if (!unknown.length) return [];
  return [fieldInvalid(key, rawValue(v.value), `failed validation: ${goQuote(unknown.join(','))} field(s) are not specified in the variable schema of variable ${goQuote(v.name)}`)];
}
