/**
 * kube-controller-manager's failedPodsBackoff: a DaemonSet's failed pod on a host is deleted (and so made again) at
 * once the first time, then only after a delay that starts at 1 s and doubles up to 15 min, so that a daemon a host
 * keeps failing does not go round in a hot loop. A delay is forgotten once unused for twice the longest.
 */
export class FailedPodsBackoff {
  private readonly entries = new Map<string, { delayMs: number; lastUpdate: number }>();

  constructor(private readonly initialMs = 1000, private readonly maxMs = 15 * 60_000) {}

  /** Whether a failed pod under `key` still waits: its last deletion was less than the current delay ago. */
  inBackoff(key: string, now: number): boolean {
    const e = this.live(key, now);
    return !!e && now - e.lastUpdate < e.delayMs;
  }

  /** When the wait under `key` ends (ms since the epoch), if there is one. */
  until(key: string, now: number): number | undefined {
    const e = this.live(key, now);
    return e ? e.lastUpdate + e.delayMs : undefined;
  }

  /** A failed pod under `key` is being deleted now: the next one waits the doubled delay. */
  next(key: string, now: number): void {
    const e = this.live(key, now);
    this.entries.set(key, { delayMs: e ? Math.min(e.delayMs * 2, this.maxMs) : this.initialMs, lastUpdate: now });
  }

  /** Forgets the delays no longer in use. */
  gc(now: number): void {
    for (const key of [...this.entries.keys()]) if (!this.live(key, now)) this.entries.delete(key);
  }

  private live(key: string, now: number) {
    const e = this.entries.get(key);
    return e && now - e.lastUpdate <= 2 * this.maxMs ? e : undefined;
  }
}

/** Per DaemonSet, its observed generation (a new template starts afresh) and host, as Kubernetes keys it. */
export function failedPodsBackoffKey(ds: any, host: string): string {
  return `${ds.metadata.uid}/${ds.status?.observedGeneration ?? 0}/${host}`;
}
