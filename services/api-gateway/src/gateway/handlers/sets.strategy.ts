import { StatusCause } from '@openpacific/kube-api';
import { defaultTemplate, intOrPercent, validateSelectorUpdate, validateWorkload } from './apps.strategy';
import type { KindStrategy } from './kind-strategies';
import { deepEqual } from './object-rules';
import { defaultPersistentVolumeClaim, validatePersistentVolumeClaim } from './storage.strategy';

/** apps/v1 DaemonSet and StatefulSet: kube-apiserver's defaults and the validation the schema cannot express. */

export function defaultDaemonSet(ds: any): any {
  const spec = (ds.spec ??= {});
  spec.updateStrategy ??= {};
  spec.updateStrategy.type ??= 'RollingUpdate';
  if (spec.updateStrategy.type === 'RollingUpdate') {
    spec.updateStrategy.rollingUpdate ??= {};
    spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
    spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultTemplate(spec.template);
  return ds;
}

export function validateDaemonSet(ds: any): StatusCause[] {
  const causes = validateWorkload(ds, 'daemonset', true);
  const strategy = ds.spec?.updateStrategy ?? {};
  if (strategy.type === 'RollingUpdate') {
    const at = 'spec.updateStrategy.rollingUpdate';
    const ru = strategy.rollingUpdate ?? {};
    const unavailable = intOrPercent(`${at}.maxUnavailable`, ru.maxUnavailable, causes);
    const surge = intOrPercent(`${at}.maxSurge`, ru.maxSurge, causes);
    // Exactly one of the two is non-zero: a DaemonSet either surges or takes pods down first.
    const has = (v: number | undefined) => v !== undefined && v !== 0;
    const malformed = (ru.maxUnavailable !== undefined && unavailable === undefined) || (ru.maxSurge !== undefined && surge === undefined);
    if (malformed) return causes;
    if (has(unavailable) && has(surge)) {
      causes.push({ field: `${at}.maxSurge`, reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(ru.maxSurge)}: may not be set when maxUnavailable is non-zero` });
    } else if (!has(unavailable) && !has(surge)) {
      causes.push({ field: `${at}.maxUnavailable`, reason: 'FieldValueRequired', message: 'Required value: cannot be 0 when maxSurge is 0' });
    }
  }
  return causes;
}

export function defaultStatefulSet(sts: any): any {
  const spec = (sts.spec ??= {});
  spec.replicas ??= 1;
  spec.podManagementPolicy ??= 'OrderedReady';
  spec.updateStrategy ??= {};
  spec.updateStrategy.type ??= 'RollingUpdate';
  if (spec.updateStrategy.type === 'RollingUpdate') {
    spec.updateStrategy.rollingUpdate ??= {};
    spec.updateStrategy.rollingUpdate.partition ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  spec.persistentVolumeClaimRetentionPolicy ??= {};
  spec.persistentVolumeClaimRetentionPolicy.whenDeleted ??= 'Retain';
  spec.persistentVolumeClaimRetentionPolicy.whenScaled ??= 'Retain';
  for (const claim of spec.volumeClaimTemplates ?? []) {
    claim.apiVersion ??= 'v1';
    claim.kind ??= 'PersistentVolumeClaim';
    claim.spec ??= {};
    defaultPersistentVolumeClaim(claim);
  }
  defaultTemplate(spec.template);
  return sts;
}

export function validateStatefulSet(sts: any): StatusCause[] {
  const claims: any[] = sts.spec?.volumeClaimTemplates ?? [];
  const causes = validateWorkload(withClaimVolumes(sts, claims), 'statefulset', true);
  const names = new Set<string>();
  claims.forEach((claim, i) => {
    const at = `spec.volumeClaimTemplates[${i}]`;
    const name = claim.metadata?.name;
    if (!name) causes.push({ field: `${at}.metadata.name`, reason: 'FieldValueRequired', message: 'Required value: name or generateName is required' });
    else if (names.has(name)) causes.push({ field: `${at}.metadata.name`, reason: 'FieldValueDuplicate', message: `Duplicate value: ${JSON.stringify(name)}` });
    else names.add(name);
    causes.push(...validatePersistentVolumeClaim(claim).map((c) => ({ ...c, field: `${at}.${c.field}` })));
  });
  const ru = sts.spec?.updateStrategy?.rollingUpdate;
  if (ru && sts.spec?.updateStrategy?.type === 'OnDelete') {
    causes.push({ field: 'spec.updateStrategy.rollingUpdate', reason: 'FieldValueInvalid', message: "Invalid value: only allowed for updateStrategy 'RollingUpdate'" });
  }
  // Kept as kube-apiserver keeps it with the MaxUnavailableStatefulSet gate on (with the gate off it drops the field):
  // an int or percent of at least one member.
  if (ru?.maxUnavailable !== undefined) {
    const field = 'spec.updateStrategy.rollingUpdate.maxUnavailable';
    if (intOrPercent(field, ru.maxUnavailable, causes) === 0) causes.push({ field, reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(ru.maxUnavailable)}: cannot be 0` });
  }
  return causes;
}

/** The set as its members see it: each claim template is a volume the containers may mount (the controller adds them so). */
function withClaimVolumes(sts: any, claims: any[]): any {
  const podSpec = sts.spec?.template?.spec;
  if (!podSpec || claims.length === 0) return sts;
  const named = claims.map((c) => c.metadata?.name).filter((n) => typeof n === 'string');
  const volumes = [...(podSpec.volumes ?? []).filter((v: any) => !named.includes(v.name)), ...named.map((name) => ({ name, persistentVolumeClaim: { claimName: name } }))];
  return { ...sts, spec: { ...sts.spec, template: { ...sts.spec.template, spec: { ...podSpec, volumes } } } };
}

/** What a StatefulSet's spec may change after creation (kube-apiserver's ValidateStatefulSetUpdate). */
const STATEFULSET_MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

export function validateStatefulSetUpdate(old: any, next: any): StatusCause[] {
  const rest = (spec: any) => Object.fromEntries(Object.entries(spec ?? {}).filter(([k]) => !STATEFULSET_MUTABLE.includes(k)));
  if (deepEqual(rest(old.spec), rest(next.spec))) return validateSelectorUpdate(old, next);
  return [{
    field: 'spec',
    reason: 'FieldValueForbidden',
    message: "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  }];
}

export const setsKindStrategies: Record<string, KindStrategy> = {
  'apps/DaemonSet': { defaults: defaultDaemonSet, validate: validateDaemonSet, prepareUpdate: (_old, next) => defaultDaemonSet(next), validateUpdate: validateSelectorUpdate },
  'apps/StatefulSet': { defaults: defaultStatefulSet, validate: validateStatefulSet, prepareUpdate: (_old, next) => defaultStatefulSet(next), validateUpdate: validateStatefulSetUpdate },
};
