import type { NatsNames } from '@openpacific/contracts';
import type { EventStore, RecordedEvent } from '@openpacific/event-store';
import type { NatsConnection } from 'nats';
import type { Pool } from 'pg';
import { FollowerLogger, LogFollower } from './log-follower';

/**
 * A log follower for a service: it wakes on the NATS pokes every service
 * sends after appending (as well as on Postgres NOTIFY and its poll).
 */
export function pokedFollower(
  deps: { store: EventStore; pool: Pool; nats: NatsConnection; names: NatsNames; logger: FollowerLogger },
  apply: (events: RecordedEvent[]) => void,
): LogFollower {
  return new LogFollower(deps.store, deps.pool, apply, deps.logger, (poke) => {
    const sub = deps.nats.subscribe(deps.names.logAppended, { callback: () => poke() });
    return () => sub.unsubscribe();
  });
}
