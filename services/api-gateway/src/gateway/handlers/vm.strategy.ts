import { fieldForbidden, fieldInvalid, fieldNotSupported, fieldRequired, invalid, StatusCause } from '@openpacific/kube-api';
import { deepEqual } from './object-rules';
import { isIPv4, rfc3339 } from '@openpacific/contracts';
import { allocateFor, claimChosen } from './cluster-ip';
import type { StrategyContext } from './kind-strategies';
import type { Allocation } from './allocations';

/**
 * VirtualMachine rules of the real vm-operator's webhooks, on the stored (v1alpha5) shape: defaults on
 * create, what may not be set on create, and the fields that are immutable.
 */
export function defaultVirtualMachine(vm: any): any {
  const spec = (vm.spec ??= {});
  spec.powerState ??= 'PoweredOn';
  spec.powerOffMode ??= 'TrySoft';
  spec.suspendMode ??= 'TrySoft';
  spec.restartMode ??= 'TrySoft';
  return vm;
}

/** A new VM cannot start suspended, and cannot be restarted before it ever ran. */
export function validateVirtualMachineCreate(vm: any): StatusCause[] {
  const causes: StatusCause[] = [];
  if (vm.spec?.powerState === 'Suspended') {
    causes.push({ field: 'spec.powerState', reason: 'FieldValueInvalid', message: 'Invalid value: "Suspended": cannot set a new VM\'s power state to Suspended' });
  }
  if (vm.spec?.nextRestartTime) causes.push(fieldForbidden('spec.nextRestartTime', 'cannot restart a VM on create'));
  if (vm.spec?.currentSnapshotName) causes.push(fieldForbidden('spec.currentSnapshotName', 'creating VM with current snapshot is not allowed'));
  return causes;
}

export function validateVirtualMachine(vm: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = vm.spec ?? {};
  if (spec.nextRestartTime !== undefined && spec.nextRestartTime !== '' && spec.nextRestartTime !== 'now' && Number.isNaN(Date.parse(spec.nextRestartTime))) {
    causes.push({ field: 'spec.nextRestartTime', reason: 'FieldValueInvalid', message: `Invalid value: "${spec.nextRestartTime}": may only be set to "now"` });
  }
  if (!spec.className) causes.push(fieldRequired('spec.className'));
  if (!spec.imageName && !spec.image?.name) causes.push(fieldRequired('spec.imageName'));
  return causes.concat(validateReadinessProbe(spec.readinessProbe), validateVmAffinity(spec));
}

const ZONE = 'topology.kubernetes.io/zone';
const HOSTNAME = 'kubernetes.io/hostname';
const VMOP_LABELS = 'label selector can not contain VM Operator managed labels (vmoperator.vmware.com)';
/**
 * The topology keys the webhook allows per list: VM affinity is zonal only; anti-affinity may also be per host
 * (required terms: for privileged accounts there; every user here, which has no such accounts).
 */
const TOPOLOGY_KEYS: [string, string, string[]][] = [
  ['vmAffinity', 'requiredDuringSchedulingPreferredDuringExecution', [ZONE]],
  ['vmAffinity', 'preferredDuringSchedulingPreferredDuringExecution', [ZONE]],
  ['vmAntiAffinity', 'requiredDuringSchedulingPreferredDuringExecution', [ZONE, HOSTNAME]],
  ['vmAntiAffinity', 'preferredDuringSchedulingPreferredDuringExecution', [ZONE, HOSTNAME]],
];


