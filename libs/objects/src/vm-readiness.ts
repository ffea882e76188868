/**
 * The guest's heartbeat as its host last read it from the hypervisor (`green`, `yellow`, `red`, `gray`), written by
 * the host whenever it changes. It stands in for what VM Operator asks vCenter for: the vm-operator's
 * `guestHeartbeat` readiness probe compares it with the probe's threshold.
 */
export const VM_GUEST_HEARTBEAT_ANNOTATION = 'vmoperator.openpacific.io/guest-heartbeat';

/**
 * Whether the VM's readiness probe names an action. As in VM Operator, a `readinessProbe` with none (only
 * `periodSeconds`, say) is no probe: the VM's `Ready` then stays the host's (the guest heartbeat is green).
 */
export function hasReadinessProbe(vm: any): boolean {
  const p = vm?.spec?.readinessProbe;
  return !!p && (!!p.tcpSocket || !!p.guestHeartbeat || (Array.isArray(p.guestInfo) && p.guestInfo.length > 0));
}
