import { fieldForbidden, StatusCause } from '@openpacific/kube-api';

/**
 * The VirtualMachine annotations the control plane keeps and acts on: the vm-operator's address and placement
 * (`vmoperator.openpacific.io/ip`, `/placement`), the hosts' guest heartbeat and guestinfo keys (`/guest-heartbeat`,
 * `/guestinfo`, which readiness probes judge), the scheduler's host epoch (`infrastructure.openpacific.io/host-epoch`),
 * and VM Operator's protected ones (`vmoperator.vmware.com.protected/apply-power-state-time`, a group's boot order).
 * No annotation under these is the user's to set on a VM.
 */
const OWNED_PREFIXES = ['vmoperator.openpacific.io/', 'infrastructure.openpacific.io/'];

/** VM Operator's rule for its protected annotations: a key whose prefix ends `.protected` (`^.+\.protected(/.*)?$`). */
function isProtected(key: string): boolean {
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? key : key.slice(0, slash);
  return prefix.length > '.protected'.length && prefix.endsWith('.protected');
}

export function isControlPlaneAnnotation(key: string): boolean {
  return OWNED_PREFIXES.some((p) => key.startsWith(p)) || isProtected(key);
}

/**
 * The identities the system's own writers use (their events' actor; they write to the log directly, and so would
 * authenticate as these if they came through the gateway): the vm-operator's service account, the scheduler's, the
 * hosts (`system:node:<host>` in `system:nodes`, as kube's node authorizer knows them), plus VM Operator's other
 * privileged users: the cluster admins (`system:masters`, the gateway's own `system:apiserver` too) and kubeadm's
 * `kubernetes-admin`.
 */
const CONTROL_PLANE_USERS = new Set([
  'system:serviceaccount:vmware-system-vmop:vmware-system-vmop-controller-manager',
  'system:serviceaccount:kube-system:default-scheduler',
  'kubernetes-admin',
]);

export function isControlPlaneWriter(user: { username: string; groups: string[] } | undefined): boolean {
  if (!user) return false;
  if (CONTROL_PLANE_USERS.has(user.username) || user.groups.includes('system:masters')) return true;
  return user.username.startsWith('system:node:') && user.groups.includes('system:nodes');
}

const FIELD = (key: string) => `metadata.annotations[${key}]`;

/**
 * VM Operator's validating webhook on the annotations it owns: anyone else may not add, change or remove one
 * (`old` absent on create, where every one is an addition). A write that leaves them as they were passes (kubectl
 * apply, edit, or a copy of the VM written back). Runs on every VM write: one pass over each annotation map, a
 * prefix test per key, and the writer looked at only when one of them changed.
 */
export function controlPlaneAnnotationCauses(old: any, next: any, user: { username: string; groups: string[] } | undefined): StatusCause[] {
  const before: Record<string, string> = old?.metadata?.annotations ?? {};
  const after: Record<string, string> = next?.metadata?.annotations ?? {};
  const causes: StatusCause[] = [];
  for (const key in after) {
    if (!isControlPlaneAnnotation(key)) continue;
    if (!Object.hasOwn(before, key)) causes.push(fieldForbidden(FIELD(key), 'adding this annotation is restricted to privileged users'));
    else if (before[key] !== after[key]) causes.push(fieldForbidden(FIELD(key), 'modifying this annotation is restricted to privileged users'));
  }
  for (const key in before) {
    if (isControlPlaneAnnotation(key) && !Object.hasOwn(after, key)) causes.push(fieldForbidden(FIELD(key), 'removing this annotation is restricted to privileged users'));
  }
  return causes.length > 0 && isControlPlaneWriter(user) ? [] : causes;
}