/** The webhook's `spec.affinity` rules: a group to place in, zonal or per-host topology keys, `In` selectors without VM Operator's labels. */
export function validateVmAffinity(spec: any): StatusCause[] {
  const affinity = spec.affinity;
  if (!affinity) return [];
  const causes: StatusCause[] = [];
  if (!spec.groupName) causes.push(fieldRequired('spec.groupName', 'when setting affinity'));
  for (const [kind, list, keys] of TOPOLOGY_KEYS) {
    (affinity[kind]?.[list] ?? []).forEach((term: any, i: number) => {
      const path = `spec.affinity.${kind}.${list}[${i}]`;
      const selector = term.labelSelector;
      if (Object.keys(selector?.matchLabels ?? {}).some((k) => k.includes('vmoperator.vmware.com'))) {
        causes.push({ field: `${path}.labelSelector.matchLabels`, reason: 'FieldValueForbidden', message: `Forbidden: ${VMOP_LABELS}` });
      }
      (selector?.matchExpressions ?? []).forEach((e: any, j: number) => {
        const at = `${path}.labelSelector.matchExpressions[${j}]`;
        if (e.operator !== 'In') causes.push(fieldNotSupported(`${at}.operator`, e.operator, ['In']));
        else if (String(e.key).includes('vmoperator.vmware.com')) causes.push({ field: `${at}.key`, reason: 'FieldValueForbidden', message: `Forbidden: ${VMOP_LABELS}` });
      });
      if (!keys.includes(term.topologyKey)) causes.push(fieldNotSupported(`${path}.topologyKey`, term.topologyKey, keys));
    });
  }
  for (const kind of ['vmAffinity', 'vmAntiAffinity']) {
    if (affinity[kind]?.requiredDuringSchedulingRequiredDuringExecution?.length) {
      causes.push({ field: `spec.affinity.${kind}.requiredDuringSchedulingRequiredDuringExecution`, reason: 'FieldValueForbidden', message: 'Forbidden: VM hard affinity during execution is not enabled' });
    }
  }
  return causes;
}

const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/**
 * The validating webhook's rule (one action at most, `Forbidden: only one action can be specified`) and the
 * port the CRD describes: a number from 1 to 65535 or an IANA service name.
 */
export function validateReadinessProbe(probe: any): StatusCause[] {
  if (!probe) return [];
  const causes: StatusCause[] = [];
  const actions = [probe.tcpSocket, probe.guestHeartbeat, probe.guestInfo?.length ? probe.guestInfo : undefined].filter(Boolean).length;
  if (actions > 1) causes.push(fieldForbidden('spec.readinessProbe', 'only one action can be specified'));
  const port = probe.tcpSocket?.port;
  const field = 'spec.readinessProbe.tcpSocket.port';
  if (typeof port === 'number' && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    causes.push({ field, reason: 'FieldValueInvalid', message: `Invalid value: ${port}: must be between 1 and 65535, inclusive` });
  } else if (typeof port === 'string' && (port.length > 15 || !IANA_SVC_NAME.test(port) || !/[a-z]/.test(port) || port.includes('--'))) {
    causes.push({ field, reason: 'FieldValueInvalid', message: `Invalid value: "${port}": must be no more than 15 characters, contain only lowercase letters, digits and '-', contain at least one letter (a-z), not contain '--', and not begin or end with '-'` });
  }
  return causes;
}

const IMMUTABLE = [
  ['spec.storageClass', (s: any) => s?.storageClass],
  ['spec.imageName', (s: any) => s?.imageName],
  ['spec.reserved.resourcePolicyName', (s: any) => s?.reserved?.resourcePolicyName],
] as const;

export function validateVirtualMachineUpdate(old: any, next: any): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [field, get] of IMMUTABLE) {
    if (!deepEqual(get(old.spec), get(next.spec))) causes.push({ field, reason: 'FieldValueForbidden', message: 'Forbidden: field is immutable' });
  }
  for (const field of ['biosUUID', 'instanceUUID'] as const) {
    if (old.spec?.[field] && next.spec?.[field] !== old.spec[field]) causes.push({ field: `spec.${field}`, reason: 'FieldValueForbidden', message: 'Forbidden: field is immutable once set' });
  }
  if (!deepEqual(old.spec?.affinity, next.spec?.affinity)) causes.push(fieldForbidden('spec.affinity', 'updating Affinity is not allowed'));
  if (old.spec?.powerState && !next.spec?.powerState) causes.push(fieldRequired('spec.powerState', 'cannot be cleared once set'));
  // A revert runs until the controller clears the field: another snapshot may not be asked for meanwhile.
  const reverting = old.spec?.currentSnapshotName;
  if (reverting && next.spec?.currentSnapshotName && next.spec.currentSnapshotName !== reverting) {
    causes.push(fieldForbidden('spec.currentSnapshotName', 'a snapshot revert is already in progress'));
  }
  return causes;
}

/** `nextRestartTime: now` becomes the time of the request, as the real mutating webhook does. */
export function stampRestart(vm: any): any {
  if (vm.spec?.nextRestartTime === 'now') vm.spec.nextRestartTime = rfc3339();
  return vm;
}

/** A VMService with a cluster IP: not ExternalName (a name in the DNS), not headless (`clusterIp: None`). */
const hasClusterIP = (svc: any) => svc.spec?.type !== 'ExternalName' && svc.spec?.clusterIp !== 'None';

