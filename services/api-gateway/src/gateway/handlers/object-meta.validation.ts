import { fieldForbidden, fieldInvalid, finalizerNameProblems, goQuote, goRendered, StatusCause, validateQualifiedName } from '@openpacific/kube-api';

/**
 * The parts of apimachinery's ObjectMeta validation (k8s.io/apimachinery/pkg/api/validation/objectmeta.go, as in
 * kube-apiserver 1.32) that apply to every kind, beyond the name, labels and annotations the request decoder checks:
 * owner references (on create and update) and no new finalizers on an object being deleted (on update).
 */

/** The label kube-apiserver puts on every Namespace: its name (NetworkPolicy namespaceSelectors match on it). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Kinds that may not own anything (apimachinery's BannedOwners), as GroupVersionKind.String() prints them. */
const BANNED_OWNERS = new Set(['/v1, Kind=Event']);

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** schema.FromAPIVersionAndKind: the group and version of an apiVersion (both empty when it does not parse). */
function groupVersionOf(apiVersion: string): { group: string; version: string } {
  if (apiVersion === '' || apiVersion === '/') return { group: '', version: '' };
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { group: '', version: apiVersion };
  if (parts.length === 2) return { group: parts[0], version: parts[1] };
  return { group: '', version: '' };
}

/** A `*bool` as Go's %#v prints it (the project's convention: the value for the address kube would show). */
const goBoolPointer = (v: unknown): string => (typeof v === 'boolean' ? `(*bool)(${v})` : '(*bool)(nil)');

/** A metav1.OwnerReference as Go's %#v prints it. */
function goOwnerReference(ref: any): string {
  return `v1.OwnerReference{APIVersion:${goQuote(str(ref?.apiVersion))}, Kind:${goQuote(str(ref?.kind))}, Name:${goQuote(str(ref?.name))}, `
    + `UID:${goQuote(str(ref?.uid))}, Controller:${goBoolPointer(ref?.controller)}, BlockOwnerDeletion:${goBoolPointer(ref?.blockOwnerDeletion)}}`;
}

/**
 * apimachinery's ValidateOwnerReferences: each reference names an apiVersion (with a version), a kind, a name and a
 * uid, and is not a v1 Event; at most one is the controller. The causes name `metadata.ownerReferences` without an
 * index, as kube-apiserver's do.
 */
export function validateOwnerReferences(refs: unknown, path = 'metadata.ownerReferences'): StatusCause[] {
  if (!Array.isArray(refs)) return [];
  const causes: StatusCause[] = [];
  let firstController = '';
  for (const ref of refs) {
    const apiVersion = str(ref?.apiVersion);
    const kind = str(ref?.kind);
    const gv = groupVersionOf(apiVersion);
    if (gv.version === '') causes.push(fieldInvalid(`${path}.apiVersion`, apiVersion, 'version must not be empty'));
    if (kind === '') causes.push(fieldInvalid(`${path}.kind`, kind, 'kind must not be empty'));
    if (str(ref?.name) === '') causes.push(fieldInvalid(`${path}.name`, str(ref?.name), 'name must not be empty'));
    if (str(ref?.uid) === '') causes.push(fieldInvalid(`${path}.uid`, str(ref?.uid), 'uid must not be empty'));
    const gvk = `${gv.group}/${gv.version}, Kind=${kind}`;
    if (BANNED_OWNERS.has(gvk)) causes.push(fieldInvalid(path, goRendered(goOwnerReference(ref)), `${gvk} is disallowed from being an owner`));
    if (ref?.controller === true) {
      const current = `${kind}/${str(ref?.name)}`;
      if (firstController !== '') {
        const all = `[]v1.OwnerReference{${refs.map(goOwnerReference).join(', ')}}`;
        causes.push(fieldInvalid(path, goRendered(all), `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`));
      } else {
        firstController = current;
      }
    }
  }
  return causes;
}

/**
 * apimachinery's ValidateNoNewFinalizers, which ValidateObjectMetaUpdate applies once the object is being deleted:
 * the finalizers it did not have before, sorted, as Go prints a []string.
 */
export function validateNoNewFinalizers(oldMeta: any, newMeta: any): StatusCause[] {
  if (!oldMeta?.deletionTimestamp) return [];
  const before = new Set<string>(Array.isArray(oldMeta.finalizers) ? oldMeta.finalizers : []);
  const added = [...new Set<string>(Array.isArray(newMeta?.finalizers) ? newMeta.finalizers : [])].filter((f) => !before.has(f)).sort();
  if (added.length === 0) return [];
  return [fieldForbidden('metadata.finalizers', `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map(goQuote).join(', ')}}`)];
}

