import { randomUUID } from 'node:crypto';
import { EventStore, migrate } from '@openpacific/event-store';
import { createTestDatabase } from '@openpacific/testing';
import { openEmmett } from './emmett-peer';
import { measure } from './measure';

const catalogue = { Benched: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } } };
const meta = { actor: 'bench', source: 'bench' };

/**
 * Appends against raw INSERT transactions on the same database in the same
 * run: 1, 8 and 32 writers, one event per transaction and 100 per
 * transaction (one stream each), so the store's overhead shows as a ratio.
 * Emmett's PostgreSQL store runs the same cells on the same database when it
 * is installed (see emmett-peer.ts); otherwise a note says why not.
 */
export async function eventStoreBench(durationMs: number) {
  const db = await createTestDatabase('bench');
  await migrate(db.pool);
  await db.pool.query('CREATE TABLE raw_inserts (id uuid PRIMARY KEY, stream text, data jsonb)');
  // As the services run it: no Postgres NOTIFY (followers are poked over NATS).
  const store = new EventStore(db.pool, { catalogue, notify: false });
  const rows: Record<string, unknown>[] = [];
  const emmett = await openEmmett(db.url, db.pool);
  // Warm up outside the timed cells: the pool's connections, the validator's compiled schema.
  await Promise.all(Array.from({ length: 10 }, () => db.pool.query('SELECT 1')));
  await store.append(`warm-${randomUUID()}`, [{ type: 'Benched', data: { n: 0 }, metadata: meta }]);
  try {
    for (const writers of [1, 8, 32]) {
      const raw = await measure(writers, durationMs, async () => {
        await db.pool.query('INSERT INTO raw_inserts VALUES ($1, $2, $3)', [randomUUID(), 'raw', JSON.stringify({ n: 1 })]);
      });
      const single = await measure(writers, durationMs, async (w) => {
        await store.append(`s-${w}-${randomUUID()}`, [{ type: 'Benched', data: { n: 1 }, metadata: meta }], { expectedVersion: 'no_stream' });
      });
      const batch = Array.from({ length: 100 }, (_, n) => ({ type: 'Benched', data: { n }, metadata: meta }));
      const batched = await measure(writers, durationMs, async (w) => {
        await store.append(`b-${w}-${randomUUID()}`, batch, { expectedVersion: 'no_stream' });
      });
      const peer =
        typeof emmett === 'string'
          ? undefined
          : {
              single: await measure(writers, durationMs, async (w) => {
                await emmett.append(`s-${w}-${randomUUID()}`, [{ type: 'Benched', data: { n: 1 }, metadata: meta }]);
              }),
              batched: await measure(writers, durationMs, async (w) => {
                await emmett.append(`b-${w}-${randomUUID()}`, batch);
              }),
            };
      rows.push({
        writers,
        'raw INSERT tx/s': Math.round(raw.perSecond),
        'append tx/s': Math.round(single.perSecond),
        'append / raw': `${Math.round((100 * single.perSecond) / raw.perSecond)} %`,
        'append p50 ms': single.p50.toFixed(2),
        'append p99 ms': single.p99.toFixed(2),
        '100-event batches: events/s': Math.round(batched.perSecond * 100),
        ...(peer && {
          'emmett tx/s': Math.round(peer.single.perSecond),
          'emmett / raw': `${Math.round((100 * peer.single.perSecond) / raw.perSecond)} %`,
          'emmett p50 ms': peer.single.p50.toFixed(2),
          'emmett 100-event batches: events/s': Math.round(peer.batched.perSecond * 100),
        }),
      });
    }
    if (typeof emmett === 'string') rows.push({ note: emmett });
  } finally {
    if (typeof emmett !== 'string') await emmett.close();
    await db.drop();
  }
  return rows;
}
