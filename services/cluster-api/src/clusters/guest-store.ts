import { natsNames } from '@openpacific/contracts';
import type { Logger } from '@openpacific/service-kit';
import type { NatsConnection } from 'nats';
import type { Pool } from 'pg';

/**
 * Where a guest cluster keeps its state: a database of its own on the Supervisor's Postgres server (its
 * event log, as etcd is a workload cluster's own) and a NATS prefix of its own on the Supervisor's NATS
 * (its subjects and its JetStream stream). Both are named after the Cluster's uid, made before its first
 * control-plane machine boots and removed once its last machine is gone.
 */
export class GuestStore {
  private readonly made = new Set<string>();

  constructor(private readonly deps: { pool: Pool; nats: NatsConnection; logger: Logger; databaseUrl: string }) {}

  /** `guest_<16 hex of the uid>`: a plain identifier, unique per cluster. */
  static databaseName(cluster: any): string {
    return `guest_${compactUid(cluster)}`;
  }

  static natsPrefix(cluster: any): string {
    return `g${compactUid(cluster)}`;
  }

  /** The guest database's URL: the Supervisor's with the database name replaced. */
  databaseUrl(cluster: any): string {
    const url = new URL(this.deps.databaseUrl);
    url.pathname = `/${GuestStore.databaseName(cluster)}`;
    return url.toString();
  }

  async ensureDatabase(cluster: any): Promise<void> {
    const name = GuestStore.databaseName(cluster);
    if (this.made.has(name)) return;
    try {
      await this.deps.pool.query(`CREATE DATABASE ${name}`);
      this.deps.logger.info('guest cluster database created', { cluster: `${cluster.metadata.namespace}/${cluster.metadata.name}`, database: name });
    } catch (err) {
      // 42P04: it exists already (made by an earlier pass or an earlier leader).
      if ((err as { code?: string }).code !== '42P04') throw err;
    }
    this.made.add(name);
  }

  /** Drops the database (closing whatever still holds it) and deletes the guest's JetStream stream. */
  async remove(cluster: any): Promise<void> {
    const name = GuestStore.databaseName(cluster);
    await this.deps.pool.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    this.made.delete(name);
    const jsm = await this.deps.nats.jetstreamManager();
    try {
      await jsm.streams.delete(natsNames(GuestStore.natsPrefix(cluster)).eventStream);
    } catch (err) {
      if (!/not found/i.test((err as Error).message)) throw err;
    }
    this.deps.logger.info('guest cluster store removed', { cluster: `${cluster.metadata.namespace}/${cluster.metadata.name}`, database: name });
  }
}

function compactUid(cluster: any): string {
  return String(cluster.metadata.uid).replace(/-/g, '').toLowerCase().slice(0, 16);
}
