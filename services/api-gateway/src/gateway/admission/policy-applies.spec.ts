import {
  AdmissionRequest, MUTATING_WEBHOOK_CONFIGURATIONS_RESOURCE, objectStreamId, STORAGE_POLICY_QUOTAS_RESOURCE,
  VALIDATING_ADMISSION_POLICY_BINDINGS_RESOURCE, VALIDATING_WEBHOOK_CONFIGURATIONS_RESOURCE,
} from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { ReadModel } from '@openpacific/objects';
import { policyAskReason } from './policy-applies';

let position = 0n;
/** The read model with these objects created, as the gateway's follower would have applied them. */
function modelWith(...objects: Array<{ resource: string; object: any }>): ReadModel {
  const model = new ReadModel();
  for (const { resource, object } of objects) {
    position += 1n;
    model.apply({
      id: `e${position}`, streamId: objectStreamId(resource, object.metadata.namespace, object.metadata.name), streamVersion: 1, type: 'ResourceCreated',
      data: { resource, object: { ...object, metadata: { uid: `u${position}`, ...object.metadata } } }, metadata: { actor: 'admin', source: 'test' },
      position, transactionId: 1n, createdAt: new Date(),
    } as RecordedEvent);
  }
  return model;
}

const namespace = (name: string, labels?: Record<string, string>) => ({ resource: 'namespaces', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(labels ? { labels } : {}) } } });
const inTeam = (resource: string, kind: string, name = 'x') => ({ resource, object: { kind, metadata: { name, namespace: 'team' } } });
const cluster = (resource: string, kind: string) => ({ resource, object: { kind, metadata: { name: 'x' } } });

const request = (overrides: Partial<AdmissionRequest> = {}): Omit<AdmissionRequest, 'uid'> => ({
  operation: 'CREATE', user: { username: 'u', groups: [] }, resource: { group: '', version: 'v1', resource: 'pods' }, kind: 'Pod',
  namespace: 'team', name: 'p', object: { metadata: { name: 'p', namespace: 'team' } }, dryRun: false, ...overrides,
});
const vm = request({ kind: 'VirtualMachine', resource: { group: 'vmoperator.vmware.com', version: 'v1alpha5', resource: 'virtualmachines' } });
const configMap = request({ kind: 'ConfigMap', resource: { group: '', version: 'v1', resource: 'configmaps' } });

describe('whether the policy service must be asked about a write', () => {
  it('need not be asked about a pod, a config map or their deletion in a namespace with nothing configured', () => {
    const model = modelWith(namespace('team'));
    expect(policyAskReason(request(), model)).toBeUndefined();
    expect(policyAskReason(request({ operation: 'UPDATE', oldObject: {} }), model)).toBeUndefined();
    expect(policyAskReason(configMap, model)).toBeUndefined();
    expect(policyAskReason(request({ operation: 'DELETE', object: undefined }), model)).toBeUndefined();
  });

  it('need not be asked about a cluster-scoped object without webhooks or policy bindings', () => {
    expect(policyAskReason(request({ kind: 'Namespace', resource: { group: '', version: 'v1', resource: 'namespaces' }, namespace: undefined }), modelWith())).toBeUndefined();
  });

  it('is asked about anything while a mutating webhook configuration exists', () => {
    const model = modelWith(namespace('team'), cluster(MUTATING_WEBHOOK_CONFIGURATIONS_RESOURCE, 'MutatingWebhookConfiguration'));
    expect(policyAskReason(request(), model)).toBe('WebhookConfiguration');
    expect(policyAskReason(request({ operation: 'DELETE', object: undefined }), model)).toBe('WebhookConfiguration');
    expect(policyAskReason(request({ kind: 'Namespace', namespace: undefined }), model)).toBe('WebhookConfiguration');
  });

  it('is asked about anything while a validating webhook configuration exists', () => {
    expect(policyAskReason(configMap, modelWith(namespace('team'), cluster(VALIDATING_WEBHOOK_CONFIGURATIONS_RESOURCE, 'ValidatingWebhookConfiguration')))).toBe('WebhookConfiguration');
  });

  it('is asked about anything while a ValidatingAdmissionPolicyBinding exists', () => {
    const model = modelWith(namespace('team'), cluster(VALIDATING_ADMISSION_POLICY_BINDINGS_RESOURCE, 'ValidatingAdmissionPolicyBinding'));
    expect(policyAskReason(configMap, model)).toBe('AdmissionPolicyBinding');
    expect(policyAskReason(request({ operation: 'DELETE', object: undefined }), model)).toBe('AdmissionPolicyBinding');
  });

  it('is asked about a pod in a namespace with a Pod Security enforce label, not about its other objects', () => {
    const model = modelWith(namespace('team', { 'pod-security.kubernetes.io/enforce': 'restricted' }));
    expect(policyAskReason(request(), model)).toBe('PodSecurityLabel');
    expect(policyAskReason(request({ operation: 'UPDATE', subResource: 'ephemeralcontainers' }), model)).toBe('PodSecurityLabel');
    expect(policyAskReason(request({ operation: 'UPDATE', subResource: 'status' }), model)).toBeUndefined();
    expect(policyAskReason(configMap, model)).toBeUndefined();
    expect(policyAskReason(request(), modelWith(namespace('team', { 'pod-security.kubernetes.io/warn': 'restricted' })))).toBeUndefined();
  });

  it('is asked about creates and updates in a namespace with a ResourceQuota, not about deletes or subresources', () => {
    const model = modelWith(namespace('team'), inTeam('resourcequotas', 'ResourceQuota'));
    expect(policyAskReason(request(), model)).toBe('ResourceQuota');
    expect(policyAskReason(configMap, model)).toBe('ResourceQuota');
    expect(policyAskReason(request({ operation: 'DELETE', object: undefined }), model)).toBeUndefined();
    expect(policyAskReason(request({ operation: 'UPDATE', subResource: 'status' }), model)).toBeUndefined();
    // Another namespace's quota is not this one's.
    expect(policyAskReason(request({ namespace: 'other' }), modelWith(namespace('other'), inTeam('resourcequotas', 'ResourceQuota')))).toBeUndefined();
  });

  it('is asked in a namespace with a LimitRange', () => {
    expect(policyAskReason(request(), modelWith(namespace('team'), inTeam('limitranges', 'LimitRange')))).toBe('LimitRange');
  });

  it('is asked in a namespace with a StoragePolicyQuota', () => {
    expect(policyAskReason(request(), modelWith(namespace('team'), inTeam(STORAGE_POLICY_QUOTAS_RESOURCE, 'StoragePolicyQuota')))).toBe('StoragePolicyQuota');
  });

  it('is asked about every VirtualMachine (its class and image must be the namespace\'s)', () => {
    expect(policyAskReason(vm, modelWith(namespace('team')))).toBe('VirtualMachine');
    expect(policyAskReason({ ...vm, operation: 'DELETE', object: undefined }, modelWith(namespace('team')))).toBeUndefined();
  });

  it('is asked about a write in a namespace this gateway does not know', () => {
    expect(policyAskReason(request(), modelWith())).toBe('NamespaceUnknown');
  });
});
