import {
  AdmissionRequest, MUTATING_WEBHOOK_CONFIGURATIONS_RESOURCE, STORAGE_POLICY_QUOTAS_RESOURCE,
  VALIDATING_ADMISSION_POLICY_BINDINGS_RESOURCE, VALIDATING_WEBHOOK_CONFIGURATIONS_RESOURCE,
} from '@openpacific/contracts';
import type { ReadModel } from '@openpacific/objects';

/** Why the policy service must be asked about a write (docs/governance.md, "When the gateway asks"). */
export type PolicyAskReason =
  | 'WebhookConfiguration'
  | 'AdmissionPolicyBinding'
  | 'NamespaceUnknown'
  | 'PodSecurityLabel'
  | 'ResourceQuota'
  | 'StoragePolicyQuota'
  | 'LimitRange'
  | 'VirtualMachine';

/** What the predicate reads of the gateway's read model. */
export type PolicyObjects = Pick<ReadModel, 'get' | 'list' | 'count'>;

/** The namespace label PodSecurity enforces (services/policy/src/pss/pod-security.ts). */
const POD_SECURITY_ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

/**
 * Whether any admitter of the policy service's chain (services/policy/src/policy.module.ts) could do anything about
 * the request — refuse, mutate, warn, annotate the audit record or reserve — given the objects as this gateway's read
 * model has them: the first reason found, or undefined when provably none could, and the policy service need not be
 * asked. Each admitter answers a bare `{ allowed: true }` without effects unless:
 * - MutatingAdmissionWebhook, ValidatingAdmissionWebhook: a webhook configuration exists (any request);
 * - ValidatingAdmissionPolicy: a binding exists (any request);
 * and, for a create or update of a namespaced object (every other operation they pass at once):
 * - PodSecurity: a Pod (itself or its ephemeralcontainers) in a namespace with the enforce label (none: privileged,
 *   no cluster-wide default);
 * - and for the object itself (no subresource): LimitRanger, a LimitRange in the namespace; ResourceQuota, a quota
 *   in it (none: no reservation either); StoragePolicyQuota, one in it; NamespaceUsage, a VirtualMachine (its class
 *   and image are looked up whatever the namespace has), or a claim or TKC in a namespace with a quota or a
 *   storage policy quota (covered above).
 * A namespace this model does not know is asked about: the policy service may know more.
 */
export function policyAskReason(request: Omit<AdmissionRequest, 'uid'>, objects: PolicyObjects): PolicyAskReason | undefined {
  if (objects.count(MUTATING_WEBHOOK_CONFIGURATIONS_RESOURCE) > 0 || objects.count(VALIDATING_WEBHOOK_CONFIGURATIONS_RESOURCE) > 0) return 'WebhookConfiguration';
  if (objects.count(VALIDATING_ADMISSION_POLICY_BINDINGS_RESOURCE) > 0) return 'AdmissionPolicyBinding';
  const ns = request.namespace;
  if (!ns || (request.operation !== 'CREATE' && request.operation !== 'UPDATE')) return undefined;
  const namespace = objects.get('namespaces', undefined, ns)?.object;
  if (!namespace) return 'NamespaceUnknown';
  const podOrItsEphemeralContainers = request.kind === 'Pod' && (!request.subResource || request.subResource === 'ephemeralcontainers');
  if (podOrItsEphemeralContainers && namespace.metadata?.labels?.[POD_SECURITY_ENFORCE_LABEL] !== undefined) return 'PodSecurityLabel';
  if (request.subResource) return undefined;
  if (objects.list('resourcequotas', ns).length > 0) return 'ResourceQuota';
  if (objects.list(STORAGE_POLICY_QUOTAS_RESOURCE, ns).length > 0) return 'StoragePolicyQuota';
  if (objects.list('limitranges', ns).length > 0) return 'LimitRange';
  if (request.kind === 'VirtualMachine') return 'VirtualMachine';
  return undefined;
}
