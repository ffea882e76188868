import { fieldForbidden, fieldInvalid, fieldRequired, goQuote, goRendered, StatusCause } from '@openpacific/kube-api';
import { goMap, goSelector } from './apps.strategy';
import {
  durationRefusal, intOrPercentCauses, labelValueProblems, namingTemplateCauses, newCauses, selectorError, selectorMatches, selectorText, semverCauses, templateMetadataCauses,
  withVersionPrefix,
} from './capi-fields.validation';

/**
 * Cluster API's webhooks for MachineDeployment, MachineSet and Machine (internal/webhooks/machinedeployment.go,
 * machineset.go, machine.go, v1beta1), in their words. Each judges the object as its defaulting webhook leaves it:
 * - a MachineDeployment's selector and template labels both get `cluster.x-k8s.io/cluster-name` (and, with no selector,
 *   `cluster.x-k8s.io/deployment-name`), then the selector must select the template (`spec.template.metadata.labels:
 *   Forbidden: must match spec.selector "..."`); a MachineSet's, with no selector, its `cluster.x-k8s.io/set-name`
 *   (`spec.template.metadata.labels: Invalid value: map[string]string{...}: must match spec.selector "..."`);
 * - `spec.clusterName` cannot change (`Forbidden: field is immutable`);
 * - a version (the template's, the Machine's own) is a Kubernetes semantic version, its `v` added by defaulting;
 * - a MachineDeployment's name is a label value; its rolling update's maxSurge and maxUnavailable, and its remediation's
 *   maxInFlight, are ints or percentages (`must be either an int or a percentage: ...`); its naming template has
 *   `{{ .random }}`; the template's metadata are valid labels and annotations;
 * - a Machine names its bootstrap data (`spec.bootstrap.data: Required value: expected either
 *   spec.bootstrap.dataSecretName or spec.bootstrap.configRef to be populated`), unless a MachinePool owns it, and its
 *   references are in its own namespace.
 * A duration (the node timeouts) the webhooks cannot decode is their defaulting webhook's 400. Not modelled: the
 * skip-preflight-checks annotation's values, and rendering a naming template to check the names it makes.
 */

const CLUSTER_NAME = 'cluster.x-k8s.io/cluster-name';
const DEPLOYMENT_NAME = 'cluster.x-k8s.io/deployment-name';
const SET_NAME = 'cluster.x-k8s.io/set-name';
const POOL_NAME = 'cluster.x-k8s.io/pool-name';

type Validate = (obj: any, old?: any) => StatusCause[];

/** The update's own rules, then what the new object has wrong that the stored one had not (see newCauses). */
function updateCauses(validate: Validate, old: any, next: any): StatusCause[] {
  const immutable = old.spec?.clusterName !== next.spec?.clusterName ? [fieldForbidden('spec.clusterName', 'field is immutable')] : [];
  return [...newCauses(validate(next), validate(old), { old, next }), ...immutable];
}

/** The node timeouts of a MachineSpec; those new or changed on update are decoded. */
function durationCheck(webhook: string, spec: any, oldSpec: any): void {
  const durations = (s: any) => [s?.nodeDrainTimeout, s?.nodeVolumeDetachTimeout, s?.nodeDeletionTimeout];
  const before = durations(oldSpec);
  const refusal = durationRefusal(webhook, durations(spec).filter((d, i) => !oldSpec || d !== before[i]));
  if (refusal) throw refusal;
}

/** A MachineSpec (a template's, or a Machine's) with the `v` defaulting gives its version, when it is new or changed. */
function prefixedSpec(spec: any, oldSpec: any): any {
  if (!spec || (oldSpec && spec.version === oldSpec.version)) return spec;
  return withVersionPrefix(spec.version) === spec.version ? spec : { ...spec, version: withVersionPrefix(spec.version) };
}

function withTemplateSpec(obj: any, spec: any): any {
  return spec === obj.spec?.template?.spec ? obj : { ...obj, spec: { ...obj.spec, template: { ...obj.spec.template, spec } } };
}

export function defaultMachineDeployment(md: any, old?: any): any {
  durationCheck('default.machinedeployment.cluster.x-k8s.io', md.spec?.template?.spec, old && (old.spec?.template?.spec ?? {}));
  return withTemplateSpec(md, prefixedSpec(md.spec?.template?.spec, old?.spec?.template?.spec));
}

export function defaultMachineSet(ms: any, old?: any): any {
  durationCheck('default.machineset.cluster.x-k8s.io', ms.spec?.template?.spec, old && (old.spec?.template?.spec ?? {}));
  return withTemplateSpec(ms, prefixedSpec(ms.spec?.template?.spec, old?.spec?.template?.spec));
}

export function defaultMachine(m: any, old?: any): any {
  durationCheck('default.machine.cluster.x-k8s.io', m.spec, old && (old.spec ?? {}));
  const spec = prefixedSpec(m.spec, old?.spec);
  return spec === m.spec ? m : { ...m, spec };
}

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

