import { fieldForbidden, fieldInvalid, fieldNotSupported, fieldRequired, goQuote, StatusCause } from '@openpacific/kube-api';
import { atoiError, newCauses, templateMetadataCauses } from './capi-fields.validation';
import { checkMachineHealthCheckDurations, healthCheckFieldCauses } from './capi-health-check.validation';
import type { StrategyContext } from './kind-strategies';

/**
 * Cluster API's ClusterClass webhook (internal/webhooks/clusterclass.go, patch_validation.go, internal/topology/check and
 * internal/topology/variables, v1beta1), in its words:
 * - every template reference complete, in the class's namespace, of a `...Template` kind and a valid apiVersion;
 * - worker classes unique (`MachineDeployment class must be unique. MachineDeployment with class "x" is defined more
 *   than once`), their metadata and the control plane's valid labels and annotations;
 * - health checks as a MachineHealthCheck's (capi-health-check.validation.ts), the control plane's only with
 *   `machineInfrastructure`;
 * - variables named once (`variable name must be unique. Variable with name "x" is defined more than once`), not
 *   `builtin`, without `.`; their schemas typed at every level (`type: Required value: must not be empty for specified
 *   object fields` from the structural check, then `type cannot be empty`, `Unsupported value: "foo": supported values:
 *   ...`), properties and additionalProperties not both; metadata valid labels and annotations;
 * - patches named once, with definitions or external (external only with the RuntimeSDK feature gate, off), each
 *   definition's selector enabled and matching one of the class's templates, each JSON patch's op add, replace or
 *   remove, path under `/spec/`, array indexes only `0` or `-` for add and none for replace or remove, one of value and
 *   valueFrom, valueFrom one of template and variable, the variable one the class defines (or a builtin);
 * - on update, a template's group, kind and namespace kept, and no worker class removed while a Cluster uses it.
 * Not modelled: the schemas' defaults, examples, enums and CEL rules checked against themselves, the Go templates
 * (enabledIf, valueFrom.template, naming) parsed, and a deletion of a class in use.
 */

const TEMPLATE_SUFFIX = 'Template';
const VARIABLE_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const CLUSTERS = 'clusters.cluster.x-k8s.io';
const DEFAULTING_WEBHOOK = 'default.clusterclass.cluster.x-k8s.io';

type Ref = { apiVersion?: string; kind?: string; name?: string; namespace?: string } | undefined;

/** Each template of the class with where the webhook names it. */
function templates(cc: any): Array<{ at: string; ref: Ref; present: boolean }> {
  const spec = cc.spec ?? {};
  const out = [
    { at: 'spec.infrastructure', ref: spec.infrastructure?.ref, present: spec.infrastructure !== undefined },
    { at: 'spec.controlPlane', ref: spec.controlPlane?.ref, present: true },
    { at: 'spec.controlPlane.machineInfrastructure', ref: spec.controlPlane?.machineInfrastructure?.ref, present: spec.controlPlane?.machineInfrastructure != null },
  ];
  (spec.workers?.machineDeployments ?? []).forEach((md: any, i: number) => {
    const at = `spec.workers.machineDeployments[${i}].template`;
    out.push({ at: `${at}.bootstrap`, ref: md?.template?.bootstrap?.ref, present: true }, { at: `${at}.infrastructure`, ref: md?.template?.infrastructure?.ref, present: true });
  });
  return out.filter((t) => t.present);
}

