import type { NatsNames } from '@openpacific/contracts';
import type { Logger } from '@openpacific/service-kit';
import { JSONCodec, NatsConnection, Subscription } from 'nats';

const json = JSONCodec<{ host: string; epoch: number; time: string }>();

export interface Beat {
  epoch: number;
  at: number;
}

/**
 * Hears every host's heartbeats (in every scheduler replica, so a new leader
 * knows them already) and, in the leader only, answers them: the answer is
 * what renews the host's lease. The leader decides readiness from the very
 * beats it answered, so a host whose lease still runs has been heard.
 *
 * If no host at all is heard for a while, it is this replica that is cut off,
 * not every host at once: when beats come again, every host gets a fresh
 * grace period instead of being declared NotReady for the gap.
 */
export class HeartbeatMonitor {
  readonly beats = new Map<string, Beat>();
  /** Set while this replica leads: only the leader renews leases. */
  answering = false;
  private sub?: Subscription;
  private lastAnyAt = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly names: NatsNames,
    private readonly logger: Logger,
    private readonly opts: { feedGapMs: number },
  ) {}

  start(): void {
    this.sub = this.nc.subscribe(this.names.heartbeats, {
      callback: (err, msg) => {
        if (err) return;
        let beat;
        try {
          beat = json.decode(msg.data);
        } catch {
          this.logger.warn('ignoring a malformed heartbeat', { subject: msg.subject });
          return;
        }
        if (typeof beat?.host !== 'string' || !Number.isInteger(beat.epoch)) return;
        this.record(beat.host, beat.epoch, Date.now());
        if (this.answering && msg.reply) msg.respond(json.encode({ host: beat.host, epoch: beat.epoch, time: new Date().toISOString() }));
      },
    });
  }

  stop(): void {
    this.sub?.unsubscribe();
  }

  /** Whether beats are arriving at all (else this replica, not the hosts, is likely the one cut off). */
  hearing(now: number): boolean {
    return now - this.lastAnyAt <= this.opts.feedGapMs;
  }

  record(host: string, epoch: number, now: number): void {
    if (this.lastAnyAt > 0 && now - this.lastAnyAt > this.opts.feedGapMs) {
      this.logger.warn('heartbeats arrive again after a gap; every host gets a fresh grace period', { gapMs: now - this.lastAnyAt });
      for (const b of this.beats.values()) b.at = Math.max(b.at, now);
    }
    this.lastAnyAt = now;
    this.beats.set(host, { epoch, at: now });
  }
}