/**
 * The API groups kube-apiserver serves itself, whose kinds' metadata go through the core group's ValidateObjectMeta
 * (k8s.io/kubernetes/pkg/apis/core/validation) and so its stricter finalizer names. CustomResourceDefinitions and
 * APIServices (apiextensions, apiregistration) and every kind that is a custom resource on a Supervisor (VM
 * Operator's, Cluster API's, TKG's, the snapshot CRDs) have apimachinery's rules only.
 */
const CORE_VALIDATED_GROUPS = new Set([
  '', 'apps', 'batch', 'autoscaling', 'policy', 'rbac.authorization.k8s.io', 'networking.k8s.io', 'storage.k8s.io', 'scheduling.k8s.io',
  'coordination.k8s.io', 'certificates.k8s.io', 'node.k8s.io', 'discovery.k8s.io', 'events.k8s.io', 'admissionregistration.k8s.io',
  'flowcontrol.apiserver.k8s.io', 'resource.k8s.io',
]);

const finalizersOf = (meta: any): string[] => (Array.isArray(meta?.finalizers) ? meta.finalizers.filter((f: unknown): f is string => typeof f === 'string') : []);

/**
 * apimachinery's ValidateFinalizers: each finalizer a qualified name (the cause names `metadata.finalizers`, as
 * kube-apiserver's does), not both `orphan` and `foregroundDeletion`. For the kinds of kube-apiserver's own groups,
 * then the core group's rule: a name without a `/` must be a standard one (`kubernetes`, `orphan`,
 * `foregroundDeletion`), which names `metadata.finalizers[i]`.
 */
export function validateFinalizers(group: string, meta: any): StatusCause[] {
  const finalizers = finalizersOf(meta);
  const causes = finalizers.flatMap((f) => validateQualifiedName(f).map((p) => fieldInvalid('metadata.finalizers', f, p)));
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    causes.push(fieldInvalid('metadata.finalizers', goRendered(`[]string{${finalizers.map(goQuote).join(', ')}}`), 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  if (CORE_VALIDATED_GROUPS.has(group)) finalizers.forEach((f, i) => causes.push(...finalizerNameProblems(f).map((p) => fieldInvalid(`metadata.finalizers[${i}]`, f, p))));
  return causes;
}

/**
 * The warnings kube-apiserver gives a custom resource's finalizer without a path (`example.com/cleanup` is
 * preferred to `cleanup.example.com`): on a create every such finalizer, on an update those it adds. The kinds of
 * kube-apiserver's own groups refuse such names instead (validateFinalizers).
 */
export function finalizerWarnings(group: string, meta: any, oldMeta?: any): string[] {
  if (CORE_VALIDATED_GROUPS.has(group)) return [];
  const had = new Set(finalizersOf(oldMeta));
  return finalizersOf(meta)
    .filter((f) => !had.has(f) && !f.includes('/') && validateQualifiedName(f).length === 0)
    .map((f) => `metadata.finalizers: ${goQuote(f)}: prefer a domain-qualified finalizer name including a path (/) to avoid accidental conflicts with other finalizer writers`);
}

/** The ObjectMeta rules of a create that every kind shares (besides name, labels and annotations). */
export function validateObjectMetaCreate(group: string, meta: any): StatusCause[] {
  return [...validateFinalizers(group, meta), ...validateOwnerReferences(meta?.ownerReferences)];
}

/** The ObjectMeta rules of an update that every kind shares, in kube-apiserver's order. */
export function validateObjectMetaUpdate(group: string, oldMeta: any, newMeta: any): StatusCause[] {
  return [...validateNoNewFinalizers(oldMeta, newMeta), ...validateFinalizers(group, newMeta), ...validateOwnerReferences(newMeta?.ownerReferences)];
}

/**
 * A Namespace as kube-apiserver stores it on every create and update (and shows it on every read): labelled
 * `kubernetes.io/metadata.name` with its own name, whatever the writer sent for that label. Changes `ns` in place.
 */
export function labelNamespaceName(ns: any): any {
  const name = ns?.metadata?.name;
  if (typeof name === 'string' && name !== '') ns.metadata.labels = { ...(ns.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: name };
  return ns;
}

/** Whether a stored Namespace lacks its `kubernetes.io/metadata.name` label (one stored before the gateway set it). */
export function lacksNamespaceNameLabel(ns: any): boolean {
  return typeof ns?.metadata?.name === 'string' && ns.metadata.labels?.[NAMESPACE_NAME_LABEL] !== ns.metadata.name;
}
