import { CrxErrorCodes, NatsNames } from '@openpacific/contracts';
import { requestJson } from '@openpacific/messaging';
import type { Logger } from '@openpacific/service-kit';
import type { NatsConnection } from 'nats';
import type { LeaseRuntime } from '../pods/pod-runtime';

export interface Heartbeat {
  host: string;
  epoch: number;
  time: string;
}

/**
 * Heartbeats of many leases on one timer: the sim fleet's hosts beat in the same turn of the event loop, so
 * their requests leave in one socket write (NATS flushes what a turn published) where a timer per host made
 * a write, and a wake-up of the scheduler, per host and second.
 */
export class BeatClock {
  private readonly beats = new Set<() => void>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly intervalMs: number) {}

  /** Calls `beat` every interval from now on; returns the stop. */
  add(beat: () => void): () => void {
    this.beats.add(beat);
    this.timer ??= setInterval(() => this.beats.forEach((b) => b()), this.intervalMs);
    return () => {
      this.beats.delete(beat);
      if (this.beats.size > 0) return;
      clearInterval(this.timer);
      this.timer = undefined;
    };
  }
}

/**
 * The host's lease. About once a second the agent heartbeats to the leading
 * scheduler over core NATS (never an event); the answer renews the lease until
 * send time + lease length, and the lease goes on to crx-runtime, which stops
 * every container of the epoch by itself if it runs out. The lease is shorter
 * than the scheduler's grace period, so a host cut off from the scheduler has
 * stopped its pods before the scheduler declares it NotReady and moves them.
 * When nobody at all answers (no scheduler runs), nobody can move the pods
 * either, and that counts as a renewal.
 */
export class HostLease {
  private renewedAt = 0;
  private deadlineTimer?: NodeJS.Timeout;
  private stopBeats?: () => void;
  private lost = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly names: NatsNames,
    private readonly crx: LeaseRuntime,
    private readonly host: string,
    private readonly epoch: number,
    private readonly opts: {
      intervalMs: number;
      leaseMs: number;
      logger: Logger;
      onLost: (reason: string) => void;
      /** The timer the heartbeats go out on (shared by a fleet's hosts); default: one of this lease's own. */
      clock?: BeatClock;
    },
  ) {}

  /** Renews once (retrying until it can), then keeps renewing and watching the deadline. */
  async start(): Promise<void> {
    for (let attempt = 1; !(await this.renew()); attempt++) {
      if (attempt % 10 === 0) this.opts.logger.warn('cannot renew the host lease yet; retrying', { attempts: attempt });
      await new Promise((r) => setTimeout(r, 200));
    }
    this.stopBeats = (this.opts.clock ?? new BeatClock(this.opts.intervalMs)).add(() => void this.renew());
    this.watchDeadline();
  }

  stop(): void {
    clearTimeout(this.deadlineTimer);
    this.stopBeats?.();
  }

  get expiresAt(): number {
    return this.renewedAt + this.opts.leaseMs;
  }

  private async renew(): Promise<boolean> {
    if (this.lost) return false;
    const sentAt = Date.now();
    // After a pause the timers fire late and in any order: a lease that ran out is never heartbeated on.
    if (this.renewedAt > 0 && sentAt > this.expiresAt) {
      this.lose(`the lease ran out at ${new Date(this.expiresAt).toISOString()}`);
      return false;
    }
    try {
      await requestJson<Heartbeat, unknown>(this.nc, this.names.heartbeat(this.host), { host: this.host, epoch: this.epoch, time: new Date(sentAt).toISOString() }, Math.min(1000, this.opts.leaseMs / 2));
    } catch (err) {
      if ((err as { code?: string }).code !== 'NATS.NO_RESPONDERS') return false;
    }
    // An answer that comes after the deadline renews nothing: the runtime may be fencing already.
    if (this.lost || (this.renewedAt > 0 && Date.now() > this.expiresAt)) return false;
    this.renewedAt = Math.max(this.renewedAt, sentAt);
    try {
      await this.crx.renewLease({ epoch: this.epoch, expiresAt: this.expiresAt });
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === CrxErrorCodes.fenced) this.lose((err as Error).message);
      return false;
    }
  }

  /**
   * Wakes when the lease would run out and, renewed meanwhile, sleeps until the new deadline: once per lease
   * length at most, where a check every 100 ms cost a hundred hosts a thousand timers a second.
   */
  private watchDeadline(): void {
    const left = this.expiresAt - Date.now();
    if (left < 0) return this.lose(`the lease ran out at ${new Date(this.expiresAt).toISOString()}`);
    this.deadlineTimer = setTimeout(() => this.watchDeadline(), left + 1);
  }

  private lose(reason: string): void {
    if (this.lost) return;
    this.lost = true;
    this.stop();
    this.opts.onLost(reason);
  }
}
