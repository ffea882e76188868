import { randomUUID } from 'node:crypto';
import { guestStoreNames, natsNames } from '@openpacific/contracts';
import { EventStore, migrate } from '@openpacific/event-store';
import { connect as connectNats, NatsConnection } from 'nats';
import { createTestDatabase, TestDatabase, withAdmin } from './database';
import { dropGuestStores, guestClusterUids } from './guest-stores';
import { testNatsUrl } from './nats';

const CLUSTERS = 'clusters.cluster.x-k8s.io';
const meta = { actor: 'admin', source: 'api-gateway' };

function clusterObject(name: string, uid: string) {
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'Cluster',
    metadata: { name, namespace: 'tkg', uid, creationTimestamp: new Date().toISOString(), generation: 1 },
  };
}

function databaseExists(name: string): Promise<boolean> {
  return withAdmin(async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);
}

describe('the guest stores a stopped cluster leaves', () => {
  let db: TestDatabase;
  let nc: NatsConnection;

  beforeEach(async () => {
    db = await createTestDatabase('gueststores');
    nc = await connectNats({ servers: testNatsUrl });
  });
  afterEach(async () => {
    await nc.close();
    await db.drop();
  });

  it('finds the Clusters its log created and drops their databases and streams, leaving other databases alone', async () => {
    await migrate(db.pool);
    const store = new EventStore(db.pool, { notify: false });
    const uids = [randomUUID(), randomUUID()];
    for (const [i, uid] of uids.entries()) {
      await store.append(`${CLUSTERS}/tkg/c${i}`, [{ type: 'ResourceCreated', data: { resource: CLUSTERS, object: clusterObject(`c${i}`, uid) }, metadata: meta }]);
    }
    // Not a Cluster API Cluster: a namespace whose uid must not be taken for a guest.
    const other = randomUUID();
    await store.append('namespaces/tkg', [{ type: 'ResourceCreated', data: { resource: 'namespaces', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tkg', uid: other, creationTimestamp: new Date().toISOString() } } }, metadata: meta }]);
    const names = uids.map(guestStoreNames);
    const bystander = guestStoreNames(other).database;
    // The first guest has a database and a stream; the second was deleted already (nothing left to drop).
    await withAdmin((c) => c.query(`CREATE DATABASE ${names[0].database}`));
    await withAdmin((c) => c.query(`CREATE DATABASE ${bystander}`));
    const jsm = await nc.jetstreamManager();
    const stream = natsNames(names[0].natsPrefix);
    await jsm.streams.add({ name: stream.eventStream, subjects: [stream.eventSubjects] });
    try {
      expect((await guestClusterUids(db.url)).sort()).toEqual([...uids].sort());
      expect((await dropGuestStores(db.url, testNatsUrl)).sort()).toEqual(names.map((n) => n.database).sort());
      expect(await databaseExists(names[0].database)).toBe(false);
      await expect(jsm.streams.info(stream.eventStream)).rejects.toThrow(/stream not found/);
      expect(await databaseExists(bystander)).toBe(true);
    } finally {
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${bystander}`));
    }
  });

  it('finds nothing in a database the cluster never migrated', async () => {
    expect(await guestClusterUids(db.url)).toEqual([]);
    expect(await dropGuestStores(db.url, testNatsUrl)).toEqual([]);
  });
});
