/**
 * The guest's heartbeat as its host last read it from the hypervisor (`green`, `yellow`, `red`, `gray`), written by
 * the host whenever it changes. It stands in for what VM Operator asks vCenter for: the vm-operator's
 * `guestHeartbeat` readiness probe compares it with the probe's threshold.
 */
export const VM_GUEST_HEARTBEAT_ANNOTATION = 'vmoperator.openpacific.io/guest-heartbeat';

/**
 * The `guestinfo.*` keys the guest has set (`vmware-rpctool "info-set guestinfo.<key> <value>"`), as a JSON object
 * with its keys sorted, written by the host whenever they change and removed when there are none. It stands in for
 * the VM's extraConfig, which VM Operator reads from vCenter and shows nowhere in the VirtualMachine: the
 * vm-operator's `guestInfo` readiness probe reads it.
 */
export const VM_GUEST_INFO_ANNOTATION = 'vmoperator.openpacific.io/guestinfo';

/** The annotation's value for the keys a guest set (only `guestinfo.*`), or undefined for none. */
export function guestInfoAnnotationValue(keys: Record<string, string> | undefined): string | undefined {
  const names = Object.keys(keys ?? {}).filter((k) => k.startsWith('guestinfo.')).sort();
  return names.length ? JSON.stringify(Object.fromEntries(names.map((k) => [k, keys![k]]))) : undefined;
}

/** The `guestinfo.*` keys the VM's host reported; none when it reported none or the annotation is not an object of strings. */
export function vmGuestInfo(vm: any): Record<string, string> {
  const raw = vm?.metadata?.annotations?.[VM_GUEST_INFO_ANNOTATION];
  if (typeof raw !== 'string') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return {};
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  return Object.fromEntries(Object.entries(parsed).filter(([k, v]) => k.startsWith('guestinfo.') && typeof v === 'string')) as Record<string, string>;
}

/**
 * Whether the VM's readiness probe names an action. As in VM Operator, a `readinessProbe` with none (only
 * `periodSeconds`, say) is no probe: the VM's `Ready` then stays the host's (the guest heartbeat is green).
 */
export function hasReadinessProbe(vm: any): boolean {
  const p = vm?.spec?.readinessProbe;
  return !!p && (!!p.tcpSocket || !!p.guestHeartbeat || (Array.isArray(p.guestInfo) && p.guestInfo.length > 0));
}
