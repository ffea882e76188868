import { guestStoreNames, natsNames } from '@openpacific/contracts';
import { connect as connectNats } from 'nats';
import { Client } from 'pg';
import { withAdmin } from './database';

/** A cluster's JetStream stream of events goes with its database (the NATS server keeps streams on disk). */
export async function dropEventStream(url: string, prefix: string): Promise<void> {
  const nc = await connectNats({ servers: url, timeout: 2000 }).catch(() => undefined);
  if (!nc) return;
  try {
    await (await nc.jetstreamManager()).streams.delete(natsNames(prefix).eventStream).catch(() => undefined);
  } finally {
    await nc.close();
  }
}

/**
 * The uids of the Cluster API Clusters a cluster's log ever created: each had a guest store (a database and a
 * NATS prefix on the same servers). Empty when the log has no `events` table (the cluster never migrated).
 */
export async function guestClusterUids(databaseUrl: string): Promise<string[]> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const { rows } = await c.query(
      `SELECT DISTINCT data->'object'->'metadata'->>'uid' AS uid FROM events
       WHERE type = 'ResourceCreated' AND stream_id LIKE 'clusters.cluster.x-k8s.io/%'`,
    );
    return rows.map((r) => r.uid).filter((uid): uid is string => typeof uid === 'string');
  } catch (err) {
    if ((err as { code?: string }).code === '42P01') return []; // undefined_table
    throw err;
  } finally {
    await c.end();
  }
}

/**
 * Drops what a stopped cluster's guest clusters left on the shared servers: cluster-api removes a guest's
 * database and stream when its Cluster is deleted, but a test or bench stops its cluster with guests still in
 * it, and they would pile up. Returns the databases dropped (or already gone).
 */
export async function dropGuestStores(databaseUrl: string, natsUrl: string): Promise<string[]> {
  const names = (await guestClusterUids(databaseUrl)).map(guestStoreNames);
  if (names.length === 0) return [];
  await withAdmin(async (admin) => {
    for (const { database } of names) await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });
  for (const { natsPrefix } of names) await dropEventStream(natsUrl, natsPrefix);
  return names.map((n) => n.database);
}
