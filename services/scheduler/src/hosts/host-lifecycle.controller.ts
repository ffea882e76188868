import { HOSTS_RESOURCE, ObjectEventTypes, rfc3339 } from '@openpacific/contracts';
import { EventStore, RecordedEvent, StreamAppend, VersionConflictError } from '@openpacific/event-store';
import type { Logger } from '@openpacific/service-kit';
import { HeartbeatMonitor } from './heartbeat-monitor';
import { desiredReady } from './host-readiness';
import { readinessEvents, registrationEvents } from './node-events';

interface KnownHost {
  version: number;
  object: any;
}

/**
 * Turns heartbeats into each host's `Ready` condition (in the leading
 * scheduler). Heartbeats are not events: only a change of the condition is
 * appended (ResourceStatusUpdated), at the host stream's version, so a second
 * scheduler racing it cannot write the same change twice. A host not heard in
 * its current epoch for the grace period is NotReady (`HeartbeatMissed`) —
 * unless no host is heard at all, which means this replica is cut off.
 * Each registration and each readiness change is also a core v1 Event about
 * the node (`kubectl describe node`).
 */
export class HostLifecycleController {
  private readonly hosts = new Map<string, KnownHost>();
  /** The stream version read up to, per host stream (deleted hosts included, so they are not read again). */
  private readonly readTo = new Map<string, number>();
  /** When this controller first saw each host's current epoch: beats of it are due from then on. */
  private readonly epochSeen = new Map<string, { epoch: number; at: number }>();
  private timer?: NodeJS.Timeout;
  private running = false;
  private readonly startedAt = Date.now();

  constructor(
    private readonly store: EventStore,
    private readonly monitor: HeartbeatMonitor,
    private readonly logger: Logger,
    private readonly opts: { graceMs: number; intervalMs: number; onChange?: () => void },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.check(), this.opts.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async check(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      // One query for every host's stream version; a host's events are read only when its stream moved on.
      for (const { streamId, version } of await this.store.listStreams(`${HOSTS_RESOURCE}/`)) {
        const host = (this.readTo.get(streamId) ?? 0) >= version ? this.hosts.get(streamId) : await this.refresh(streamId);
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
    const events = await this.store.readStream(streamId, { fromVersion: (this.readTo.get(streamId) ?? 0) + 1 });
    if (events.length === 0) return known;
    await this.announce(events);
    const last = events[events.length - 1];
    this.readTo.set(streamId, last.streamVersion);
    if (last.type === ObjectEventTypes.deleted) {
      this.hosts.delete(streamId);
      return undefined;
    }
    const next = { version: last.streamVersion, object: (last.data as any).object };
    this.hosts.set(streamId, next);
    return next;
  }

  /** RegisteredNode (and HostFenced) for the registrations just read; each once, whoever reads them again. */
  private async announce(events: RecordedEvent[]): Promise<void> {
    for (const write of events.flatMap(registrationEvents)) await this.appendOnce(write);
  }

  private async appendOnce(write: StreamAppend): Promise<void> {
    try {
      await this.store.append(write.streamId, write.events, { expectedVersion: write.expectedVersion });
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
    }
  }

  private async reconcile(streamId: string, host: KnownHost): Promise<void> {
    const name = host.object.metadata.name;
    const conditions: any[] = host.object.status?.conditions ?? [];
    const current = conditions.find((c) => c.type === 'Ready');
    // Only hosts an agent registered (they report nodeInfo) heartbeat; a Host object written by hand is left alone.
    if (!host.object.status?.nodeInfo) return;
    const now = Date.now();
    const epoch = host.object.status?.epoch ?? 0;
    const seen = this.epochSeen.get(name);
    if (!seen || seen.epoch !== epoch) this.epochSeen.set(name, { epoch, at: now });
    const due = Math.max(this.startedAt, this.epochSeen.get(name)!.at);
    const beat = this.monitor.beats.get(name);
    const want = desiredReady({ epoch, current }, beat, now, this.opts.graceMs, due);
    // Silence from every host means this replica is the one cut off: decide nothing until it hears again.
    if (want.status !== 'True' && !this.monitor.hearing(now)) return;
    // A new epoch not heard yet but not overdue either: its registration already says Unknown.
    if (want.reason === 'HostStatusUnknown' && current?.status !== 'True') return;
    if (current && current.status === want.status && current.reason === want.reason) return;
    const transitioned = !current || current.status !== want.status;
    const ready = { type: 'Ready', ...want, lastTransitionTime: transitioned ? rfc3339(now) : current.lastTransitionTime };
    const object = structuredClone(host.object);
    object.status = { ...object.status, conditions: [...conditions.filter((c) => c.type !== 'Ready'), ready] };
    try {
      const change: StreamAppend = {
        streamId,
        events: [{ type: ObjectEventTypes.statusUpdated, data: { resource: HOSTS_RESOURCE, object }, metadata: { actor: 'system:serviceaccount:openpacific:scheduler', source: 'scheduler' } }],
        expectedVersion: host.version,
      };
      // The Events go with the change, at the host's version: a change written once is announced once.
      const notes = transitioned ? readinessEvents(object, want.status, want.reason, want.message) : [];
      const written = await this.store.appendBatch([change, ...notes]);
      this.hosts.set(streamId, { version: written[0].events[0].streamVersion, object });
      this.readTo.set(streamId, written[0].events[0].streamVersion);
      this.logger.info('host readiness changed', { host: name, ready: want.status, reason: want.reason });
      this.opts.onChange?.();
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
      // Someone else changed the host meanwhile: the next check sees the new state.
    }
  }
}
