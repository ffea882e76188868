import { crdNames, customResourceSchema } from '@openpacific/contracts';
import {
  fieldForbidden as forbidden,
  fieldInvalid as invalidValue,
  fieldNotSupported as unsupported,
  fieldRequired as required,
  parseJsonPath,
  re2CompileError,
  schemaCompileError,
  StatusCause,
  validateDns1123Label,
  validateDns1123Subdomain,
} from '@openpacific/kube-api';
import { validateClientConfig, validateReviewVersions } from '../handlers/webhook.strategy';
import { validateCrdRules } from './crd-rules.validation';
import { validateSelectableFields } from './crd-selectable-fields.validation';

const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const SCHEMA_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
/** What a CRD's schema may not use, as in kube-apiserver (references and identifiers would also tie schemas together). */
const UNSUPPORTED_KEYWORDS = ['$ref', '$schema', '$id', 'id', 'definitions', 'dependencies', 'additionalItems', 'patternProperties'];
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_MESSAGE = `a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`;


/**
 * kube-apiserver's validation of a CustomResourceDefinition (the parts that decide what is served): its name,
 * group, scope, names, versions, schemas and printer columns. `builtinGroup` says whether a group belongs to a
 * built-in kind, which a custom kind may not join.
 */
export function validateCrd(crd: any, builtinGroup: (group: string) => boolean): StatusCause[] {
  const spec = crd.spec ?? {};
  const names = crdNames(crd);
  const causes: StatusCause[] = [];
  const group = spec.group;
  if (!group) causes.push(required('spec.group'));
  else {
    for (const problem of validateDns1123Subdomain(group)) causes.push(invalidValue('spec.group', group, problem));
    if (!group.includes('.')) causes.push(invalidValue('spec.group', group, 'should be a domain with at least one dot'));
    else if (builtinGroup(group)) causes.push(invalidValue('spec.group', group, 'is the group of built-in kinds of this server'));
  }
  if (names.plural && group && crd.metadata?.name !== `${names.plural}.${group}`) {
    causes.push(invalidValue('metadata.name', crd.metadata?.name, 'must be spec.names.plural+"."+spec.group'));
  }
  if (!spec.scope) causes.push(required('spec.scope'));
  else if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') causes.push(unsupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
  causes.push(...validateNames(names));
  causes.push(...validateVersions(spec.versions));
  causes.push(...validateCrdRules(spec.versions));
  causes.push(...validateConversion(spec.conversion));
  if (spec.preserveUnknownFields === true) causes.push(invalidValue('spec.preserveUnknownFields', true, 'must be false in order to use defaults in the schema'));
  return causes;
}

/**
 * `spec.conversion`: None, or Webhook with where the webhook is and the ConversionReview versions it reads. The
 * fields are named as kube-apiserver names them, after its internal type (`webhookClientConfig`,
 * `conversionReviewVersions` directly under `spec.conversion`).
 */
function validateConversion(conversion: any): StatusCause[] {
  if (conversion === undefined) return [];
  const strategy = conversion.strategy;
  const webhook = conversion.webhook;
  if (strategy !== 'None' && strategy !== 'Webhook') return [unsupported('spec.conversion.strategy', strategy ?? '', ['None', 'Webhook'])];
  if (strategy === 'None') {
    const causes: StatusCause[] = [];
    if (webhook?.clientConfig) causes.push(forbidden('spec.conversion.webhookClientConfig', 'should not be set when strategy is not set to Webhook'));
    if (webhook?.conversionReviewVersions?.length) causes.push(forbidden('spec.conversion.conversionReviewVersions', 'should not be set when strategy is not set to Webhook'));
    return causes;
  }
  const causes: StatusCause[] = webhook?.clientConfig
    ? validateClientConfig(webhook.clientConfig, 'spec.conversion.webhookClientConfig')
    : [required('spec.conversion.webhookClientConfig', 'required when strategy is set to Webhook')];
  const versions = webhook?.conversionReviewVersions;
  if (!Array.isArray(versions) || versions.length === 0) causes.push(required('spec.conversion.conversionReviewVersions'));
  else causes.push(...validateReviewVersions(versions, 'spec.conversion.conversionReviewVersions'));
  return causes;
}

