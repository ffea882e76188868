/**
 * `sessionAffinity: ClientIP`, as kube-proxy keeps it: a client address is sent to the backend it last reached for
 * `timeoutSeconds` after its latest connection (each one starts the time again), as long as that backend is still
 * among the balancer's; off (no timeout), every connection is balanced afresh.
 */
export class ClientAffinity {
  private timeoutMs?: number;
  private readonly last = new Map<string, { backend: string; until: number }>();

  /** Seconds of stickiness, or undefined for none (which forgets every client). */
  set(timeoutSeconds: number | undefined): void {
    this.timeoutMs = timeoutSeconds && timeoutSeconds > 0 ? timeoutSeconds * 1000 : undefined;
    if (this.timeoutMs === undefined) this.last.clear();
  }

  /** The backend (key) this client sticks to now, if any. */
  backendOf(client: string, now = Date.now()): string | undefined {
    if (this.timeoutMs === undefined) return undefined;
    const entry = this.last.get(client);
    if (!entry) return undefined;
    if (entry.until > now) return entry.backend;
    this.last.delete(client);
    return undefined;
  }

  /** The client reached this backend: it sticks to it for the timeout from now. */
  reached(client: string, backend: string, now = Date.now()): void {
    if (this.timeoutMs === undefined) return;
    // Expired entries go once the map grows (a busy service sees many clients), not on a timer.
    if (this.last.size >= 4096) for (const [c, e] of this.last) if (e.until <= now) this.last.delete(c);
    this.last.set(client, { backend, until: now + this.timeoutMs });
  }

  /** Clients of backends no longer present balance afresh. */
  keepOnly(backends: Set<string>): void {
    for (const [c, e] of this.last) if (!backends.has(e.backend)) this.last.delete(c);
  }
}
