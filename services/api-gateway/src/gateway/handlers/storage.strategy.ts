import { fieldForbidden, fieldRequired, isQuantity, parseQuantity, StatusCause, validateDns1123Subdomain } from '@openpacific/kube-api';
import { BETA_STORAGE_CLASS_ANNOTATION, isDefaultStorageClass, PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER, STORAGE_CLASSES_RESOURCE } from '@openpacific/contracts';
import type { KindStrategy, StrategyContext } from './kind-strategies';
import { deepEqual } from './object-rules';
import { resourceListCauses } from './quota.strategy';

/**
 * Server-side rules of StorageClass, PersistentVolumeClaim and PersistentVolume, worded as kube-apiserver
 * words them (its validation, and the PersistentVolumeClaimResize admission plugin for expansion).
 */

/** Finds a StorageClass by name; the gateway sets it to read its read model (expansion needs the class). */
export type StorageClassLookup = (name: string) => any | undefined;
let storageClassOf: StorageClassLookup = () => undefined;

export function setStorageClassLookup(lookup: StorageClassLookup): void {
  storageClassOf = lookup;
}

const invalidQuantity = (q: unknown) => `Invalid value: "${q}": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`;

/** A storage size that must be present, a quantity, and above zero. */
function storageSizeCauses(field: string, q: unknown): StatusCause[] {
  if (q === undefined || q === null || q === '') return [{ field, reason: 'FieldValueRequired', message: 'Required value' }];
  if (!isQuantity(q)) return [{ field, reason: 'FieldValueInvalid', message: invalidQuantity(q) }];
  const bytes = parseQuantity(q as string)!;
  if (bytes < 0) return [{ field, reason: 'FieldValueInvalid', message: `Invalid value: "${q}": must be greater than or equal to 0` }];
  if (bytes === 0) return [{ field, reason: 'FieldValueInvalid', message: `Invalid value: "${q}": must be greater than zero` }];
  return [];
}

function accessModesCauses(field: string, modes: unknown): StatusCause[] {
  return Array.isArray(modes) && modes.length > 0 ? [] : [{ field, reason: 'FieldValueRequired', message: 'Required value: at least 1 access mode is required' }];
}

// --- PersistentVolumeClaim ---

/** The StorageObjectInUseProtection admission plugin: a new claim or volume carries its protection finalizer. */
function withFinalizer(obj: any, finalizer: string): any {
  const finalizers: string[] = Array.isArray(obj.metadata?.finalizers) ? obj.metadata.finalizers : [];
  if (!finalizers.includes(finalizer)) obj.metadata = { ...obj.metadata, finalizers: [...finalizers, finalizer] };
  return obj;
}

/**
 * The DefaultStorageClass admission plugin: a new claim naming no class (neither `spec.storageClassName` nor the beta
 * annotation) gets the default class's name, the newest default when several are marked; none marked, none given.
 */
function withDefaultClass(pvc: any, ctx: StrategyContext): any {
  if (pvc.spec.storageClassName !== undefined || pvc.metadata?.annotations?.[BETA_STORAGE_CLASS_ANNOTATION] !== undefined) return pvc;
  const defaults = ctx.readModel.list(STORAGE_CLASSES_RESOURCE).map((s) => s.object).filter(isDefaultStorageClass);
  defaults.sort((a, b) => String(b.metadata.creationTimestamp ?? '').localeCompare(String(a.metadata.creationTimestamp ?? '')) || String(a.metadata.name).localeCompare(String(b.metadata.name)));
  if (defaults.length) pvc.spec.storageClassName = defaults[0].metadata.name;
  return pvc;
}

/** Also a StatefulSet's claim templates' defaults (without the admission's finalizer). */
export function defaultPersistentVolumeClaim(pvc: any): any {
  pvc.spec.volumeMode ??= 'Filesystem';
  normalizeDataSources(pvc.spec);
  pvc.status = { phase: 'Pending' };
  return pvc;
}

/**
 * kube-apiserver's NormalizeDataSources: a claim naming its data source one way names it both ways (`dataSource` and
 * `dataSourceRef`), except a reference into another namespace, which `dataSource` cannot hold. Cross-namespace
 * sources are an alpha feature Kubernetes 1.32 has off: the namespace is dropped, as kube-apiserver drops it.
 */