function validateNames(names: ReturnType<typeof crdNames>): StatusCause[] {
  const causes: StatusCause[] = [];
  const label = (field: string, value: string) => {
    if (!value) causes.push(required(field));
    else for (const problem of validateDns1123Label(value)) causes.push(invalidValue(field, value, problem));
  };
  label('spec.names.plural', names.plural);
  label('spec.names.singular', names.singular);
  names.shortNames.forEach((s, i) => label(`spec.names.shortNames[${i}]`, s));
  names.categories.forEach((s, i) => label(`spec.names.categories[${i}]`, s));
  const kind = (field: string, value: string) => {
    if (!value) causes.push(required(field));
    else if (!DNS1035.test(value.toLowerCase())) causes.push(invalidValue(field, value, DNS1035_MESSAGE));
  };
  kind('spec.names.kind', names.kind);
  kind('spec.names.listKind', names.listKind);
  if (names.kind && names.kind === names.listKind) causes.push(invalidValue('spec.names.listKind', names.listKind, 'kind and listKind may not be the same'));
  return causes;
}

function validateVersions(versions: any[] | undefined): StatusCause[] {
  if (!Array.isArray(versions) || versions.length === 0) return [required('spec.versions', 'must have exactly one version marked as storage version')];
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    const field = `spec.versions[${i}]`;
    if (!v.name) causes.push(required(`${field}.name`));
    else if (!DNS1035.test(v.name)) causes.push(invalidValue(`${field}.name`, v.name, DNS1035_MESSAGE));
    else if (seen.has(v.name)) causes.push({ field: `${field}.name`, reason: 'FieldValueDuplicate', message: `Duplicate value: ${JSON.stringify(v.name)}` });
    seen.add(v.name);
    causes.push(...validateSchema(v.schema?.openAPIV3Schema, `${field}.schema.openAPIV3Schema`));
    causes.push(...validateColumns(v.additionalPrinterColumns ?? [], `${field}.additionalPrinterColumns`));
    causes.push(...validateScale(v.subresources?.scale, `${field}.subresources.scale`));
    causes.push(...validateSelectableFields(v, `${field}.selectableFields`));
  });
  const storage = versions.filter((v) => v.storage === true).length;
  if (storage !== 1) causes.push(invalidValue('spec.versions', versions.map((v) => v.name), 'must have exactly one version marked as storage version'));
  return causes;
}

function validateSchema(schema: any, field: string): StatusCause[] {
  if (schema === undefined || schema === null) return [required(field, 'schemas are required')];
  if (schema.type === undefined) return [required(`${field}.type`, 'must not be empty at the root')];
  if (schema.type !== 'object') return [invalidValue(`${field}.type`, schema.type, 'must be object at the root')];
  const causes = [...structuralTypes(schema, field), ...invalidPatterns(schema, field)];
  if (causes.length > 0) return causes;
  const compileError = schemaCompileError(customResourceSchema(schema), { keep: false });
  return compileError ? [invalidValue(field, '', `the schema cannot be used: ${compileError}`)] : [];
}

/** A structural schema names a type at every declared field, unless it is an int-or-string or keeps unknown fields. */
function structuralTypes(schema: any, field: string): StatusCause[] {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return [invalidValue(field, schema, 'must be a schema')];
  const causes: StatusCause[] = [];
  for (const key of UNSUPPORTED_KEYWORDS) {
    if (schema[key] !== undefined) causes.push({ field: `${field}.${key}`, reason: 'FieldValueForbidden', message: `Forbidden: ${key} is not supported` });
  }
  if (schema.uniqueItems === true) {
    causes.push({ field: `${field}.uniqueItems`, reason: 'FieldValueForbidden', message: 'Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic' });
  }
  const free = schema['x-kubernetes-int-or-string'] === true || schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (schema.type === undefined && !free) causes.push(required(`${field}.type`, 'must not be empty for specified object fields'));
  else if (schema.type !== undefined && !SCHEMA_TYPES.includes(schema.type)) causes.push(unsupported(`${field}.type`, schema.type, SCHEMA_TYPES));
  for (const [name, child] of Object.entries(schema.properties ?? {})) causes.push(...structuralTypes(child, `${field}.properties[${name}]`));
  if (typeof schema.additionalProperties === 'object') causes.push(...structuralTypes(schema.additionalProperties, `${field}.additionalProperties`));
  if (schema.items !== undefined) causes.push(...structuralTypes(schema.items, `${field}.items`));
  else if (schema.type === 'array') causes.push(required(`${field}.items`, 'must be specified'));
  if (schema.properties && typeof schema.additionalProperties === 'object') {
    causes.push({ field: `${field}.additionalProperties`, reason: 'FieldValueForbidden', message: 'Forbidden: additionalProperties and properties are mutual exclusive' });
  }
  return causes;
}

