import { isAllocationStream } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import type { LogFollower } from '@openpacific/objects';

/**
 * The version of every allocation stream (a cluster IP's, a node port's: contracts' allocations.ts) as far as this
 * gateway has followed the log. Fed by the same follower, event by event, as the read model, so the two always show
 * the same point of the log: a version read while judging an address free against the read model is the version
 * that judgement was made on.
 */
export class AllocationLedger {
  private readonly versions = new Map<string, number>();

  apply(event: RecordedEvent): void {
    if (isAllocationStream(event.streamId)) this.versions.set(event.streamId, event.streamVersion);
  }

  /** 0 for a stream never written. */
  version(streamId: string): number {
    return this.versions.get(streamId) ?? 0;
  }

  /**
   * After losing an append to a stream at `version`: waits (briefly) until the follower has applied the stream that
   * far, and with it the object that took the address, so the next judgement sees it.
   */
  async catchUpTo(follower: LogFollower, streamId: string, version: number, timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await follower.kick();
      if (this.version(streamId) >= version || Date.now() >= deadline) return;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
