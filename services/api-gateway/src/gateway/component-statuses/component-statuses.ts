import { lockKey } from '@openpacific/event-store';
import { includeObjectParam, methodNotAllowed, notFound, toTable, wantsTable } from '@openpacific/kube-api';
import type { GatewayCore, ResourceRequest } from '../core';
import { sendJson } from '../http/respond';

/**
 * The parts of the control plane `kubectl get componentstatuses` reports, by name: the event store (Postgres) and NATS,
 * asked directly, and the services that act through one elected instance, healthy while some instance holds its
 * leader lock (a Postgres advisory lock, held by a live session only).
 */
const LEADERS: ReadonlyArray<{ name: string; lock: string }> = [
  { name: 'cluster-api', lock: 'cluster-api' },
  { name: 'garbage-collector', lock: 'garbage-collector' },
  { name: 'policy', lock: 'policy-quota-status' },
  { name: 'scheduler', lock: 'scheduler' },
  { name: 'vm-operator', lock: 'vm-operator' },
];

/** Health as a ComponentStatus's one condition: `ok`, or why not. */
export type Health = { ok: true } | { ok: false; error: string };

export function componentStatus(name: string, health: Health): any {
  const condition = health.ok ? { type: 'Healthy', status: 'True', message: 'ok' } : { type: 'Healthy', status: 'False', error: health.error };
  return { kind: 'ComponentStatus', apiVersion: 'v1', metadata: { name }, conditions: [condition] };
}

/** Which leader locks some session holds now, of those asked (pg_locks keeps a bigint advisory key as two 32-bit halves). */
async function heldLocks(core: GatewayCore): Promise<Set<string>> {
  const { rows } = await core.store.pool.query(
    `SELECT ((classid::bigint << 32) | objid::bigint)::text AS key FROM pg_locks
      WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  return new Set(rows.map((r: { key: string }) => r.key));
}

/** Every component's status now, sorted by name. */
export async function componentStatuses(core: GatewayCore): Promise<any[]> {
  const out: any[] = [];
  let held: Set<string> | undefined;
  try {
    held = await heldLocks(core);
    out.push(componentStatus('event-store', { ok: true }));
  } catch (err) {
    out.push(componentStatus('event-store', { ok: false, error: (err as Error).message }));
  }
  out.push(componentStatus('nats', core.nats.isClosed() ? { ok: false, error: 'the connection to NATS is closed' } : { ok: true }));
  for (const { name, lock } of LEADERS) {
    const health: Health = !held
      ? { ok: false, error: 'the event store cannot be asked who leads' }
      : held.has(lockKey(lock))
        ? { ok: true }
        : { ok: false, error: `no instance holds the ${JSON.stringify(lock)} leader lock` };
    out.push(componentStatus(name, health));
  }
  return out.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

/** GET of one ComponentStatus or the list (as a table for kubectl), with kube-apiserver's deprecation warning. */
export async function handleComponentStatuses(core: GatewayCore, r: ResourceRequest, method: string, history: boolean): Promise<void> {
  const { served, name, subresource } = r.target;
  if (history || subresource) throw notFound('', r.url.pathname);
  const watch = r.query.get('watch') === 'true' || r.query.get('watch') === '1';
  if (method !== 'GET' || watch) throw methodNotAllowed(method);
  r.res.setHeader('Warning', '299 - "v1 ComponentStatus is deprecated in v1.19+"');
  const all = await componentStatuses(core);
  const items = name === undefined ? all : all.filter((c) => c.metadata.name === name);
  if (name !== undefined && items.length === 0) throw notFound('componentstatuses', name);
  const { def, version, apiVersion } = served;
  if (wantsTable(r.req.headers.accept)) {
    const table = toTable(def, version.name, items, { includeObject: includeObjectParam(r.query), now: new Date(), columnDefinitions: true, listMeta: { resourceVersion: '' } });
    return sendJson(r.res, 200, table);
  }
  sendJson(r.res, 200, name === undefined ? { kind: def.listKind, apiVersion, metadata: {}, items } : items[0]);
}
