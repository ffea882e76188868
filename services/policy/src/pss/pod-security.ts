/**
 * Pod Security Standards (https://kubernetes.io/docs/concepts/security/pod-security-standards/) as
 * kube-apiserver's PodSecurity admission words them. One pure function per check; a level's checks run in
 * kube's order (baseline ones, then restricted ones, each sorted by id, a restricted check replacing the
 * baseline one it overrides).
 */

export type Level = 'privileged' | 'baseline' | 'restricted';
export const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
export const LEVELS: Level[] = ['privileged', 'baseline', 'restricted'];

/** A violation: the check's reason and its detail (`privileged`, `container "c" must not set ...`). */
export interface Violation {
  reason: string;
  detail: string;
}
type Check = (pod: any) => Violation | undefined;

const quoted = (names: string[]) => names.map((n) => `"${n}"`).join(', ');
const containersPhrase = (names: string[]) => (names.length === 1 ? `container ${quoted(names)}` : `containers ${quoted(names)}`);
const allContainers = (pod: any): any[] => [...(pod?.spec?.initContainers ?? []), ...(pod?.spec?.containers ?? []), ...(pod?.spec?.ephemeralContainers ?? [])];

const BASELINE_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes',
]);
const RESTRICTED_VOLUME_TYPES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

export const hostNamespaces: Check = (pod) => {
  const set = ['hostNetwork', 'hostPID', 'hostIPC'].filter((k) => pod?.spec?.[k] === true);
  return set.length ? { reason: 'host namespaces', detail: set.map((k) => `${k}=true`).join(', ') } : undefined;
};

export const privileged: Check = (pod) => {
  const names = allContainers(pod).filter((c) => c.securityContext?.privileged === true).map((c) => c.name);
  return names.length ? { reason: 'privileged', detail: `${containersPhrase(names)} must not set securityContext.privileged=true` } : undefined;
};

export const capabilitiesBaseline: Check = (pod) => {
  const details: string[] = [];
  for (const c of allContainers(pod)) {
    const bad = (c.securityContext?.capabilities?.add ?? []).filter((cap: string) => !BASELINE_CAPABILITIES.has(cap));
    if (bad.length) details.push(`container "${c.name}" must not include ${quoted(bad)} in securityContext.capabilities.add`);
  }
  return details.length ? { reason: 'non-default capabilities', detail: details.join('; ') } : undefined;
};

export const hostPathVolumes: Check = (pod) => {
  const names = (pod?.spec?.volumes ?? []).filter((v: any) => v.hostPath).map((v: any) => v.name);
  return names.length ? { reason: 'hostPath volumes', detail: `${names.length === 1 ? 'volume' : 'volumes'} ${quoted(names)}` } : undefined;
};

export const hostPorts: Check = (pod) => {
  const names: string[] = [];
  const ports: number[] = [];
  for (const c of allContainers(pod)) {
    const used = (c.ports ?? []).map((p: any) => p.hostPort).filter((p: any) => p !== undefined && p !== 0);
    if (used.length) {
      names.push(c.name);
      ports.push(...used);
    }
  }
  if (!names.length) return undefined;
  return { reason: 'hostPort', detail: `${containersPhrase(names)} ${names.length === 1 ? 'uses' : 'use'} ${ports.length === 1 ? 'hostPort' : 'hostPorts'} ${ports.join(', ')}` };
};

export const procMount: Check = (pod) => {
  const bad = allContainers(pod).filter((c) => c.securityContext?.procMount !== undefined && c.securityContext.procMount !== 'Default');
  if (!bad.length) return undefined;
  return { reason: 'procMount', detail: `${containersPhrase(bad.map((c) => c.name))} must not set securityContext.procMount to ${quoted([...new Set<string>(bad.map((c) => c.securityContext.procMount))])}` };
};

export const seccompBaseline: Check = (pod) => {
  const parts: string[] = [];
  if (pod?.spec?.securityContext?.seccompProfile?.type === 'Unconfined') parts.push('pod');
  const names = allContainers(pod).filter((c) => c.securityContext?.seccompProfile?.type === 'Unconfined').map((c) => c.name);
  if (names.length) parts.push(containersPhrase(names));
  return parts.length ? { reason: 'seccompProfile', detail: `${parts.join(' and ')} must not set securityContext.seccompProfile.type to "Unconfined"` } : undefined;
};

export const sysctls: Check = (pod) => {
  const bad = (pod?.spec?.securityContext?.sysctls ?? []).map((s: any) => s.name).filter((n: string) => !SAFE_SYSCTLS.has(n));
  return bad.length ? { reason: 'forbidden sysctls', detail: bad.join(', ') } : undefined;
};

export const allowPrivilegeEscalation: Check = (pod) => {
  const names = allContainers(pod).filter((c) => c.securityContext?.allowPrivilegeEscalation !== false).map((c) => c.name);
  return names.length ? { reason: 'allowPrivilegeEscalation != false', detail: `${containersPhrase(names)} must set securityContext.allowPrivilegeEscalation=false` } : undefined;
};

export const capabilitiesRestricted: Check = (pod) => {
  const noDrop: string[] = [];
  const details: string[] = [];
  for (const c of allContainers(pod)) {
    if (!(c.securityContext?.capabilities?.drop ?? []).includes('ALL')) noDrop.push(c.name);
  }
  if (noDrop.length) details.push(`${containersPhrase(noDrop)} must set securityContext.capabilities.drop=["ALL"]`);
  for (const c of allContainers(pod)) {
    const bad = (c.securityContext?.capabilities?.add ?? []).filter((cap: string) => cap !== 'NET_BIND_SERVICE');
    if (bad.length) details.push(`container "${c.name}" must not include ${quoted(bad)} in securityContext.capabilities.add`);
  }
  return details.length ? { reason: 'unrestricted capabilities', detail: details.join('; ') } : undefined;
};

