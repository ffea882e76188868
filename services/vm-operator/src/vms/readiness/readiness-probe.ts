import { re2 } from '@openpacific/kube-api';
import { byConditionType, hasReadinessProbe, VM_GUEST_HEARTBEAT_ANNOTATION, vmGuestInfo } from '@openpacific/objects';

/** VM Operator's defaults (the Kubernetes container probe's period; its TCP connect timeout). */
export const DEFAULT_PERIOD_SECONDS = 10;
export const DEFAULT_TIMEOUT_SECONDS = 10;

/** A probe's outcome, as VM Operator's prober has it: Success, Failure, or Unknown (nothing to judge by). */
export type ProbeResult = { result: 'Success' } | { result: 'Failure' | 'Unknown'; message: string };

/** What to do for a VM's probe this period: a TCP connect to make, or a result already decided from its object. */
export type ProbeAction = { tcp: { host: string; port: number; timeoutMs: number } } | { decided: ProbeResult };

export interface ReadyCondition {
  type: 'Ready';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

/** How often the VM's probe runs, in ms; undefined for a VM without one (the prober keeps nothing for it). */
export function probePeriodMs(vm: any): number | undefined {
  if (!hasReadinessProbe(vm)) return undefined;
  const period = vm.spec.readinessProbe.periodSeconds;
  return (Number.isInteger(period) && period > 0 ? period : DEFAULT_PERIOD_SECONDS) * 1000;
}

/** Gray and red (and anything unknown) rank below yellow, yellow below green. */
function heartbeatRank(status: string): number {
  return status === 'green' ? 1 : status === 'yellow' ? 0 : -1;
}

/**
 * The probe's action for this period. As VM Operator: a VM that is not powered on fails without being probed;
 * tcpSocket goes first, then guestHeartbeat, then guestInfo (the webhook lets only one be set).
 */
export function probeAction(vm: any): ProbeAction {
  const probe = vm.spec.readinessProbe;
  if (vm.status?.powerState !== 'PoweredOn') return { decided: { result: 'Failure', message: 'virtual machine is not powered on' } };
  if (probe.tcpSocket) {
    const port = probe.tcpSocket.port;
    // A named port has nothing to resolve against on a VM (VM Operator does not support them either).
    if (typeof port !== 'number') return { decided: { result: 'Failure', message: `no suitable port for manifest: ${vm.metadata.uid}` } };
    const host = probe.tcpSocket.host || vm.status?.network?.primaryIP4 || vm.status?.network?.primaryIP6;
    if (!host) return { decided: { result: 'Failure', message: `VM ${vm.metadata.namespace}/${vm.metadata.name} doesn't have an IP assigned` } };
    const timeout = Number.isInteger(probe.timeoutSeconds) && probe.timeoutSeconds > 0 ? probe.timeoutSeconds : DEFAULT_TIMEOUT_SECONDS;
    return { tcp: { host, port, timeoutMs: timeout * 1000 } };
  }
  if (probe.guestHeartbeat) return { decided: heartbeatResult(vm.metadata.annotations?.[VM_GUEST_HEARTBEAT_ANNOTATION], probe.guestHeartbeat.thresholdStatus ?? 'green') };
  return { decided: guestInfoResult(probe.guestInfo, vmGuestInfo(vm)) };
}

/** The heartbeat at or above the threshold succeeds; none reported yet is Unknown. */
export function heartbeatResult(heartbeat: string | undefined, threshold: string): ProbeResult {
  if (!heartbeat) return { result: 'Unknown', message: 'no heartbeat value' };
  if (heartbeatRank(heartbeat) < heartbeatRank(threshold)) return { result: 'Failure', message: `heartbeat status "${heartbeat}" is below threshold` };
  return { result: 'Success' };
}

/**
 * Every key must be set (`guestinfo.<key>`) and match its value, a regular expression as Go's regexp (RE2) reads it,
 * in time linear in what the guest set; an empty or invalid expression matches anything. `published` is what the VM's host last reported its guest set (the
 * `vmoperator.openpacific.io/guestinfo` annotation), where VM Operator reads the VM's extraConfig from vCenter.
 */
export function guestInfoResult(wanted: { key: string; value?: string }[], published: Record<string, string>): ProbeResult {
  for (const { key, value } of wanted) {
    const found = published[`guestinfo.${key}`];
    if (found === undefined) return { result: 'Failure', message: `guestinfo.${key} is not set` };
    if (!value) continue;
    let pattern: { test(text: string): boolean };
    try {
      pattern = re2(value);
    } catch {
      continue;
    }
    if (!pattern.test(found)) return { result: 'Failure', message: `guestinfo.${key} does not match ${JSON.stringify(value)}` };
  }
  return { result: 'Success' };
}

/** VM Operator's `Ready` condition for a probe result: True, False `NotReady`, Unknown `Unknown`. */
export function readyCondition(r: ProbeResult): ReadyCondition {
  if (r.result === 'Success') return { type: 'Ready', status: 'True', reason: 'True', message: '' };
  if (r.result === 'Failure') return { type: 'Ready', status: 'False', reason: 'NotReady', message: r.message };
  return { type: 'Ready', status: 'Unknown', reason: 'Unknown', message: r.message };
}

/** The VM's status with `Ready` set to the condition, or undefined when it already says so (nothing to write). */
export function withReadyCondition(status: any, wanted: ReadyCondition, now: () => string): any {
  const conditions: any[] = status?.conditions ?? [];
  const old = conditions.find((c) => c.type === 'Ready');
  if (old && old.status === wanted.status && old.reason === wanted.reason && old.message === wanted.message) return undefined;
  const lastTransitionTime = old && old.status === wanted.status ? old.lastTransitionTime : now();
  const next = conditions.filter((c) => c.type !== 'Ready').concat({ ...wanted, lastTransitionTime });
  return { ...status, conditions: next.sort(byConditionType) };
}
