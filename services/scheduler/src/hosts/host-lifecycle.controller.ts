import { HOSTS_RESOURCE, NatsNames, ObjectEventTypes } from '@openpacific/contracts';
import { EventStore, VersionConflictError } from '@openpacific/event-store';
import type { Logger } from '@openpacific/service-kit';
import { JSONCodec, NatsConnection, Subscription } from 'nats';
import { desiredReady } from './host-readiness';

interface KnownHost {
  version: number;
  object: any;
}

const json = JSONCodec<{ host: string; epoch: number; time: string }>();

/**
 * Turns heartbeats into each host's `Ready` condition. Heartbeats are not
 * events: only a change of the condition is appended (ResourceStatusUpdated),
 * at the host stream's version, so a second scheduler racing it cannot write
 * the same change twice.
 */
export class HostLifecycleController {
  private readonly beats = new Map<string, { epoch: number; at: number }>();
  private readonly hosts = new Map<string, KnownHost>();
  private sub?: Subscription;
  private timer?: NodeJS.Timeout;
  private running = false;
  private readonly startedAt = Date.now();

  constructor(
    private readonly store: EventStore,
    private readonly nc: NatsConnection,
    private readonly names: NatsNames,
    private readonly logger: Logger,
    private readonly opts: { graceMs: number; intervalMs: number },
  ) {}

  start(): void {
    this.sub = this.nc.subscribe(this.names.heartbeats, {
      callback: (err, msg) => {
        if (err) return;
        try {
          const beat = json.decode(msg.data);
          this.beats.set(beat.host, { epoch: beat.epoch, at: Date.now() });
        } catch {
          this.logger.warn('ignoring a malformed heartbeat', { subject: msg.subject });
        }
      },
    });
    this.timer = setInterval(() => void this.check(), this.opts.intervalMs);
  }

  stop(): void {
    this.sub?.unsubscribe();
    clearInterval(this.timer);
  }

  private async check(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (const { streamId } of await this.store.listStreams(`${HOSTS_RESOURCE}/`)) {
        const host = await this.refresh(streamId);
        if (host) await this.reconcile(streamId, host);
      }
    } catch (err) {
      this.logger.warn('host lifecycle check failed', { error: (err as Error).message });
    } finally {
      this.running = false;
    }
  }

  /** The host's latest state, reading only the events after what we already know. */
  private async refresh(streamId: string): Promise<KnownHost | undefined> {
    const known = this.hosts.get(streamId);
    const events = await this.store.readStream(streamId, { fromVersion: (known?.version ?? 0) + 1 });
    if (events.length === 0) return known;
    const last = events[events.length - 1];
    if (last.type === ObjectEventTypes.deleted) {
      this.hosts.delete(streamId);
      return undefined;
    }
    const next = { version: last.streamVersion, object: (last.data as any).object };
    this.hosts.set(streamId, next);
    return next;
  }

  private async reconcile(streamId: string, host: KnownHost): Promise<void> {
    const name = host.object.metadata.name;
    const conditions: any[] = host.object.status?.conditions ?? [];
    const current = conditions.find((c) => c.type === 'Ready');
    const now = Date.now();
    // Right after this controller starts it has heard no heartbeat yet: give hosts one grace period.
    if (now - this.startedAt < this.opts.graceMs && !this.beats.has(name)) return;
    const want = desiredReady({ epoch: host.object.status?.epoch ?? 0, current }, this.beats.get(name), now, this.opts.graceMs);
    if (current && current.status === want.status && current.reason === want.reason) return;
    const transitioned = !current || current.status !== want.status;
    const ready = { type: 'Ready', ...want, lastTransitionTime: transitioned ? new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z') : current.lastTransitionTime };
    const object = structuredClone(host.object);
    object.status = { ...object.status, conditions: [...conditions.filter((c) => c.type !== 'Ready'), ready] };
    try {
      const { events } = await this.store.append(
        streamId,
        [{ type: ObjectEventTypes.statusUpdated, data: { resource: HOSTS_RESOURCE, object }, metadata: { actor: 'system:serviceaccount:openpacific:scheduler', source: 'scheduler' } }],
        { expectedVersion: host.version },
      );
      this.hosts.set(streamId, { version: events[0].streamVersion, object });
      this.logger.info('host readiness changed', { host: name, ready: want.status, reason: want.reason });
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
      // Someone else changed the host meanwhile: the next check sees the new state.
    }
  }
}
