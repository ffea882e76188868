import { fieldNotSupported, StatusCause } from '@openpacific/kube-api';
import { VMOPERATOR_GROUP, VMOPERATOR_HUB, VMOPERATOR_VERSIONS } from '@openpacific/contracts';

const SOURCE_API_VERSIONS = VMOPERATOR_VERSIONS.map((v) => `${VMOPERATOR_GROUP}/${v}`);
const LOCATION_API_VERSION = 'imageregistry.vmware.com/v1alpha1';

/** The CRD's defaults (kubebuilder:default) for the source's and the location's kind and apiVersion. */
export function defaultPublishRequest(req: any): any {
  req.spec ??= {};
  const spec = req.spec;
  spec.source = { apiVersion: `${VMOPERATOR_GROUP}/${VMOPERATOR_HUB}`, kind: 'VirtualMachine', ...(spec.source ?? {}) };
  spec.target ??= {};
  spec.target.location = { apiVersion: LOCATION_API_VERSION, kind: 'ContentLibrary', ...(spec.target.location ?? {}) };
  return req;
}

/** As VM Operator's validating webhook: a VirtualMachine source, a ContentLibrary target. */
export function validatePublishRequest(req: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const src = req.spec?.source ?? {};
  const loc = req.spec?.target?.location ?? {};
  // The CRD's enums list "" as well (an unset value), and kube-apiserver names it among the supported values.
  if (src.apiVersion && !SOURCE_API_VERSIONS.includes(src.apiVersion)) causes.push(fieldNotSupported('spec.source.apiVersion', src.apiVersion, [...SOURCE_API_VERSIONS, '']));
  if (src.kind && src.kind !== 'VirtualMachine') causes.push(fieldNotSupported('spec.source.kind', src.kind, ['VirtualMachine', '']));
  if (loc.apiVersion && loc.apiVersion !== LOCATION_API_VERSION) causes.push(fieldNotSupported('spec.target.location.apiVersion', loc.apiVersion, [LOCATION_API_VERSION, '']));
  if (loc.kind && loc.kind !== 'ContentLibrary') causes.push(fieldNotSupported('spec.target.location.kind', loc.kind, ['ContentLibrary', '']));
  return causes;
}

/** Source and target never change: a changed request could publish a second item for one request. */
export function validatePublishRequestUpdate(old: any, next: any): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const part of ['source', 'target'] as const) {
    const before = JSON.stringify(old.spec?.[part] ?? {});
    const after = JSON.stringify(next.spec?.[part] ?? {});
    if (before !== after) causes.push({ field: `spec.${part}`, reason: 'FieldValueInvalid', message: `Invalid value: ${after}: field is immutable` });
  }
  return causes;
}