/** check.LocalObjectTemplateIsValid, the namespace as defaulting leaves it (the class's when left out). */
function templateRefCauses(ref: Ref, namespace: string, at: string): StatusCause[] {
  if (!ref) return [fieldRequired(`${at}.ref`, 'template reference must be defined')];
  const causes: StatusCause[] = [];
  if (!ref.name) causes.push(fieldRequired(`${at}.ref.name`, 'template name must be defined'));
  const refNamespace = ref.namespace || namespace;
  if (refNamespace !== namespace) causes.push(fieldInvalid(`${at}.ref.namespace`, refNamespace, `template must be in the same namespace as the ClusterClass (${namespace})`));
  const kind = ref.kind ?? '';
  if (kind.length <= TEMPLATE_SUFFIX.length || !kind.endsWith(TEMPLATE_SUFFIX)) {
    causes.push(fieldInvalid(`${at}.ref.kind`, kind, `template kind must be of form "<name>${TEMPLATE_SUFFIX}"`));
  }
  const apiVersion = ref.apiVersion ?? '';
  if ((apiVersion.match(/\//g) ?? []).length > 1) {
    causes.push(fieldInvalid(`${at}.ref.apiVersion`, apiVersion, `template apiVersion must be a valid Kubernetes apiVersion: unexpected GroupVersion string: ${apiVersion}`));
  } else if (apiVersion === '' || apiVersion === '/') {
    causes.push(fieldRequired(`${at}.ref.apiVersion`, 'template apiVersion must be defined'));
  }
  return causes;
}

function workerClassCauses(cc: any): StatusCause[] {
  const seen = new Set<string>();
  const causes: StatusCause[] = [];
  (cc.spec?.workers?.machineDeployments ?? []).forEach((md: any, i: number) => {
    if (seen.has(md?.class)) {
      causes.push(fieldInvalid(`spec.workers.machineDeployments[${i}].class`, md.class, `MachineDeployment class must be unique. MachineDeployment with class ${goQuote(String(md.class))} is defined more than once`));
    }
    seen.add(md?.class);
  });
  return causes;
}

function healthCheckCauses(cc: any): StatusCause[] {
  const namespace = cc.metadata?.namespace;
  const causes: StatusCause[] = [];
  const cp = cc.spec?.controlPlane;
  if (cp?.machineHealthCheck) {
    causes.push(...healthCheckFieldCauses(cp.machineHealthCheck, namespace, 'spec.controlPlane.machineHealthCheck'));
    if (cp.machineInfrastructure == null) {
      causes.push(fieldForbidden('spec.controlPlane.machineHealthCheck.machineInfrastructure', 'can be set only if spec.controlPlane.machineInfrastructure is set'));
    }
  }
  for (const md of cc.spec?.workers?.machineDeployments ?? []) {
    if (md?.machineHealthCheck) causes.push(...healthCheckFieldCauses(md.machineHealthCheck, namespace, `spec.workers.machineDeployments[${md.class}].machineHealthCheck`));
  }
  return causes;
}

function metadataCauses(cc: any): StatusCause[] {
  const causes = templateMetadataCauses(cc.spec?.controlPlane?.metadata, 'spec.controlPlane.metadata');
  for (const md of cc.spec?.workers?.machineDeployments ?? []) {
    causes.push(...templateMetadataCauses(md?.template?.metadata, `spec.workers.machineDeployments[${md?.class}].template.metadata`));
  }
  return causes;
}

/** ValidateClusterClassVariables: names, metadata, then each schema (structural first, then CAPI's own rules). */
function variableCauses(variables: any[]): StatusCause[] {
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  for (const v of variables) {
    const at = `spec.variables[${v?.name ?? ''}]`;
    if (seen.has(v?.name)) causes.push(fieldInvalid(`${at}.name`, v.name, `variable name must be unique. Variable with name ${goQuote(String(v.name))} is defined more than once`));
    seen.add(v?.name);
  }
  for (const v of variables) {
    const at = `spec.variables[${v?.name ?? ''}]`;
    const name = String(v?.name ?? '');
    if (name === '') causes.push(fieldRequired(`${at}.name`, 'variable name must be defined'));
    if (name === 'builtin') causes.push(fieldInvalid(`${at}.name`, name, '"builtin" is a reserved variable name'));
    if (name.includes('.')) causes.push(fieldInvalid(`${at}.name`, name, 'variable name cannot contain "."'));
    causes.push(...templateMetadataCauses(v?.metadata, `${at}.metadata`));
    const schema = v?.schema?.openAPIV3Schema;
    const schemaAt = `${at}.schema.openAPIV3Schema`;
    causes.push(...xMetadataCauses(schema, schemaAt));
    const structural = structuralCauses(schema, schemaAt, 'object fields');
    causes.push(...(structural.length ? structural : schemaCauses(schema, schemaAt)));
  }
  return causes;
}

const isSchema = (s: unknown): s is Record<string, any> => typeof s === 'object' && s !== null && !Array.isArray(s);

/** `x-metadata` (labels and annotations for the variable's parts) valid at every level of the schema. */
function xMetadataCauses(schema: any, at: string): StatusCause[] {
  if (!isSchema(schema)) return [];
  const causes = isSchema(schema['x-metadata']) ? templateMetadataCauses(schema['x-metadata'], `${at}.x-metadata`) : [];
  if (isSchema(schema.additionalProperties)) causes.push(...xMetadataCauses(schema.additionalProperties, `${at}.additionalProperties`));
  for (const [key, child] of Object.entries(isSchema(schema.properties) ? schema.properties : {})) causes.push(...xMetadataCauses(child, `${at}.properties[${key}]`));
  if (isSchema(schema.items)) causes.push(...xMetadataCauses(schema.items, `${at}.items`));
  return causes;
}

/** The structural check of the schema (wrapped as a property): a type wherever a field is declared. */
function structuralCauses(schema: any, at: string, what: 'object fields' | 'array items'): StatusCause[] {
  if (!isSchema(schema)) return [];
  const causes: StatusCause[] = [];
  const free = schema['x-kubernetes-int-or-string'] === true || schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (!schema.type && !free) causes.push(fieldRequired(`${at}.type`, `must not be empty for specified ${what}`));
  for (const [key, child] of Object.entries(isSchema(schema.properties) ? schema.properties : {})) causes.push(...structuralCauses(child, `${at}.properties[${key}]`, 'object fields'));
  if (isSchema(schema.additionalProperties)) causes.push(...structuralCauses(schema.additionalProperties, `${at}.additionalProperties`, 'object fields'));
  if (isSchema(schema.items)) causes.push(...structuralCauses(schema.items, `${at}.items`, 'array items'));
  return causes;
}

/** CAPI's validateSchema: a supported type at every level, additionalProperties beside no properties. */
function schemaCauses(schema: any, at: string): StatusCause[] {
  if (!isSchema(schema)) return [];
  if (!schema.type) return [fieldRequired(`${at}.type`, 'type cannot be empty')];
  if (!VARIABLE_TYPES.includes(schema.type)) return [fieldNotSupported(`${at}.type`, schema.type, VARIABLE_TYPES)];
  const causes: StatusCause[] = [];
  if (isSchema(schema.additionalProperties)) {
    if (isSchema(schema.properties) && Object.keys(schema.properties).length > 0) causes.push(fieldForbidden(at, 'additionalProperties and properties are mutually exclusive'));
    causes.push(...schemaCauses(schema.additionalProperties, `${at}.additionalProperties`));
  }
  for (const [key, child] of Object.entries(isSchema(schema.properties) ? schema.properties : {})) causes.push(...schemaCauses(child, `${at}.properties[${key}]`));
  if (isSchema(schema.items)) causes.push(...schemaCauses(schema.items, `${at}.items`));
  return causes;
}

/** Go's json.MarshalIndent (two spaces, `<`, `>` and `&` escaped), as the patch rules print a value. */
function prettyPrint(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/** A JSONPatch as Go marshals it: op and path always, value and valueFrom when set. */
function goJsonPatch(p: any): unknown {
  const valueFrom = p?.valueFrom == null ? undefined : { variable: p.valueFrom.variable ?? undefined, template: p.valueFrom.template ?? undefined };
  return { op: p?.op ?? '', path: p?.path ?? '', value: p?.value ?? undefined, valueFrom };
}

/** The roots of the builtin variables (builtin.cluster.name, builtin.machineDeployment.replicas, ...). */
const BUILTIN_ROOTS = ['builtin', 'builtin.cluster', 'builtin.controlPlane', 'builtin.machineDeployment', 'builtin.machinePool'];

function jsonPatchCauses(patches: any[], variables: Set<string>, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  patches.forEach((p, i) => {
    const pat = `${at}[${i}]`;
    const op = String(p?.op ?? '');
    const path = String(p?.path ?? '');
    if (!['add', 'remove', 'replace'].includes(op)) causes.push(fieldNotSupported(`${pat}.op`, prettyPrint(goJsonPatch(p)), ['add', 'remove', 'replace']));
    if (!path.startsWith('/spec/')) causes.push(fieldInvalid(`${pat}.path`, prettyPrint(goJsonPatch(p)), 'jsonPatch path must start with "/spec/"'));
    for (const segment of path.split('/')) {
      if (atoiError(segment)) continue;
      if (op === 'add' && Number(segment) !== 0) causes.push(fieldInvalid(`${pat}.path`, path, 'arrays can only be accessed using "0" (prepend) or "-" (append)'));
      if (op === 'replace' || op === 'remove') causes.push(fieldInvalid(`${pat}.path`, path, `elements in arrays can not be accessed in a ${op} operation`));
    }
    if (op === 'add' || op === 'replace') causes.push(...jsonPatchValueCauses(p, variables, pat));
  });
  return causes;
}

function jsonPatchValueCauses(p: any, variables: Set<string>, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const [hasValue, from] = [p.value !== undefined && p.value !== null, p.valueFrom ?? undefined];
  if (!hasValue && !from) causes.push(fieldInvalid(at, prettyPrint(goJsonPatch(p)), 'jsonPatch must define one of value or valueFrom'));
  if (hasValue && from) causes.push(fieldInvalid(at, prettyPrint(goJsonPatch(p)), 'jsonPatch can not define both value and valueFrom'));
  if (!from) return causes;
  const [template, variable] = [from.template ?? undefined, from.variable ?? undefined];
  const printed = prettyPrint({ variable, template });
  if (template === undefined && variable === undefined) causes.push(fieldInvalid(`${at}.valueFrom`, printed, 'valueFrom must set either template or variable'));
  if (template !== undefined && variable !== undefined) causes.push(fieldInvalid(`${at}.valueFrom`, printed, 'valueFrom can not set both template and variable'));
  if (typeof variable !== 'string') return causes;
  if (variable.startsWith('builtin.')) {
    const root = variable.split('.').slice(0, 2).join('.');
    if (!BUILTIN_ROOTS.includes(root)) causes.push(fieldInvalid(`${at}.valueFrom.variable`, variable, 'not a defined builtin variable'));
  } else if (!variables.has(variable.split(/[[.]/).filter(Boolean)[0] ?? '')) {
    causes.push(fieldInvalid(`${at}.valueFrom.variable`, variable, `variable with name ${variable} cannot be found`));
  }
  return causes;
}

const refMatches = (selector: any, ref: Ref) => !!ref && selector?.kind === ref.kind && selector?.apiVersion === ref.apiVersion;

/** MachineDeploymentClass names a patch selects: exact, `*`, or one `*` at either end. */
function classNameCauses(name: string, at: string): StatusCause[] {
  if (!name.includes('*')) return [];
  if ((name.match(/\*/g) ?? []).length > 1) return [fieldInvalid(at, name, 'selector can at most contain a single "*" rune')];
  if (!name.startsWith('*') && !name.endsWith('*')) return [fieldInvalid(at, name, '"*" rune can only appear at the beginning, or ending of the selector')];
  return [];
}

function classSelected(name: string, cls: string): boolean {
  if (name === cls || name === '*') return true;
  return (name.startsWith('*') && cls.endsWith(name.slice(1))) || (name.endsWith('*') && cls.startsWith(name.slice(0, -1)));
}

function selectorCauses(selector: any, cc: any, at: string): StatusCause[] {
  const match = selector?.matchResources ?? {};
  const names: string[] = match.machineDeploymentClass?.names ?? [];
  const poolNames: string[] = match.machinePoolClass?.names ?? [];
  if (!match.infrastructureCluster && !match.controlPlane && names.length === 0 && poolNames.length === 0) {
    const printed = { apiVersion: selector?.apiVersion ?? '', kind: selector?.kind ?? '', matchResources: {} };
    return [fieldInvalid(at, prettyPrint(printed), 'no selector enabled')];
  }
  const causes: StatusCause[] = [];
  const spec = cc.spec ?? {};
  if (match.infrastructureCluster && !refMatches(selector, spec.infrastructure?.ref)) {
    causes.push(fieldInvalid(`${at}.matchResources.infrastructureCluster`, true, 'selector is enabled but does not match the infrastructure ref'));
  }
  if (match.controlPlane && !refMatches(selector, spec.controlPlane?.ref) && !refMatches(selector, spec.controlPlane?.machineInfrastructure?.ref)) {
    causes.push(fieldInvalid(`${at}.matchResources.controlPlane`, true, 'selector is enabled but matches neither the controlPlane ref nor the controlPlane machineInfrastructure ref'));
  }
  names.forEach((name, i) => {
    const nat = `${at}.matchResources.machineDeploymentClass.names[${i}]`;
    const wrong = classNameCauses(name, nat);
    if (wrong.length) {
      causes.push(...wrong);
      return;
    }
    const matched = (spec.workers?.machineDeployments ?? []).some((md: any) => classSelected(name, String(md?.class ?? ''))
      && (refMatches(selector, md?.template?.infrastructure?.ref) || refMatches(selector, md?.template?.bootstrap?.ref)));
    if (!matched) causes.push(fieldInvalid(nat, name, 'selector is enabled but matches neither the bootstrap ref nor the infrastructure ref of a MachineDeployment class'));
  });
  return causes;
}

function patchCauses(cc: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const names = new Set<string>();
  const variables = new Set<string>((cc.spec?.variables ?? []).map((v: any) => v?.name));
  (cc.spec?.patches ?? []).forEach((patch: any, i: number) => {
    const at = `spec.patches[${i}]`;
    if (!patch?.name) causes.push(fieldRequired(`${at}.name`, 'patch name must be defined'));
    if (names.has(patch?.name)) causes.push(fieldInvalid(`${at}.name`, patch.name, `patch names must be unique. Patch with name ${goQuote(String(patch.name))} is defined more than once`));
    names.add(patch?.name);
    const [definitions, external] = [patch?.definitions ?? undefined, patch?.external ?? undefined];
    if (!definitions && !external) causes.push(fieldRequired(at, 'one of definitions or external must be defined'));
    if (definitions && external) causes.push(fieldInvalid(at, prettyPrint(patch), 'only one of definitions or external can be defined'));
    (Array.isArray(definitions) ? definitions : []).forEach((d: any, j: number) => {
      causes.push(...jsonPatchCauses(Array.isArray(d?.jsonPatches) ? d.jsonPatches : [], variables, `${at}.definitions[${j}].jsonPatches`));
      causes.push(...selectorCauses(d?.selector, cc, `${at}.definitions[${j}].selector`));
    });
    if (external) causes.push(fieldForbidden(`${at}.external`, 'patch.external can be used only if the RuntimeSDK feature flag is enabled'));
  });
  return causes;
}

function classCauses(cc: any): StatusCause[] {
  const namespace = cc.metadata?.namespace;
  return [
    ...templates(cc).flatMap((t) => templateRefCauses(t.ref, namespace, t.at)),
    ...workerClassCauses(cc),
    ...healthCheckCauses(cc),
    ...variableCauses(Array.isArray(cc.spec?.variables) ? cc.spec.variables : []),
    ...patchCauses(cc),
    ...metadataCauses(cc),
  ];
}

/** The health checks' durations are decoded by the defaulting webhook, as a MachineHealthCheck's. */
export function defaultClusterClass(cc: any, old?: any): any {
  const checks = (o: any) => [o?.spec?.controlPlane?.machineHealthCheck, ...(o?.spec?.workers?.machineDeployments ?? []).map((md: any) => md?.machineHealthCheck)];
  const before = old ? checks(old) : [];
  checks(cc).forEach((check, i) => check && checkMachineHealthCheckDurations({ spec: check }, before[i] && { spec: before[i] }, DEFAULTING_WEBHOOK));
  return cc;
}

export const validateClusterClassCreate = (cc: any) => classCauses(cc);

export function validateClusterClassUpdate(old: any, next: any, ctx?: StrategyContext): StatusCause[] {
  return [...newCauses(classCauses(next), classCauses(old), { old, next }), ...compatibilityCauses(old, next), ...removedClassCauses(old, next, ctx)];
}

const groupOf = (apiVersion: string | undefined) => ((apiVersion ?? '').includes('/') ? (apiVersion ?? '').split('/')[0] : '');

/** check.LocalObjectTemplatesAreCompatible: a template's group and kind, and its namespace, kept. */
function templateCompatibilityCauses(old: Ref, next: Ref, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const [og, ng] = [groupOf(old?.apiVersion), groupOf(next?.apiVersion)];
  if (og !== ng) causes.push(fieldForbidden(`${at}.ref.apiVersion`, `apiVersion.group cannot be changed from ${goQuote(og)} to ${goQuote(ng)} to prevent incompatible changes in the Clusters`));
  const [ok, nk] = [old?.kind ?? '', next?.kind ?? ''];
  if (ok !== nk) causes.push(fieldForbidden(`${at}.ref.kind`, `apiVersion.kind cannot be changed from ${goQuote(ok)} to ${goQuote(nk)} to prevent incompatible changes in the Clusters`));
  if ((old?.namespace ?? '') !== (next?.namespace ?? '')) causes.push(fieldForbidden(`${at}.ref.namespace`, `templates must be in the same namespace as the ClusterClass (${old?.namespace ?? ''})`));
  return causes;
}

function compatibilityCauses(old: any, next: any): StatusCause[] {
  const ns = next.metadata?.namespace;
  // The references as defaulting leaves them: their namespace the class's when left out.
  const ref = (r: Ref): Ref => (r ? { ...r, namespace: r.namespace || ns } : r);
  const causes = [
    ...templateCompatibilityCauses(ref(old.spec?.infrastructure?.ref), ref(next.spec?.infrastructure?.ref), 'spec.infrastructure'),
    ...templateCompatibilityCauses(ref(old.spec?.controlPlane?.ref), ref(next.spec?.controlPlane?.ref), 'spec.controlPlane'),
  ];
  const [oldInfra, newInfra] = [old.spec?.controlPlane?.machineInfrastructure, next.spec?.controlPlane?.machineInfrastructure];
  if (oldInfra && newInfra) causes.push(...templateCompatibilityCauses(ref(oldInfra.ref), ref(newInfra.ref), 'spec.controlPlane.machineInfrastructure'));
  const oldClasses: any[] = old.spec?.workers?.machineDeployments ?? [];
  for (const md of next.spec?.workers?.machineDeployments ?? []) {
    oldClasses.forEach((o, i) => {
      // The webhook names the old class by its index, without `.template.infrastructure`.
      if (o?.class === md?.class) causes.push(...templateCompatibilityCauses(ref(o.template?.infrastructure?.ref), ref(md.template?.infrastructure?.ref), `spec.workers.machineDeployments[${i}]`));
    });
  }
  return causes;
}

/** A worker class taken out of the class while a Cluster of it (in its namespace) still has a machineDeployment of it. */
function removedClassCauses(old: any, next: any, ctx?: StrategyContext): StatusCause[] {
  const kept = new Set((next.spec?.workers?.machineDeployments ?? []).map((md: any) => md?.class));
  const removed = new Set((old.spec?.workers?.machineDeployments ?? []).map((md: any) => md?.class).filter((c: string) => !kept.has(c)));
  if (removed.size === 0 || !ctx) return [];
  const ns = next.metadata?.namespace;
  const clusters = ctx.readModel.list(CLUSTERS, ns).map((s) => s.object)
    .filter((c) => c.spec?.topology?.class === next.metadata?.name && (c.spec.topology.classNamespace || c.metadata.namespace) === ns);
  return clusters.flatMap((c) => (c.spec.topology.workers?.machineDeployments ?? [])
    .filter((md: any) => removed.has(md?.class))
    .map((md: any) => fieldForbidden('spec.workers.machineDeployments', `MachineDeploymentClass ${goQuote(String(md.class))} cannot be deleted because it is used by Cluster ${goQuote(c.metadata.name)}`)));
}
