/**
 * Long-running requests (watches, followed logs, exec, attach, port-forward, web consoles) recorded at
 * `ResponseStarted` whose `ResponseComplete` record is still to come. Each one's own end records it; at a clean
 * shutdown, once the server has dropped its connections, `close()` gives those ends a moment to run and records the
 * rest itself, so no stream the gateway served is left without its end in the log.
 */
export class OpenRequests {
  private readonly open = new Set<() => void>();
  private emptied?: () => void;

  /** How many are open now. */
  get size(): number {
    return this.open.size;
  }

  /**
   * `complete` writes the request's `ResponseComplete` record; it must call the returned function (as the request's
   * own end does), which takes the request off the list.
   */
  add(complete: () => void): () => void {
    this.open.add(complete);
    return () => {
      this.open.delete(complete);
      if (this.open.size === 0) this.emptied?.();
    };
  }

  /** Waits up to `graceMs` for the open requests' own ends, then completes those still open. */
  async close(graceMs: number): Promise<void> {
    if (this.open.size) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.emptied = resolve;
        timer = setTimeout(resolve, graceMs);
      });
      clearTimeout(timer);
      this.emptied = undefined;
    }
    for (const complete of [...this.open]) complete();
    this.open.clear();
  }
}
