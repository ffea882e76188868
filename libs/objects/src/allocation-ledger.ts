import { clusterIPStreamId, isAllocationStream, nodePortStreamId, streamResource } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';

/**
 * What a follower of some resources follows to see the cluster IPs' allocation streams (contracts' allocations.ts):
 * their stream ids' first part, `allocations:clusterip`.
 */
export const CLUSTER_IP_ALLOCATIONS = streamResource(clusterIPStreamId('0.0.0.0'));

/** The same for the node ports' streams, `allocations:nodeport`. */
export const NODE_PORT_ALLOCATIONS = streamResource(nodePortStreamId(1));

/**
 * The version of every allocation stream (a cluster IP's, a node port's) as far as a reader has followed the log.
 * Fed by the same follower, event by event, as the reader's read model, so the two always show the same point of the
 * log: a version read while judging an address free against the read model is the version that judgement was made on,
 * and the one the write giving out the address expects of the address's stream. The gateway keeps one, and so does
 * vm-operator's VirtualMachineService controller, which gives cluster IPs to services written straight to the log.
 */
export class AllocationLedger {
  private readonly versions = new Map<string, number>();

  /** Whether the event was an allocation (and moved its stream's version). */
  apply(event: RecordedEvent): boolean {
    if (!isAllocationStream(event.streamId)) return false;
    this.versions.set(event.streamId, event.streamVersion);
    return true;
  }

  /** 0 for a stream never written. */
  version(streamId: string): number {
    return this.versions.get(streamId) ?? 0;
  }

  /**
   * After losing an append to a stream at `version`: waits (briefly) until the follower has applied the stream that
   * far, and with it the object that took the address, so the next judgement sees it.
   */
  async catchUpTo(follower: { kick(): Promise<void> }, streamId: string, version: number, timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await follower.kick();
      if (this.version(streamId) >= version || Date.now() >= deadline) return;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
