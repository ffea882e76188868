/**
 * Emmett's PostgreSQL event store (@event-driven-io/emmett-postgresql) as a
 * peer in the event-store bench, on the same database. It is optional: the
 * package is not a dependency of the repo unless the lead adds it, so it is
 * loaded at run time and the bench prints a note instead when it is absent.
 */
import type { Pool } from 'pg';

export interface PeerStore {
  append(streamId: string, events: { type: string; data: unknown; metadata: Record<string, unknown> }[]): Promise<void>;
  close(): Promise<void>;
}

interface EmmettModule {
  getPostgreSQLEventStore(
    connectionString: string,
    options?: unknown,
  ): {
    appendToStream(streamName: string, events: unknown[], options?: { expectedStreamVersion?: unknown }): Promise<unknown>;
    schema: { migrate(): Promise<void> };
    close(): Promise<void>;
  };
}

/**
 * The peer, or why it is not there (the load error's message). It borrows
 * our pool, so both stores run with the same ten connections and the bench
 * opens no more of them on a shared Postgres.
 */
export async function openEmmett(connectionString: string, pool: Pool): Promise<PeerStore | string> {
  let emmett: EmmettModule;
  try {
    // A variable specifier keeps TypeScript from needing the package's types at build time.
    const specifier = '@event-driven-io/emmett-postgresql';
    emmett = require(specifier) as EmmettModule;
  } catch (err) {
    return `Emmett not run: ${(err as Error).message.split('\n')[0]}`;
  }
  const store = emmett.getPostgreSQLEventStore(connectionString, { connectionOptions: { pool } });
  await store.schema.migrate(); // outside the timed cells: Emmett creates its schema on first use
  return {
    // A new stream each time, as our appends with 'no_stream'.
    append: async (streamId, events) => {
      await store.appendToStream(streamId, events, { expectedStreamVersion: 'STREAM_DOES_NOT_EXIST' });
    },
    close: () => store.close(),
  };
}
