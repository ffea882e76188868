import { appendedResources, NatsNames } from '@openpacific/contracts';
import type { EventStore, RecordedEvent } from '@openpacific/event-store';
import type { NatsConnection } from 'nats';
import type { Pool } from 'pg';
import { FollowerLogger, LogFollower, LogFollowerOptions, LogPoke } from './log-follower';

/**
 * A log follower for a service: it wakes on the NATS pokes every service
 * sends after appending (as well as on Postgres NOTIFY and its poll). With
 * `follows`, it reads only those resources' events and sleeps through pokes
 * that name only others (see LogFollower).
 */
export function pokedFollower(
  deps: { store: EventStore; pool: Pool; nats: NatsConnection; names: NatsNames; logger: FollowerLogger },
  apply: (events: RecordedEvent[]) => void,
  opts: LogFollowerOptions = {},
): LogFollower {
  const wake = (poke: LogPoke) => {
    const sub = deps.nats.subscribe(deps.names.logAppended, { callback: (err, msg) => poke(err ? undefined : appendedResources(msg.data)) });
    return () => sub.unsubscribe();
  };
  return new LogFollower(deps.store, deps.pool, apply, deps.logger, wake, opts);
}
