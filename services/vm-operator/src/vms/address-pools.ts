import { EventMetadata, ObjectEventTypes } from '@openpacific/contracts';
import type { EventStore } from '@openpacific/event-store';
import type { ReadModel } from '@openpacific/objects';

/**
 * Per-namespace address pools: namespace number i (1..63, kept on the Namespace as an annotation) owns
 * 127.(64+i).0.0/16, from which its VMs get addresses, lowest free first. Loopback addresses work on Linux
 * with no set-up, so guests on any host of the local cluster are reachable at them.
 */
export const POOL_ANNOTATION = 'vmoperator.openpacific.io/address-pool';
export const VM_IP_ANNOTATION = 'vmoperator.openpacific.io/ip';
export const MAX_POOLS = 63;

export function poolIndexOf(namespace: any): number | undefined {
  const v = Number(namespace?.metadata?.annotations?.[POOL_ANNOTATION]);
  return Number.isInteger(v) && v >= 1 && v <= MAX_POOLS ? v : undefined;
}

/** The lowest pool number no namespace holds. */
export function freePoolIndex(namespaces: any[]): number | undefined {
  const taken = new Set(namespaces.map(poolIndexOf).filter((i) => i !== undefined));
  for (let i = 1; i <= MAX_POOLS; i++) if (!taken.has(i)) return i;
  return undefined;
}

export function addressOf(pool: number, n: number): string {
  return `127.${64 + pool}.${Math.floor((n - 1) / 254)}.${((n - 1) % 254) + 1}`;
}

/** The addresses these VMs hold. */
export function addressesOf(vms: any[]): Set<string> {
  return new Set(vms.map((v) => v.metadata?.annotations?.[VM_IP_ANNOTATION]).filter(Boolean));
}

/** The lowest address of the pool not in `used`, looking from the `from`-th on, with its number. */
export function freeAddress(pool: number, used: Set<string>, from = 1): { ip: string; n: number } | undefined {
  for (let n = from; n <= 254 * 256; n++) {
    const ip = addressOf(pool, n);
    if (!used.has(ip)) return { ip, n };
  }
  return undefined;
}

/**
 * The namespace's pool number; when it has none yet, takes the lowest free one for it (an update of the
 * Namespace at its version) and returns undefined: the caller tries again once the change is in the log.
 */
export async function ensurePool(store: EventStore, model: ReadModel, namespace: string, metadata: EventMetadata): Promise<number | undefined> {
  const ns = model.get('namespaces', undefined, namespace);
  if (!ns) return undefined;
  const pool = poolIndexOf(ns.object);
  if (pool !== undefined) return pool;
  const index = freePoolIndex(model.list('namespaces').map((s) => s.object));
  if (index === undefined) throw new Error('every address pool is taken');
  const next = structuredClone(ns.object);
  delete next.metadata.resourceVersion;
  next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [POOL_ANNOTATION]: String(index) };
  await store.append(ns.streamId, [{ type: ObjectEventTypes.updated, data: { resource: 'namespaces', object: next }, metadata }], { expectedVersion: ns.streamVersion });
  return undefined;
}
