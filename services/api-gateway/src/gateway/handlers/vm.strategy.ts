import { isIP } from 'node:net';
import { fieldDuplicate, fieldForbidden, fieldInvalid, fieldNotSupported, fieldRequired, invalid, StatusCause, validateDns1123Label, validateDns1123Subdomain, validateLabelValue, validateQualifiedName } from '@openpacific/kube-api';
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
  return causes.concat(validateVmVolumes(vm), validateReadinessProbe(spec.readinessProbe), validateVmAffinity(spec));
}

/**
 * The webhook's volume rules: each volume named, once, so that `<vm>-<volume>` (its CNS attachment's name) is a DNS
 * subdomain, and backed by a claim it names. A volume named "" was taken, and its host failed to attach it again and
 * again (its directory was the VM's disks directory itself).
 */
export function validateVmVolumes(vm: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const volumes = vm.spec?.volumes;
  if (!Array.isArray(volumes)) return causes;
  const names = new Set<string>();
  volumes.forEach((v: any, i: number) => {
    const at = `spec.volumes[${i}]`;
    const name = v?.name;
    if (!name) causes.push(fieldRequired(`${at}.name`));
    else {
      if (names.has(name)) causes.push(fieldDuplicate(`${at}.name`, name));
      names.add(name);
      for (const m of validateDns1123Subdomain(`${vm.metadata?.name ?? ''}-${name}`)) causes.push(fieldInvalid(`${at}.name`, name, m));
    }
    if (!v?.persistentVolumeClaim) causes.push(fieldRequired(`${at}.persistentVolumeClaim`));
    else if (!v.persistentVolumeClaim.claimName) causes.push(fieldRequired(`${at}.persistentVolumeClaim.claimName`));
  });
  return causes;
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

const VM_SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer'];
const VM_SERVICE_PROTOCOLS = ['TCP', 'UDP'];
const PORT_RANGE = 'must be between 1 and 65535, inclusive';
const IP_EXAMPLE = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

/** Go's net.ParseCIDR: an address, a slash and a prefix length the address family allows. */
function isCidr(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  const [ip, bits, extra] = text.split('/');
  const family = isIP(ip ?? '');
  return extra === undefined && family !== 0 && /^\d{1,3}$/.test(bits ?? '') && Number(bits) <= (family === 4 ? 32 : 128);
}

/**
 * VM Operator's validating webhook for a VirtualMachineService, which keeps out what could not become a valid
 * Service: a type and its fields (a LoadBalancer's IP, an ExternalName's DNS name), ports (named DNS labels, required
 * when there are several, unique; `port` and `targetPort` from 1 to 65535; TCP or UDP; no protocol and port twice),
 * selector labels, the cluster IP, and source ranges (CIDRs, for a LoadBalancer only). A port of -1 was taken and left
 * vm-operator failing the service again and again.
 */
export function validateVirtualMachineService(svc: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = svc.spec ?? {};
  const headless = spec.clusterIp === 'None';
  if (spec.type === 'LoadBalancer') {
    if (headless) causes.push(fieldInvalid('spec.clusterIP', spec.clusterIp, "may not be set to 'None' for LoadBalancer services"));
    if (spec.loadBalancerIP && !isIP(String(spec.loadBalancerIP))) causes.push(fieldInvalid('spec.loadBalancerIP', spec.loadBalancerIP, IP_EXAMPLE));
  } else if (spec.type === 'ExternalName') {
    if (spec.clusterIp) causes.push(fieldForbidden('spec.clusterIP', 'may not be set for ExternalName services'));
    const cname = String(spec.externalName ?? '').replace(/\.$/, '');
    if (!cname) causes.push(fieldRequired('spec.externalName'));
    else for (const m of validateDns1123Subdomain(cname)) causes.push(fieldInvalid('spec.externalName', cname, m));
  }
  const ports: any[] = Array.isArray(spec.ports) ? spec.ports : [];
  if (ports.length === 0 && !headless && spec.type !== 'ExternalName') causes.push(fieldRequired('spec.ports'));
  const names = new Set<string>();
  const pairs = new Set<string>();
  ports.forEach((p: any, i: number) => {
    const at = `spec.ports[${i}]`;
    if (!p?.name) {
      if (ports.length > 1) causes.push(fieldRequired(`${at}.name`));
    } else {
      for (const m of validateDns1123Label(String(p.name))) causes.push(fieldInvalid(`${at}.name`, p.name, m));
      if (names.has(p.name)) causes.push(fieldDuplicate(`${at}.name`, p.name));
      names.add(p.name);
    }
    for (const key of ['port', 'targetPort']) {
      const n = p?.[key];
      if (!Number.isInteger(n) || n < 1 || n > 65535) causes.push(fieldInvalid(`${at}.${key}`, n ?? 0, PORT_RANGE));
    }
    if (!p?.protocol) causes.push(fieldRequired(`${at}.protocol`));
    else if (!VM_SERVICE_PROTOCOLS.includes(p.protocol)) causes.push(fieldNotSupported(`${at}.protocol`, p.protocol, VM_SERVICE_PROTOCOLS));
    const pair = `${p?.protocol}/${p?.port}`;
    if (pairs.has(pair)) causes.push(fieldDuplicate(at, { protocol: p?.protocol, port: p?.port }));
    pairs.add(pair);
  });
  if (spec.selector && typeof spec.selector === 'object') {
    for (const [k, v] of Object.entries(spec.selector)) {
      for (const m of validateQualifiedName(k)) causes.push(fieldInvalid('spec.selector', k, m));
      for (const m of typeof v === 'string' ? validateLabelValue(v) : ['must be a string']) causes.push(fieldInvalid('spec.selector', v, m));
    }
  }
  if (spec.clusterIp && !headless && !isIP(String(spec.clusterIp))) causes.push(fieldInvalid('spec.clusterIP', spec.clusterIp, IP_EXAMPLE));
  if (!spec.type) causes.push(fieldRequired('spec.type'));
  else if (!VM_SERVICE_TYPES.includes(spec.type)) causes.push(fieldNotSupported('spec.type', spec.type, VM_SERVICE_TYPES));
  const ranges = spec.loadBalancerSourceRanges;
  if (Array.isArray(ranges) && ranges.length > 0) {
    if (spec.type !== 'LoadBalancer') causes.push(fieldForbidden('spec.loadBalancerSourceRanges', "may only be used when `type` is 'LoadBalancer'"));
    if (!ranges.every(isCidr)) causes.push(fieldInvalid('spec.loadBalancerSourceRanges', `[${ranges.join(' ')}]`, 'must be a list of IP ranges. For example, 10.240.0.0/24,10.250.0.0/24'));
  }
  return causes;
}