/**
 * Every `pattern` of the schema, its logic junctors' too, must compile as Go's regexp (RE2), as kube-apiserver checks:
 * `….pattern: Invalid value: "(": must be a valid regular expression, but isn't: error parsing regexp: missing closing ): \`(\``.
 */
function invalidPatterns(schema: any, field: string): StatusCause[] {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return [];
  const causes: StatusCause[] = [];
  if (typeof schema.pattern === 'string' && schema.pattern !== '') {
    const error = re2CompileError(schema.pattern);
    if (error !== undefined) causes.push(invalidValue(`${field}.pattern`, schema.pattern, `must be a valid regular expression, but isn't: ${error}`));
  }
  for (const [name, child] of Object.entries(schema.properties ?? {})) causes.push(...invalidPatterns(child, `${field}.properties[${name}]`));
  causes.push(...invalidPatterns(schema.additionalProperties, `${field}.additionalProperties`));
  causes.push(...invalidPatterns(schema.items, `${field}.items`));
  causes.push(...invalidPatterns(schema.not, `${field}.not`));
  for (const junctor of ['allOf', 'anyOf', 'oneOf']) {
    if (Array.isArray(schema[junctor])) schema[junctor].forEach((s: unknown, i: number) => causes.push(...invalidPatterns(s, `${field}.${junctor}[${i}]`)));
  }
  return causes;
}

function validateColumns(columns: any[], field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  columns.forEach((c, i) => {
    const at = `${field}[${i}]`;
    if (!c.name) causes.push(required(`${at}.name`));
    if (!c.type) causes.push(required(`${at}.type`));
    else if (!COLUMN_TYPES.includes(c.type)) causes.push(unsupported(`${at}.type`, c.type, COLUMN_TYPES));
    if (!c.jsonPath) causes.push(required(`${at}.jsonPath`));
    else if (!simpleJsonPath(c.jsonPath)) causes.push(invalidValue(`${at}.jsonPath`, c.jsonPath, 'must be a simple json path starting with .'));
  });
  return causes;
}

function simpleJsonPath(path: string): boolean {
  if (!path.startsWith('.')) return false;
  try {
    parseJsonPath(path);
    return true;
  } catch {
    return false;
  }
}

function validateScale(scale: any, field: string): StatusCause[] {
  if (!scale) return [];
  const causes: StatusCause[] = [];
  const path = (name: string, value: unknown, under: string) => {
    if (!value) causes.push(required(`${field}.${name}`));
    else if (typeof value !== 'string' || !value.startsWith(`${under}.`) || !simpleJsonPath(value)) causes.push(invalidValue(`${field}.${name}`, value, `should be a json path under ${under}`));
  };
  path('specReplicasPath', scale.specReplicasPath, '.spec');
  path('statusReplicasPath', scale.statusReplicasPath, '.status');
  const selector = scale.labelSelectorPath;
  if (selector !== undefined && (typeof selector !== 'string' || !/^\.(spec|status)\./.test(selector) || !simpleJsonPath(selector))) {
    causes.push(invalidValue(`${field}.labelSelectorPath`, selector, 'should be a json path under either .spec or .status'));
  }
  return causes;
}

/** kube-apiserver keeps a CRD's scope and group once made (its objects are stored under them). */
export function validateCrdUpdate(old: any, next: any): StatusCause[] {
  const causes: StatusCause[] = [];
  if (old.spec?.scope !== next.spec?.scope) causes.push(invalidValue('spec.scope', next.spec?.scope, 'field is immutable'));
  if (old.spec?.group !== next.spec?.group) causes.push(invalidValue('spec.group', next.spec?.group, 'field is immutable'));
  return causes;
}

/** Defaults kube-apiserver fills in: the names, the conversion strategy (and a webhook Service's port), and the cleanup finalizer. */
export function defaultCrd(crd: any): any {
  const names = crdNames(crd);
  if (crd.spec?.names && names.kind) {
    crd.spec.names.singular ??= names.singular;
    crd.spec.names.listKind ??= names.listKind;
  }
  if (crd.spec) crd.spec.conversion ??= { strategy: 'None' };
  // A conversion webhook reached through a Service: port 443 unless given.
  const service = crd.spec?.conversion?.webhook?.clientConfig?.service;
  if (service && typeof service === 'object') service.port ??= 443;
  return crd;
}