export const restrictedVolumes: Check = (pod) => {
  const details: string[] = [];
  for (const v of pod?.spec?.volumes ?? []) {
    const type = Object.keys(v).find((k) => k !== 'name');
    if (type && !RESTRICTED_VOLUME_TYPES.has(type)) details.push(`volume "${v.name}" uses restricted volume type "${type}"`);
  }
  return details.length ? { reason: 'restricted volume types', detail: details.join('; ') } : undefined;
};

export const runAsNonRoot: Check = (pod) => {
  const podSet = pod?.spec?.securityContext?.runAsNonRoot;
  const explicitFalse = allContainers(pod).filter((c) => c.securityContext?.runAsNonRoot === false).map((c) => c.name);
  const details: string[] = [];
  if (podSet === false) details.push('pod must not set securityContext.runAsNonRoot=false');
  if (explicitFalse.length) details.push(`${containersPhrase(explicitFalse)} must not set securityContext.runAsNonRoot=false`);
  if (podSet !== true) {
    const unset = allContainers(pod).filter((c) => c.securityContext?.runAsNonRoot === undefined).map((c) => c.name);
    if (unset.length) details.push(`pod or ${containersPhrase(unset)} must set securityContext.runAsNonRoot=true`);
  }
  return details.length ? { reason: 'runAsNonRoot != true', detail: details.join('; ') } : undefined;
};

export const runAsUser: Check = (pod) => {
  const parts: string[] = [];
  if (pod?.spec?.securityContext?.runAsUser === 0) parts.push('pod');
  const names = allContainers(pod).filter((c) => c.securityContext?.runAsUser === 0).map((c) => c.name);
  if (names.length) parts.push(containersPhrase(names));
  return parts.length ? { reason: 'runAsUser=0', detail: `${parts.join(' and ')} must not set runAsUser=0` } : undefined;
};

export const seccompRestricted: Check = (pod) => {
  const ok = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';
  const podType = pod?.spec?.securityContext?.seccompProfile?.type;
  const details: string[] = [];
  if (podType !== undefined && !ok(podType)) details.push(`pod must not set securityContext.seccompProfile.type to "${podType}"`);
  const badSet = allContainers(pod).filter((c) => c.securityContext?.seccompProfile?.type !== undefined && !ok(c.securityContext.seccompProfile.type));
  if (badSet.length) details.push(`${containersPhrase(badSet.map((c) => c.name))} must not set securityContext.seccompProfile.type to ${quoted([...new Set<string>(badSet.map((c) => c.securityContext.seccompProfile.type))])}`);
  if (!ok(podType)) {
    const unset = allContainers(pod).filter((c) => c.securityContext?.seccompProfile?.type === undefined).map((c) => c.name);
    if (unset.length) details.push(`pod or ${containersPhrase(unset)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`);
  }
  return details.length ? { reason: 'seccompProfile', detail: details.join('; ') } : undefined;
};

/** Baseline checks by id order, and the restricted ones; a restricted check named in `overrides` replaces a baseline one. */
const BASELINE: [string, Check][] = [
  ['capabilities_baseline', capabilitiesBaseline],
  ['hostNamespaces', hostNamespaces],
  ['hostPathVolumes', hostPathVolumes],
  ['hostPorts', hostPorts],
  ['privileged', privileged],
  ['procMount', procMount],
  ['seccompProfile_baseline', seccompBaseline],
  ['sysctls', sysctls],
];
const RESTRICTED: [string, Check, string?][] = [
  ['allowPrivilegeEscalation', allowPrivilegeEscalation],
  ['capabilities_restricted', capabilitiesRestricted, 'capabilities_baseline'],
  ['restrictedVolumes', restrictedVolumes, 'hostPathVolumes'],
  ['runAsNonRoot', runAsNonRoot],
  ['runAsUser', runAsUser],
  ['seccompProfile_restricted', seccompRestricted, 'seccompProfile_baseline'],
];

export function violations(level: Level, pod: any): Violation[] {
  if (level === 'privileged') return [];
  const overridden = new Set(level === 'restricted' ? RESTRICTED.map(([, , o]) => o).filter(Boolean) : []);
  const checks = [...BASELINE.filter(([id]) => !overridden.has(id)).map(([, c]) => c), ...(level === 'restricted' ? RESTRICTED.map(([, c]) => c) : [])];
  return checks.map((c) => c(pod)).filter((v): v is Violation => v !== undefined);
}

/** The level a namespace enforces (unknown values are treated as the strictest, as kube does for invalid levels: restricted). */
export function enforcedLevel(namespace: any): Level {
  const value = namespace?.metadata?.labels?.[ENFORCE_LABEL];
  if (value === undefined) return 'privileged';
  return (LEVELS as string[]).includes(value) ? (value as Level) : 'restricted';
}

/** kube's message: `pods "x" is forbidden: violates PodSecurity "restricted:latest": privileged (...), ...`. */
export function podSecurityMessage(podName: string, level: Level, found: Violation[]): string {
  return `pods "${podName}" is forbidden: violates PodSecurity "${level}:latest": ${found.map((v) => `${v.reason} (${v.detail})`).join(', ')}`;
}