const emptySelector = (sel: Selector | undefined) => Object.keys(sel?.matchLabels ?? {}).length === 0 && (sel?.matchExpressions ?? []).length === 0;

/** The selector and the template's labels as defaulting leaves them: `extra` added to both. */
function defaulted(obj: any, extra: Record<string, string>): { selector: Selector; labels: Record<string, string> } {
  const sel: Selector = obj.spec?.selector ?? {};
  return {
    selector: { ...sel, matchLabels: { ...(sel.matchLabels ?? {}), ...extra } },
    labels: { ...(obj.spec?.template?.metadata?.labels ?? {}), ...extra },
  };
}

function machineDeploymentCauses(md: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = String(md.metadata?.name ?? '');
  for (const p of labelValueProblems(name)) causes.push(fieldInvalid('metadata.name', name, `must be a valid label value: ${p}`));
  const spec = md.spec ?? {};
  const own: Record<string, string> = emptySelector(spec.selector) ? { [DEPLOYMENT_NAME]: name } : {};
  const { selector, labels } = defaulted(md, { ...own, [CLUSTER_NAME]: String(spec.clusterName ?? '') });
  const error = selectorError(selector);
  if (error) causes.push(fieldInvalid('spec.selector', goRendered(goSelector(selector)), error));
  else if (!selectorMatches(selector, labels)) causes.push(fieldForbidden('spec.template.metadata.labels', `must match spec.selector ${goQuote(selectorText(selector))}`));
  // Defaulting fills a RollingUpdate's own (maxSurge 1, maxUnavailable 0): only values given can be wrong.
  const rolling = spec.strategy?.rollingUpdate;
  causes.push(...intOrPercentCauses('spec.strategy.rollingUpdate.maxSurge', rolling?.maxSurge));
  causes.push(...intOrPercentCauses('spec.strategy.rollingUpdate.maxUnavailable', rolling?.maxUnavailable));
  const inFlight = spec.strategy?.remediation?.maxInFlight;
  causes.push(...intOrPercentCauses('spec.strategy.remediation.maxInFlight', inFlight, String(inFlight)));
  causes.push(...semverCauses('spec.template.spec.version', spec.template?.spec?.version));
  causes.push(...namingTemplateCauses(spec.machineNamingStrategy?.template, 'spec.machineNamingStrategy.template'));
  causes.push(...templateMetadataCauses({ ...spec.template?.metadata, labels }, 'spec.template.metadata'));
  return causes;
}

function machineSetCauses(ms: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = ms.spec ?? {};
  const { selector, labels } = defaulted(ms, emptySelector(spec.selector) ? { [SET_NAME]: String(ms.metadata?.name ?? '') } : {});
  const error = selectorError(selector);
  if (error) causes.push(fieldInvalid('spec.selector', goRendered(goSelector(selector)), error));
  else if (!selectorMatches(selector, labels)) causes.push(fieldInvalid('spec.template.metadata.labels', goRendered(goMap(labels)), `must match spec.selector ${goQuote(selectorText(selector))}`));
  causes.push(...semverCauses('spec.template.spec.version', spec.template?.spec?.version));
  causes.push(...templateMetadataCauses({ ...spec.template?.metadata, labels }, 'spec.template.metadata'));
  return causes;
}

function machineCauses(m: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = m.spec ?? {};
  const namespace = m.metadata?.namespace;
  const bootstrap = spec.bootstrap ?? {};
  if (bootstrap.configRef == null && bootstrap.dataSecretName == null && m.metadata?.labels?.[POOL_NAME] === undefined) {
    causes.push(fieldRequired('spec.bootstrap.data', 'expected either spec.bootstrap.dataSecretName or spec.bootstrap.configRef to be populated'));
  }
  if (bootstrap.configRef != null && (bootstrap.configRef.namespace || namespace) !== namespace) {
    causes.push(fieldInvalid('spec.bootstrap.configRef.namespace', bootstrap.configRef.namespace, 'must match metadata.namespace'));
  }
  const infraNamespace = spec.infrastructureRef?.namespace || namespace;
  if (infraNamespace !== namespace) causes.push(fieldInvalid('spec.infrastructureRef.namespace', infraNamespace, 'must match metadata.namespace'));
  causes.push(...semverCauses('spec.version', spec.version));
  return causes;
}

export const validateMachineDeploymentCreate = (md: any) => machineDeploymentCauses(md);
export const validateMachineDeploymentUpdate = (old: any, next: any) => updateCauses(machineDeploymentCauses, old, next);
export const validateMachineSetCreate = (ms: any) => machineSetCauses(ms);
export const validateMachineSetUpdate = (old: any, next: any) => updateCauses(machineSetCauses, old, next);
export const validateMachineCreate = (m: any) => machineCauses(m);
export const validateMachineUpdate = (old: any, next: any) => updateCauses(machineCauses, old, next);
