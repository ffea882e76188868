/**
 * kube-controller-manager's work queue rate limiting of an object whose sync failed (client-go's
 * ItemExponentialFailureRateLimiter in DefaultControllerRateLimiter): after the n-th failure in a row the object is
 * synced again only `baseMs × 2^(n-1)` later (5 ms doubling, at most 1000 s); a sync that succeeds forgets its
 * failures (the queue's Forget). As in Kubernetes, where an informer event about the object (or its pods) adds it to
 * the queue at once, bypassing the delay without forgetting the failures, a change of what the sync reads — its
 * `fingerprint` — lets it run again before the delay is over.
 */
export class SyncFailureBackoff {
  private readonly items = new Map<string, { failures: number; until: number; fingerprint: string }>();

  constructor(private readonly baseMs = 5, private readonly maxMs = 1_000_000) {}

  /** Whether the object under `key` still waits: its last sync failed, the delay is not over, and what it read is unchanged. */
  waiting(key: string, fingerprint: string, now: number): boolean {
    const e = this.items.get(key);
    return !!e && now < e.until && e.fingerprint === fingerprint;
  }

  /** When the object under `key` is due again (ms since the epoch), if it failed. */
  until(key: string): number | undefined {
    return this.items.get(key)?.until;
  }

  /** How many syncs of the object failed in a row. */
  failures(key: string): number {
    return this.items.get(key)?.failures ?? 0;
  }

  /** A sync of the object failed, having read `fingerprint`: returns when it is due again. */
  failed(key: string, fingerprint: string, now: number): number {
    const failures = (this.items.get(key)?.failures ?? 0) + 1;
    const delay = Math.min(this.baseMs * 2 ** (failures - 1), this.maxMs);
    const until = now + delay;
    this.items.set(key, { failures, until, fingerprint });
    return until;
  }

  /** A sync of the object succeeded: its failures are forgotten. */
  succeeded(key: string): void {
    this.items.delete(key);
  }

  /** Forgets the objects `alive` no longer knows. */
  gc(alive: (key: string) => boolean): void {
    for (const key of [...this.items.keys()]) if (!alive(key)) this.items.delete(key);
  }
}
