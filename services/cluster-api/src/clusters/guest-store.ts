import { rm } from 'node:fs/promises';
import { guestDatastoreDir, guestStoreNames, natsNames } from '@openpacific/contracts';
import type { Logger } from '@openpacific/service-kit';
import type { NatsConnection } from 'nats';
import type { Pool } from 'pg';

/**
 * Where a guest cluster keeps its state: a database of its own on the Supervisor's Postgres server (its
 * event log, as etcd is a workload cluster's own) and a NATS prefix of its own on the Supervisor's NATS
 * (its subjects and its JetStream stream). Both are named after the Cluster's uid, made before its first
 * control-plane machine boots and removed once its last machine is gone; so is its datastore, a folder of the
 * Supervisor's (`<datastoreDir>/guests/<uid>`) that holds its volumes whichever VMs come and go (its scheduler makes it).
 */
export class GuestStore {
  private readonly made = new Set<string>();
  private readonly making = new Set<string>();
  private readonly removing = new Set<string>();
  /** Removed by this replica: the Cluster's finalizer may go. */
  private readonly removed = new Set<string>();

  /** `onMade` is called once a creation or removal started here has finished (or failed, to try again). */
  constructor(private readonly deps: { pool: Pool; nats: NatsConnection; logger: Logger; databaseUrl: string; datastoreDir?: string; onMade: () => void }) {}

  /** `guest_<16 hex of the uid>`: a plain identifier, unique per cluster. */
  static databaseName(cluster: any): string {
    return guestStoreNames(String(cluster.metadata.uid)).database;
  }

  static natsPrefix(cluster: any): string {
    return guestStoreNames(String(cluster.metadata.uid)).natsPrefix;
  }

  /** The guest database's URL: the Supervisor's with the database name replaced. */
  databaseUrl(cluster: any): string {
    const url = new URL(this.deps.databaseUrl);
    url.pathname = `/${GuestStore.databaseName(cluster)}`;
    return url.toString();
  }

  /** The guest's datastore, when this service knows the Supervisor's: `<datastoreDir>/guests/<cluster uid>`. */
  datastoreDir(cluster: any): string | undefined {
    return this.deps.datastoreDir ? guestDatastoreDir(this.deps.datastoreDir, String(cluster.metadata.uid)) : undefined;
  }

  isMade(cluster: any): boolean {
    return this.made.has(GuestStore.databaseName(cluster));
  }

  /** Starts creating the guest's database unless it exists or is being created; `onMade` says when it is done. */
  ensureDatabase(cluster: any): void {
    const name = GuestStore.databaseName(cluster);
    if (this.made.has(name) || this.making.has(name)) return;
    this.making.add(name);
    this.deps.pool
      .query(`CREATE DATABASE ${name}`)
      .then(
        () => {
          this.deps.logger.info('guest cluster database created', { cluster: `${cluster.metadata.namespace}/${cluster.metadata.name}`, database: name });
          this.made.add(name);
        },
        (err: { code?: string; message: string }) => {
          // 42P04: it exists already (made by an earlier leader).
          if (err.code === '42P04') this.made.add(name);
          else this.deps.logger.warn('creating a guest cluster database failed', { database: name, error: err.message });
        },
      )
      .finally(() => {
        this.making.delete(name);
        this.deps.onMade();
      });
  }

  /**
   * Whether the guest's database and stream are gone; starts removing them (once) when they are not. Like
   * `ensureDatabase`, beside the passes: dropping a database that programs still hold can take a while.
   */
  ensureRemoved(cluster: any): boolean {
    const name = GuestStore.databaseName(cluster);
    if (this.removed.has(name)) return true;
    if (this.making.has(name) || this.removing.has(name)) return false;
    this.removing.add(name);
    this.remove(cluster)
      .then(
        () => this.removed.add(name),
        (err: Error) => this.deps.logger.warn('removing a guest cluster store failed', { database: name, error: err.message }),
      )
      .finally(() => {
        this.removing.delete(name);
        this.deps.onMade();
      });
    return false;
  }

  /** Drops the database (closing whatever still holds it), deletes the guest's JetStream stream, then its datastore. */
  private async remove(cluster: any): Promise<void> {
    const name = GuestStore.databaseName(cluster);
    await this.deps.pool.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    this.made.delete(name);
    const jsm = await this.deps.nats.jetstreamManager();
    try {
      await jsm.streams.delete(natsNames(GuestStore.natsPrefix(cluster)).eventStream);
    } catch (err) {
      if (!/not found/i.test((err as Error).message)) throw err;
    }
    const datastore = this.datastoreDir(cluster);
    if (datastore) await rm(datastore, { recursive: true, force: true });
    this.deps.logger.info('guest cluster store removed', { cluster: `${cluster.metadata.namespace}/${cluster.metadata.name}`, database: name, datastore });
  }
}
