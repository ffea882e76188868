/**
 * The hosts' periodic passes over all their pods, one host after another at even intervals, each host once
 * every `intervalMs`. Hosts start in batches, so their workers' own resync timers fired together: every few
 * seconds the whole fleet re-derived every pod in one go, and the bindings and status writes of a burst that
 * arrived meanwhile waited behind it (the tail of bound → Running).
 */
export class StaggeredResync {
  private timer?: NodeJS.Timeout;
  private next = 0;

  constructor(
    private readonly intervalMs: number,
    /** The hosts, in a stable order (new ones join the rotation). */
    private readonly hosts: () => string[],
    private readonly resync: (host: string) => void,
  ) {}

  start(): void {
    this.schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    const count = Math.max(1, this.hosts().length);
    this.timer = setTimeout(() => this.tick(), this.intervalMs / count);
    this.timer.unref();
  }

  private tick(): void {
    const hosts = this.hosts();
    if (hosts.length > 0) {
      this.next %= hosts.length;
      this.resync(hosts[this.next++]);
    }
    this.schedule();
  }
}
