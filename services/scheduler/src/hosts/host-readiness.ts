/** The Ready condition a host should have, from when it last heartbeat in its current epoch. Pure. */
export interface ReadyCondition {
  type: 'Ready';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
}

export function desiredReady(
  host: { epoch: number; current?: { status?: string } },
  lastBeat: { epoch: number; at: number } | undefined,
  now: number,
  graceMs: number,
  /** Since when beats of this epoch are due (the epoch appeared, or this controller started). */
  dueSince = 0,
): Pick<ReadyCondition, 'status' | 'reason' | 'message'> {
  const heard = lastBeat && lastBeat.epoch === host.epoch ? lastBeat.at : undefined;
  if (heard !== undefined && now - heard <= graceMs) {
    return { status: 'True', reason: 'HostReady', message: 'spherelet-agent is heartbeating' };
  }
  const silentSince = Math.max(heard ?? 0, dueSince);
  if (now - silentSince <= graceMs) {
    // Not heard in this epoch yet, but not overdue either (just registered, or we just started listening).
    return { status: host.current?.status === 'True' ? 'False' : 'Unknown', reason: 'HostStatusUnknown', message: 'no heartbeat from this epoch of the host yet' };
  }
  return { status: 'False', reason: 'HeartbeatMissed', message: `no heartbeat for ${Math.round((now - silentSince) / 1000)}s (grace ${graceMs / 1000}s)` };
}
