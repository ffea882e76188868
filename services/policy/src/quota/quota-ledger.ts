import { eventCatalogue } from '@openpacific/contracts';
import { EventStore, VersionConflictError } from '@openpacific/event-store';
import type { Pool } from 'pg';
import type { ScopeFacts } from './quota-scopes';
import type { Usage } from './quota-usage';

/** The event that records a reservation of quota, in the per-namespace stream `policy-quota/<namespace>`. */
export const QUOTA_RESERVED = 'QuotaReserved';
export const QUOTA_ACTOR = { actor: 'system:serviceaccount:openpacific:policy', source: 'policy' };
/** A reservation that did not become an object in this time is forgotten (the write failed or was refused later). */
export const RESERVATION_TTL_MS = 30_000;

export interface Reservation {
  /** The object's uid (create) or uid@resourceVersion (update): one reservation per admitted write. */
  key: string;
  uid: string;
  resource: string;
  name: string;
  usage: Usage;
  /** Epoch ms when reserved. */
  at: number;
  /** For an update: the resourceVersion the write is based on; the reservation lasts while the object is still there. */
  basedOn?: string;
  /** Of a pod: what quota scopes look at, so a scoped quota counts the reservation only if it matches the pod. */
  scopes?: ScopeFacts;
}

const reservedEvent = {
  type: 'object',
  required: ['namespace', 'reservation'],
  properties: {
    namespace: { type: 'string', minLength: 1 },
    reservation: {
      type: 'object',
      required: ['key', 'uid', 'resource', 'name', 'usage', 'at'],
      properties: {
        key: { type: 'string' }, uid: { type: 'string' }, resource: { type: 'string' }, name: { type: 'string' },
        usage: { type: 'object', additionalProperties: { type: 'number' } }, at: { type: 'number' }, basedOn: { type: 'string' }, scopes: { type: 'object' },
      },
    },
  },
};

export function quotaStreamId(namespace: string): string {
  return `policy-quota/${namespace}`;
}

interface Cached {
  version: number;
  reservations: Map<string, Reservation>;
}

/**
 * Quota reservations of each namespace, as a stream of the event store. Reserving appends at the version
 * the decision was based on: of two deciders that read the same version, one append wins and the other
 * gets a conflict, re-reads and decides again. This is what makes quota exact across policy replicas.
 */
export class QuotaLedger {
  private readonly store: EventStore;
  private readonly cache = new Map<string, Cached>();

  constructor(pool: Pool, private readonly now: () => number = Date.now) {
    this.store = new EventStore(pool, { catalogue: { ...eventCatalogue, [QUOTA_RESERVED]: reservedEvent }, notify: false });
  }

  /** The namespace's reservations not yet expired, and the stream version they were read at. */
  async read(namespace: string): Promise<{ version: number; reservations: Reservation[] }> {
    let cached = this.cache.get(namespace);
    if (!cached) this.cache.set(namespace, (cached = { version: 0, reservations: new Map() }));
    const events = await this.store.readStream(quotaStreamId(namespace), { fromVersion: cached.version + 1 });
    for (const e of events) {
      const r = (e.data as { reservation: Reservation }).reservation;
      cached.reservations.set(r.key, r);
      cached.version = Math.max(cached.version, e.streamVersion);
    }
    const horizon = this.now() - RESERVATION_TTL_MS;
    for (const [k, r] of cached.reservations) if (r.at < horizon) cached.reservations.delete(k);
    return { version: cached.version, reservations: [...cached.reservations.values()] };
  }

  /** Appends a reservation at `version`; false when someone else reserved meanwhile (re-read and decide again). */
  async reserve(namespace: string, version: number, reservation: Reservation): Promise<boolean> {
    try {
      await this.store.append(quotaStreamId(namespace), [{ type: QUOTA_RESERVED, data: { namespace, reservation }, metadata: QUOTA_ACTOR }], {
        expectedVersion: version === 0 ? 'no_stream' : version,
      });
      return true;
    } catch (err) {
      if (err instanceof VersionConflictError || (err as { name?: string }).name === 'VersionConflictError') return false;
      throw err;
    }
  }
}
