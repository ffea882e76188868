import { readdirSync, readFileSync } from 'node:fs';
import type { TestCluster } from '@openpacific/testing';
import { Client } from 'pg';
import { clusterPids } from './process-rss';

/** CPU seconds (user + system) a process has used so far, from /proc (clock ticks of 10 ms); 0 when it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds used so far by this process (`bench client`) and by each of `pids` (by name). */
export function processesCpu(pids: Record<string, number>): Record<string, number> {
  const own = process.cpuUsage();
  const out: Record<string, number> = { 'bench client': (own.user + own.system) / 1e6 };
  for (const [name, pid] of Object.entries(pids)) out[name] = cpuSeconds(pid);
  return out;
}

/** The pids of the machine's nats-server processes: a cluster's JetStream relay and pokes cost the server CPU too. */
function natsServerPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'nats-server') pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Runs `fn` on a connection of its own to the cluster's database, closed after: the bench's readings between runs. */
async function withClusterDatabase<T>(cluster: TestCluster, fn: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: cluster.databaseUrl });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

/**
 * CPU seconds used so far by each process of a cluster (cluster.json's names), by each of its Postgres backends
 * (`postgres#<pid>`), by the machine's NATS servers (`nats-server#<pid>`; benchmarks run alone, so theirs is the
 * cluster's) and by this process (`bench client`).
 */
export async function clusterCpu(cluster: TestCluster): Promise<Record<string, number>> {
  const pids = clusterPids(cluster.state());
  const { rows } = await withClusterDatabase(cluster, (db) =>
    db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()'),
  );
  for (const r of rows) pids[`postgres#${r.pid}`] = r.pid;
  for (const pid of natsServerPids()) pids[`nats-server#${pid}`] = pid;
  return processesCpu(pids);
}

/** CPU used between two `clusterCpu` readings per item (`CPU ms/<unit>`, and by process, busiest first), for `count` items. */
export function cpuPerItem(before: Record<string, number>, after: Record<string, number>, count: number, unit: string): Record<string, number> {
  const used = cpuUsed(before, after);
  const total = Object.values(used).reduce((a, b) => a + b, 0);
  const per = (s: number) => +((s * 1000) / count).toFixed(2);
  const byProcess = Object.entries(used).filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1]);
  return { [`CPU ms/${unit}`]: per(total), ...Object.fromEntries(byProcess.map(([name, s]) => [`CPU ms/${unit}: ${name}`, per(s)])) };
}

/**
 * CPU seconds per process between two readings, Postgres backends together as `postgres` (one started in between
 * counts from 0; one gone by the second reading takes its time with it).
 */
export function cpuUsed(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const used: Record<string, number> = {};
  for (const [key, s] of Object.entries(after)) {
    const name = key.replace(/#\d+$/, '');
    used[name] = (used[name] ?? 0) + Math.max(0, s - (before[key] ?? 0));
  }
  return used;
}

/** `cpuUsed` as `CPU s: <process>` columns; a process that used none is left out. */
export function cpuColumns(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(cpuUsed(before, after)).filter(([, s]) => s > 0).map(([name, s]) => [`CPU s: ${name}`, +s.toFixed(2)]));
}

/** Transactions the cluster's database has committed or rolled back so far (Postgres's statistics, flushed about once a second). */
export async function databaseTransactions(cluster: TestCluster): Promise<number> {
  return withClusterDatabase(cluster, async (db) => {
    // A fresh snapshot of the statistics, not the one this session may have cached.
    await db.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await db.query<{ n: string }>('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()');
    return Number(rows[0]?.n ?? 0);
  });
}

/**
 * Waits until the cluster's processes together use under `share` of one core over `windowMs` (at most
 * `maxMs`; returns how long it waited): a gateway that just became ready still compiles its schema validators
 * for a second or so, which a cluster in service has done long before. Runs start from a quiet cluster.
 */
export async function settle(cluster: TestCluster, opts: { share?: number; windowMs?: number; maxMs?: number } = {}): Promise<number> {
  const { share = 0.1, windowMs = 500, maxMs = 15_000 } = opts;
  const pids = clusterPids(cluster.state());
  const total = () => Object.values(pids).reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const started = Date.now();
  for (;;) {
    const before = total();
    await new Promise((r) => setTimeout(r, windowMs));
    if (total() - before < (share * windowMs) / 1000 || Date.now() - started >= maxMs) return Date.now() - started;
  }
}

/** The log's last position so far (0 for an empty log): where `eventsSince` starts counting. */
export async function logTip(cluster: TestCluster): Promise<string> {
  const { rows } = await withClusterDatabase(cluster, (db) => db.query<{ p: string | null }>('SELECT max(position)::text AS p FROM events'));
  return rows[0]?.p ?? '0';
}

/**
 * Events appended after `position` per item, all together (`events/<unit>`) and by resource and type
 * (`events/<unit>: pods ResourceStatusUpdated`), most first: what every follower of the log reads again; and the
 * bytes of their bodies (`log bytes/<unit>`, data and metadata as JSON text), which every follower is sent and parses.
 */
export async function eventsSince(cluster: TestCluster, position: string, count: number, unit: string): Promise<Record<string, number>> {
  const { rows } = await withClusterDatabase(cluster, (db) =>
    db.query<{ resource: string; type: string; n: string; bytes: string }>(
      `SELECT split_part(stream_id, '/', 1) AS resource, type, count(*) AS n, sum(octet_length(data::text) + octet_length(metadata::text)) AS bytes
         FROM events WHERE position > $1::bigint GROUP BY 1, 2 ORDER BY 3 DESC`,
      [position],
    ),
  );
  const per = (n: number) => +(n / count).toFixed(2);
  const total = rows.reduce((a, r) => a + Number(r.n), 0);
  const bytes = rows.reduce((a, r) => a + Number(r.bytes), 0);
  return { [`events/${unit}`]: per(total), [`log bytes/${unit}`]: Math.round(bytes / count), ...Object.fromEntries(rows.map((r) => [`events/${unit}: ${r.resource} ${r.type}`, per(Number(r.n))])) };
}
