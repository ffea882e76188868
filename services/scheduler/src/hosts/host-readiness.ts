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
): Pick<ReadyCondition, 'status' | 'reason' | 'message'> {
  if (lastBeat && lastBeat.epoch === host.epoch && now - lastBeat.at <= graceMs) {
    return { status: 'True', reason: 'HostReady', message: 'spherelet-agent is heartbeating' };
  }
  if (!lastBeat || lastBeat.epoch !== host.epoch) {
    // Never heard from in this epoch: stays Unknown until the grace period has passed since we started watching.
    return { status: host.current?.status === 'True' ? 'False' : 'Unknown', reason: 'HostStatusUnknown', message: 'no heartbeat from this epoch of the host' };
  }
  return { status: 'False', reason: 'HeartbeatMissed', message: `no heartbeat for ${Math.round((now - lastBeat.at) / 1000)}s (grace ${graceMs / 1000}s)` };
}