function normalizeDataSources(spec: any): void {
  if (spec.dataSourceRef && typeof spec.dataSourceRef === 'object') delete spec.dataSourceRef.namespace;
  const copy = (ref: any) => ({ ...(ref.apiGroup !== undefined ? { apiGroup: ref.apiGroup } : {}), kind: ref.kind, name: ref.name });
  if (spec.dataSource && !spec.dataSourceRef) spec.dataSourceRef = copy(spec.dataSource);
  else if (spec.dataSourceRef && !spec.dataSource) spec.dataSource = copy(spec.dataSourceRef);
}

/** A claim's data source (`dataSource` or `dataSourceRef`), as kube-apiserver's validateDataSource checks it. */
function dataSourceCauses(field: string, ref: any): StatusCause[] {
  if (ref === undefined || ref === null) return [];
  const causes: StatusCause[] = [];
  if (!ref.name) causes.push(fieldRequired(`${field}.name`));
  if (!ref.kind) causes.push(fieldRequired(`${field}.kind`));
  const group = ref.apiGroup ?? '';
  if (!group && ref.kind !== 'PersistentVolumeClaim') {
    causes.push({ field, reason: 'FieldValueInvalid', message: `Invalid value: "${ref.kind ?? ''}": must be 'PersistentVolumeClaim' when referencing the default apiGroup` });
  }
  if (group) for (const problem of validateDns1123Subdomain(group)) causes.push({ field: `${field}.apiGroup`, reason: 'FieldValueInvalid', message: `Invalid value: "${group}": ${problem}` });
  return causes;
}

export function validatePersistentVolumeClaim(pvc: any): StatusCause[] {
  const spec = pvc.spec ?? {};
  const causes = [
    ...accessModesCauses('spec.accessModes', spec.accessModes),
    ...storageSizeCauses('spec.resources[storage]', spec.resources?.requests?.storage),
    ...dataSourceCauses('spec.dataSource', spec.dataSource),
    ...dataSourceCauses('spec.dataSourceRef', spec.dataSourceRef),
  ];
  const same = (a: any, b: any) => (a.apiGroup ?? '') === (b.apiGroup ?? '') && a.kind === b.kind && a.name === b.name;
  if (spec.dataSource && spec.dataSourceRef && !same(spec.dataSource, spec.dataSourceRef)) {
    causes.push({ field: 'spec.dataSource', reason: 'FieldValueInvalid', message: 'Invalid value: "object": must match dataSourceRef' });
  }
  return causes;
}

/** The spec without what may change after creation: the volume name (set once, by binding) and the storage request. */
function claimSpecWithoutMutables(spec: any, old: any): any {
  return {
    ...spec,
    volumeName: old.volumeName ? spec.volumeName : undefined,
    // Kubernetes lets a claim without a class get one later (the default class, assigned retroactively).
    storageClassName: old.storageClassName === undefined ? undefined : spec.storageClassName,
    resources: { ...spec.resources, requests: { ...spec.resources?.requests, storage: undefined } },
  };
}

