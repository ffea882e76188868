/** A Machine created but not seen in the log this long is no longer waited for (its owner may create another). */
const EXPECTATION_TTL_MS = 60_000;

/**
 * Machines created for their owners (KubeadmControlPlanes, MachineSets) that the log has not brought back yet, by
 * owner uid (stream id → when), as ReplicaSet "expectations" are in Kubernetes. A pass can run before the follower
 * has read the pass before's creates (a transaction still open below them holds it back); counting them as the
 * owner's keeps it from making the missing Machines again under new names, and deleting the surplus after.
 */
export class MachineExpectations {
  private readonly byOwner = new Map<string, Map<string, number>>();

  /** The owner's Machines created and not yet among `seen` (the stream ids of its Machines in the log), nor given up on. */
  pending(ownerUid: string, seen: Iterable<string>): number {
    const expected = this.byOwner.get(ownerUid);
    if (!expected) return 0;
    const inLog = new Set(seen);
    const now = Date.now();
    for (const [streamId, at] of expected) if (inLog.has(streamId) || now - at > EXPECTATION_TTL_MS) expected.delete(streamId);
    if (expected.size === 0) this.byOwner.delete(ownerUid);
    return expected.size;
  }

  /** A create of the owner's is on its way. */
  created(ownerUid: string, streamId: string): void {
    let expected = this.byOwner.get(ownerUid);
    if (!expected) this.byOwner.set(ownerUid, (expected = new Map()));
    expected.set(streamId, Date.now());
  }

  /** A create that did not land is not waited for. */
  failed(streamId: string): void {
    for (const [owner, expected] of this.byOwner) {
      if (expected.delete(streamId) && expected.size === 0) this.byOwner.delete(owner);
    }
  }

  /** Expectations of owners gone from the log go with them. */
  keepOnly(ownerUids: Set<string>): void {
    for (const uid of this.byOwner.keys()) if (!ownerUids.has(uid)) this.byOwner.delete(uid);
  }
}
