import { appendedResources } from '@openpacific/contracts';
import { APPEND_CHANNEL, compareLogPositions, LogPosition } from '@openpacific/event-store';
import type { NatsConnection, Subscription } from 'nats';
import type { Pool, PoolClient } from 'pg';
import { readVisibleTip } from './followed-read';

/** What a process-wide wake-up source needs of a follower. */
export interface Wakeable {
  readonly current: LogPosition;
  kick(): Promise<void>;
}

/** The logging a follower needs (service-kit's Logger satisfies it). */
export interface FollowerLogger {
  warn(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * The poll and the Postgres LISTEN of every follower of one pool (one process), shared: a process runs
 * several followers (the scheduler three, vm-operator five), and a timer, a held connection and a read every
 * poll for each of them was most of a service's idle cost. Each poll first reads the log's visible tip (one
 * index probe) and kicks only the followers behind it; with a single follower, its own read is that probe.
 */
class PoolWakeups {
  private readonly followers = new Set<Wakeable>();
  private listenClient?: Promise<PoolClient>;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly pool: Pool,
    private readonly pollMs: number,
    private readonly logger: FollowerLogger,
    private readonly onEmpty: () => void,
  ) {}

  async add(follower: Wakeable): Promise<void> {
    this.followers.add(follower);
    if (!this.listenClient) {
      this.listenClient = this.listen();
      this.schedulePoll();
    }
    try {
      await this.listenClient;
    } catch (err) {
      await this.remove(follower);
      throw err;
    }
  }

  async remove(follower: Wakeable): Promise<void> {
    if (!this.followers.delete(follower) || this.followers.size > 0) return;
    this.onEmpty();
    clearTimeout(this.timer);
    const client = await this.listenClient?.catch(() => undefined);
    if (!client) return;
    client.removeAllListeners('notification');
    await client.query(`UNLISTEN ${APPEND_CHANNEL}`).catch(() => undefined);
    client.release();
  }

  private async listen(): Promise<PoolClient> {
    const client = await this.pool.connect();
    // NOTIFY names nothing and comes from writers outside the services (they poke over NATS): everyone reads.
    client.on('notification', () => this.followers.forEach((f) => void f.kick()));
    client.on('error', (err) => this.logger.warn('log listener failed', { error: err.message }));
    await client.query(`LISTEN ${APPEND_CHANNEL}`);
    return client;
  }

  /** The next poll starts a period after the last one ended: a slow database never gets polls piled up. */
  private schedulePoll(): void {
    this.timer = setTimeout(() => {
      void this.poll().finally(() => {
        if (this.followers.size > 0) this.schedulePoll();
      });
    }, this.pollMs);
  }

  private async poll(): Promise<void> {
    const followers = [...this.followers];
    if (followers.length === 1) {
      await followers[0].kick();
      return;
    }
    try {
      const tip = await readVisibleTip(this.pool);
      for (const f of followers) if (tip && compareLogPositions(f.current, tip) < 0) void f.kick();
    } catch (err) {
      this.logger.warn('polling the log failed', { error: (err as Error).message });
    }
  }
}

const poolWakeups = new WeakMap<Pool, Map<number, PoolWakeups>>();

/** Has `follower` woken by its pool's shared poll and LISTEN until the returned function is called. */
export async function watchLog(pool: Pool, pollMs: number, logger: FollowerLogger, follower: Wakeable): Promise<() => Promise<void>> {
  let byPeriod = poolWakeups.get(pool);
  if (!byPeriod) poolWakeups.set(pool, (byPeriod = new Map()));
  let wakeups = byPeriod.get(pollMs);
  if (!wakeups) {
    const periods = byPeriod;
    byPeriod.set(pollMs, (wakeups = new PoolWakeups(pool, pollMs, logger, () => periods.delete(pollMs))));
  }
  const joined = wakeups;
  await joined.add(follower);
  return () => joined.remove(follower);
}

/** A wake-up from outside: the resources appended when the sender named them, else undefined. */
export type LogPoke = (resources?: readonly string[]) => void;

/** One NATS subscription to the "log appended" subject for a whole process, each message decoded once for every follower. */
class SharedPokes {
  private readonly pokes = new Set<LogPoke>();
  private readonly sub: Subscription;

  constructor(nats: NatsConnection, subject: string, private readonly onEmpty: () => void) {
    this.sub = nats.subscribe(subject, {
      callback: (err, msg) => {
        const resources = err ? undefined : appendedResources(msg.data);
        this.pokes.forEach((poke) => poke(resources));
      },
    });
  }

  add(poke: LogPoke): () => void {
    this.pokes.add(poke);
    return () => {
      if (!this.pokes.delete(poke) || this.pokes.size > 0) return;
      this.onEmpty();
      this.sub.unsubscribe();
    };
  }
}

const pokeSubscriptions = new WeakMap<NatsConnection, Map<string, SharedPokes>>();

/** Calls `poke` on every "log appended" message on `subject`, over one subscription per connection and subject; returns the unsubscribe. */
export function listenForPokes(nats: NatsConnection, subject: string, poke: LogPoke): () => void {
  let bySubject = pokeSubscriptions.get(nats);
  if (!bySubject) pokeSubscriptions.set(nats, (bySubject = new Map()));
  let shared = bySubject.get(subject);
  if (!shared) {
    const subjects = bySubject;
    subjects.set(subject, (shared = new SharedPokes(nats, subject, () => subjects.delete(subject))));
  }
  return shared.add(poke);
}