/** The cluster IP a VMService holds (its core Service, of the same address, is vm-operator's and allocates nothing). */
export function vmServiceAllocations(svc: any): Allocation[] {
  return hasClusterIP(svc) && isIPv4(String(svc.spec?.clusterIp ?? '')) ? [{ address: svc.spec.clusterIp }] : [];
}

/** The VMService as the owner of its cluster IP's claim (cluster-ip.ts). */
const vmServiceRef = (svc: any) => ({ kind: 'VirtualMachineService' as const, namespace: svc.metadata?.namespace, name: svc.metadata?.name });

/**
 * Why an author's `spec.clusterIp` cannot be the service's, as kube-apiserver refuses a core Service's (cluster-ip.ts,
 * its words, the field `spec.clusterIp`): not an IPv4 address, outside SERVICE_CIDR, or held by a Service, a
 * VMService, a create in flight, the cluster DNS server (.10) or the `kubernetes` Service (.1). A free one is claimed
 * while the write is in flight, as an allocated one.
 */
function chosenClusterIPCauses(svc: any, ip: string, ctx: StrategyContext): StatusCause[] {
  if (!isIPv4(ip)) return [fieldInvalid('spec.clusterIp', ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
  return claimChosen(ctx, ip, vmServiceRef(svc), [ip], { field: 'spec.clusterIp', value: JSON.stringify(ip) });
}

/**
 * Create: the cluster IP, from the allocator core Services' come from (SERVICE_CIDR, free against every Service's and
 * VMService's and the creates in flight), into `spec.clusterIp` — as kube-apiserver gives VM Operator's Service one,
 * which VM Operator copies back; vm-operator then listens where it says. An author's own is checked instead; a refusal
 * (or a full range) is the whole answer, a 422, before anything is written.
 */
export function defaultVirtualMachineService(svc: any, ctx: StrategyContext): any {
  if (!hasClusterIP(svc)) return svc;
  const spec = (svc.spec ??= {});
  const refuse = (causes: StatusCause[]) => invalid('VirtualMachineService', svc.metadata?.name ?? '', 'vmoperator.vmware.com', causes);
  if (spec.clusterIp) {
    const causes = chosenClusterIPCauses(svc, String(spec.clusterIp), ctx);
    if (causes.length > 0) throw refuse(causes);
    return svc;
  }
  const ip = allocateFor(ctx, vmServiceRef(svc));
  if (!ip) throw refuse([{ field: 'spec.clusterIp', reason: 'FieldValueInvalid', message: 'Invalid value: "": failed to allocate a serviceIP: range is full' }]);
  spec.clusterIp = ip;
  return svc;
}

/**
 * `type` is immutable, and `clusterIp` once set. One set by an update (on a service written without one, straight to
 * the log) is checked as at create.
 */
export function validateVirtualMachineServiceUpdate(old: any, next: any, _subresource?: string, ctx?: StrategyContext): StatusCause[] {
  const causes: StatusCause[] = [];
  if (old.spec?.type !== next.spec?.type) causes.push(fieldForbidden('spec.type', 'field is immutable'));
  if (old.spec?.clusterIp && old.spec.clusterIp !== next.spec?.clusterIp) causes.push(fieldForbidden('spec.clusterIp', 'field is immutable'));
  if (causes.length === 0 && ctx && !old.spec?.clusterIp && next.spec?.clusterIp && hasClusterIP(next)) causes.push(...chosenClusterIPCauses(next, String(next.spec.clusterIp), ctx));
  return causes;
}

export function validateVirtualMachineService(svc: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = svc.spec ?? {};
  if (!spec.type) causes.push(fieldRequired('spec.type'));
  if (spec.type !== 'ExternalName' && spec.clusterIp !== 'None' && !(spec.ports ?? []).length) causes.push(fieldRequired('spec.ports'));
  (spec.ports ?? []).forEach((p: any, i: number) => {
    if (!p.name) causes.push({ field: `spec.ports[${i}].name`, reason: 'FieldValueRequired', message: 'Required value' });
    if (p.protocol && !['TCP', 'UDP'].includes(p.protocol)) causes.push({ field: `spec.ports[${i}].protocol`, reason: 'FieldValueNotSupported', message: `Unsupported value: "${p.protocol}": supported values: "TCP", "UDP"` });
  });
  return causes;
}
