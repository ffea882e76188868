import type { NatsNames } from '@openpacific/contracts';
import type { EventStore, RecordedEvent } from '@openpacific/event-store';
import type { NatsConnection } from 'nats';
import type { Pool } from 'pg';
import { FollowerLogger, LogFollower, LogFollowerOptions } from './log-follower';

/** What a follower needs of its process; `L` is the process's logger (a follower itself only warns). */
export interface FollowerDeps<L extends FollowerLogger = FollowerLogger> {
  store: EventStore;
  pool: Pool;
  nats: NatsConnection;
  names: NatsNames;
  logger: L;
}
import { listenForPokes } from './log-wakeups';

/**
 * A log follower for a service: it wakes on the NATS pokes every service
 * sends after appending (as well as on Postgres NOTIFY and its poll). With
 * `follows`, it reads only those resources' events and sleeps through pokes
 * that name only others (see LogFollower). The followers of one connection
 * share one subscription.
 */
export function pokedFollower(
  deps: FollowerDeps,
  apply: (events: RecordedEvent[]) => void,
  opts: LogFollowerOptions = {},
): LogFollower {
  return new LogFollower(deps.store, deps.pool, apply, deps.logger, (poke) => listenForPokes(deps.nats, deps.names.logAppended, poke), opts);
}