export function validatePersistentVolumeClaimUpdate(old: any, next: any): StatusCause[] {
  const before = old.spec ?? {};
  const after = next.spec ?? {};
  if (!deepEqual(claimSpecWithoutMutables(before, before), claimSpecWithoutMutables(after, before))) {
    return [fieldForbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims')];
  }
  return storageChangeCauses(old, next);
}

/** A new storage request: only for a bound claim, only larger, only when its class allows expansion. */
function storageChangeCauses(old: any, next: any): StatusCause[] {
  const field = 'spec.resources.requests.storage';
  const was = old.spec?.resources?.requests?.storage;
  const now = next.spec?.resources?.requests?.storage;
  if (deepEqual(was, now) || !isQuantity(was) || !isQuantity(now)) return [];
  if (old.status?.phase !== 'Bound') {
    return [fieldForbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims')];
  }
  if (parseQuantity(now)! < parseQuantity(was)!) return [{ field, reason: 'FieldValueForbidden', message: 'Forbidden: field can not be less than previous value' }];
  const className = old.spec?.storageClassName;
  if (!className || storageClassOf(className)?.allowVolumeExpansion !== true) {
    return [{ field, reason: 'FieldValueForbidden', message: 'Forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize' }];
  }
  return [];
}

// --- StorageClass ---

export function defaultStorageClassFields(sc: any): any {
  sc.reclaimPolicy ??= 'Delete';
  sc.volumeBindingMode ??= 'Immediate';
  return sc;
}

export function validateStorageClass(sc: any): StatusCause[] {
  return sc.provisioner ? [] : [fieldRequired('provisioner')];
}

const IMMUTABLE_CLASS_FIELDS = ['parameters', 'provisioner', 'reclaimPolicy', 'volumeBindingMode'] as const;

export function validateStorageClassUpdate(old: any, next: any): StatusCause[] {
  return IMMUTABLE_CLASS_FIELDS.filter((f) => !deepEqual(old[f], next[f])).map((f) => (fieldForbidden(f, `updates to ${f} are forbidden.`)));
}

// --- PersistentVolume ---

const VOLUME_SOURCES = ['hostPath', 'local', 'csi', 'nfs'] as const;

export function defaultPersistentVolume(pv: any): any {
  pv.spec.persistentVolumeReclaimPolicy ??= 'Retain';
  pv.spec.volumeMode ??= 'Filesystem';
  pv.status = { phase: 'Pending' };
  return pv;
}

export function validatePersistentVolume(pv: any): StatusCause[] {
  const spec = pv.spec ?? {};
  const causes = [...accessModesCauses('spec.accessModes', spec.accessModes), ...storageSizeCauses('spec.capacity[storage]', spec.capacity?.storage)];
  const sources = VOLUME_SOURCES.filter((s) => spec[s] !== undefined);
  if (sources.length === 0) causes.push(fieldRequired('spec', 'must specify a volume type'));
  if (sources.length > 1) causes.push({ field: `spec.${sources[1]}`, reason: 'FieldValueForbidden', message: 'Forbidden: may not specify more than 1 volume type' });
  const path = spec.hostPath?.path ?? spec.local?.path;
  if (path !== undefined && !String(path).startsWith('/')) {
    causes.push({ field: `spec.${spec.hostPath ? 'hostPath' : 'local'}.path`, reason: 'FieldValueInvalid', message: `Invalid value: "${path}": must be an absolute path` });
  }
  return causes;
}

export function validatePersistentVolumeUpdate(old: any, next: any): StatusCause[] {
  const causes: StatusCause[] = [];
  if (VOLUME_SOURCES.some((s) => !deepEqual(old.spec?.[s], next.spec?.[s]))) {
    causes.push(fieldForbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
  }
  if (old.spec?.volumeMode !== next.spec?.volumeMode) causes.push({ field: 'spec.volumeMode', reason: 'FieldValueInvalid', message: `Invalid value: "${next.spec?.volumeMode}": field is immutable` });
  return causes;
}

/** The entries kind-strategies.ts spreads into its table. */
export const storageKindStrategies: Record<string, KindStrategy> = {
  'storage.k8s.io/StorageClass': { defaults: defaultStorageClassFields, validate: validateStorageClass, validateUpdate: validateStorageClassUpdate },
  '/PersistentVolumeClaim': {
    defaults: (pvc, ctx) => withFinalizer(withDefaultClass(defaultPersistentVolumeClaim(pvc), ctx), PVC_PROTECTION_FINALIZER), validate: validatePersistentVolumeClaim, validateUpdate: validatePersistentVolumeClaimUpdate,
    // ValidatePersistentVolumeClaimStatusUpdate's sizes: a capacity of `fz-str` was stored, and `kubectl describe pvc` then failed.
    validateStatusUpdate: (_old, next) => [...resourceListCauses('status.capacity', next.status?.capacity), ...resourceListCauses('status.allocatedResources', next.status?.allocatedResources)],
  },
  '/PersistentVolume': { defaults: (pv) => withFinalizer(defaultPersistentVolume(pv), PV_PROTECTION_FINALIZER), validate: validatePersistentVolume, validateUpdate: validatePersistentVolumeUpdate },
};
