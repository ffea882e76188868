import type { ContainerSecurity } from '@openpacific/contracts';

/**
 * What the runtime is told of a container's securityContext, as kubelet determines the effective one: `runAsUser`,
 * `runAsGroup` and `runAsNonRoot` of the container over the pod's; the capabilities, `privileged`,
 * `readOnlyRootFilesystem` and `allowPrivilegeEscalation` of the container alone; the groups, `fsGroup` then
 * `supplementalGroups`, and the fsGroup's volume ownership of the pod alone. Absent when nothing is set.
 */
export function containerSecurity(pod: any, container: any): ContainerSecurity | undefined {
  const podSc = pod?.spec?.securityContext ?? {};
  const sc = container?.securityContext ?? {};
  const pick = <T>(field: string, ok: (v: unknown) => v is T): T | undefined => (ok(sc[field]) ? sc[field] : ok(podSc[field]) ? podSc[field] : undefined);
  const fsGroup = isId(podSc.fsGroup) ? podSc.fsGroup : undefined;
  const groups = [...(fsGroup !== undefined ? [fsGroup] : []), ...(Array.isArray(podSc.supplementalGroups) ? podSc.supplementalGroups.filter(isId) : [])];
  const security: ContainerSecurity = {
    runAsUser: pick('runAsUser', isId),
    runAsGroup: pick('runAsGroup', isId),
    runAsNonRoot: pick('runAsNonRoot', isBoolean),
    supplementalGroups: groups.length ? groups : undefined,
    privileged: sc.privileged === true ? true : undefined,
    // kubelet's AddNoNewPrivileges: only an explicit false.
    noNewPrivileges: sc.allowPrivilegeEscalation === false ? true : undefined,
    capabilities: sc.capabilities && (sc.capabilities.add?.length || sc.capabilities.drop?.length) ? capabilities(sc.capabilities) : undefined,
    readOnlyRootFilesystem: sc.readOnlyRootFilesystem === true ? true : undefined,
    fsGroup,
    fsGroupChangePolicy: fsGroup !== undefined && (podSc.fsGroupChangePolicy === 'OnRootMismatch' || podSc.fsGroupChangePolicy === 'Always') ? podSc.fsGroupChangePolicy : undefined,
  };
  const set = Object.entries(security).filter(([, v]) => v !== undefined);
  return set.length ? (Object.fromEntries(set) as ContainerSecurity) : undefined;
}

function capabilities(caps: { add?: unknown; drop?: unknown }): ContainerSecurity['capabilities'] {
  const names = (list: unknown) => (Array.isArray(list) ? list.filter((c): c is string => typeof c === 'string') : []);
  const [add, drop] = [names(caps.add), names(caps.drop)];
  return { ...(add.length ? { add } : {}), ...(drop.length ? { drop } : {}) };
}

function isId(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 2 ** 31 - 1;
}

function isBoolean(v: unknown): v is boolean {
  return typeof v === 'boolean';
}
