import type { AdmissionRequest, AdmissionResponse, NatsNames } from '@openpacific/contracts';
import { requestJson } from '@openpacific/messaging';
import type { NatsConnection } from 'nats';
import { randomUUID } from 'node:crypto';

const USER = {
  username: 'system:serviceaccount:vmware-system-vmop:vmware-system-vmop-controller-manager',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:vmware-system-vmop', 'system:authenticated'],
};
const ADMISSION_TIMEOUT_MS = 5000;

export type VmAdmission = { allowed: true; vm: any } | { allowed: false; message: string };

/**
 * The policy service's verdict on a VM a replica set creates, asked as the API server asks it for a user's VM
 * (quota, limit ranges, namespace access), so a set cannot make VMs its namespace could not hold. A policy service
 * that does not answer is an error (the pass retries), not a refusal.
 */
export async function admitVm(nats: NatsConnection, names: NatsNames, vm: any): Promise<VmAdmission> {
  const request: AdmissionRequest = {
    uid: randomUUID(), operation: 'CREATE', user: USER, resource: { group: 'vmoperator.vmware.com', version: 'v1alpha5', resource: 'virtualmachines' },
    kind: 'VirtualMachine', namespace: vm.metadata.namespace, name: vm.metadata.name, object: vm, dryRun: false,
  };
  const verdict = await requestJson<AdmissionRequest, AdmissionResponse & { error?: { message: string } }>(nats, names.admission, request, ADMISSION_TIMEOUT_MS, { payloads: names.payloads });
  if (verdict.error) throw new Error(`admission of VirtualMachine ${vm.metadata.namespace}/${vm.metadata.name} failed: ${verdict.error.message}`);
  if (verdict.allowed) return { allowed: true, vm: verdict.patchedObject ?? vm };
  const reason = verdict.status?.message ?? 'denied by the policy service';
  const prefix = `virtualmachines.vmoperator.vmware.com "${vm.metadata.name}" is forbidden: `;
  return { allowed: false, message: reason.startsWith(prefix) ? reason : prefix + reason };
}
