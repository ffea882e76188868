import { PodNetwork, PodNetworkAttachment, SpareNetwork } from './pod-network';

/** How many spare pod namespaces a host keeps ready: a start takes one; a burst beyond them makes its own. */
const SPARE_NETWORKS = 2;
/**
 * How long a host goes without a sandbox or container start before it makes a spare: a spare's set-up is a dozen
 * process starts, which would otherwise compete for the machine with the very start that took the last spare.
 */
const QUIET_MS = 100;

/**
 * A host's spare pod network namespaces: made in advance and off the start path by the pod network's spare shells
 * (`prepareSpare`), one at a time, and handed to sandboxes. `list` is the runtime's state's own array, which this
 * class alone changes, calling `changed` after each change so the state is written.
 */
export class SpareNetworks {
  private refilling = false;
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly network: PodNetwork,
    /** Where the spare shells keep their files. */
    private readonly dir: string,
    private readonly list: SpareNetwork[],
    private readonly changed: () => void,
    /** crx-netns, which makes a namespace in one program start when no spare is ready (absent without a C compiler). */
    private readonly helper?: string,
  ) {
    // Adopted from the state: a spare whose pause died (the host went down) is gone.
    const alive = list.filter((spare) => network.alive({ ...spare, ip: '' }));
    list.splice(0, list.length, ...alive);
    this.changed();
    this.refill();
  }

  /** The sandbox's namespace: a spare given its address, or a new one when none is ready (or the spare failed). */
  attach(sandboxId: string, ip: string): PodNetworkAttachment {
    const spare = this.list.shift();
    let attachment: PodNetworkAttachment | undefined;
    if (spare) {
      try {
        attachment = this.network.attachSpare(spare, ip);
      } catch {
        // A spare that cannot take the address is gone: a new namespace instead.
      }
    }
    this.refillSoon();
    return attachment ?? this.network.attach(sandboxId, ip, this.helper);
  }

  /** A container starts: a spare waiting for a quiet host waits longer. */
  containerStarting(): void {
    this.refillSoon();
  }

  /** Ends the spares and the shell that makes them (a runtime that stops cleanly leaves none behind). */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const spare of this.list.splice(0)) this.network.discardSpare(spare);
    this.network.closeSpares();
  }

  /**
   * Refills once no sandbox or container has started for QUIET_MS (each start puts it off), or at once when none is
   * left: sandboxes then come faster than spares are made (a burst, a failover), and each sandbox without one makes
   * its namespace on its start path (crx-netns, one program start; without it, three forks of the runtime). With
   * crx-netns, refilling only after a quiet period measured the same in a failover (docs/benchmarks.md, Twelfth round).
   */
  private refillSoon(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    if (this.list.length === 0) setImmediate(() => this.refill());
    else this.timer = setTimeout(() => this.refill(), QUIET_MS).unref();
  }

  /** Makes spares up to SPARE_NETWORKS, one at a time. */
  private refill(): void {
    if (this.refilling || this.closed || this.list.length >= SPARE_NETWORKS) return;
    this.refilling = true;
    this.network.prepareSpare(this.dir).then(
      (spare) => {
        this.refilling = false;
        if (this.closed) return this.network.discardSpare(spare);
        this.list.push(spare);
        this.changed();
        this.refillSoon();
      },
      // Sandboxes make their own namespaces meanwhile, and report a failure where it matters.
      () => (this.refilling = false),
    );
  }
}
