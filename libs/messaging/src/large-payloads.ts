import { randomUUID } from 'node:crypto';
import { CodedError } from '@openpacific/contracts';
import { headers, Msg, MsgHdrs, nanos, NatsConnection, ObjectStore, StorageType } from 'nats';

/**
 * A message whose body is too large for one NATS message (the server's `max_payload`, 1 MiB unless configured)
 * carries this header instead of its body: `<bucket>/<name>`, the JetStream object store entry that holds it
 * (a claim check). The object store splits the body into chunks that each fit a message.
 */
export const CLAIM_HEADER = 'Op-Claim';

/** Room kept in a message for its headers and protocol line. */
const HEADROOM = 8 * 1024;

/** How long an unclaimed body stays in its bucket (a requester gone before its answer was read). */
const CLAIM_TTL_MS = 10 * 60_000;

/** The largest body a message on this connection carries itself. */
export function messageRoom(nc: NatsConnection): number {
  return (nc.info?.max_payload ?? 1024 * 1024) - HEADROOM;
}

// One object store handle per connection and bucket, made on first use.
const buckets = new WeakMap<NatsConnection, Map<string, Promise<ObjectStore>>>();

function bucket(nc: NatsConnection, name: string): Promise<ObjectStore> {
  let byName = buckets.get(nc);
  if (!byName) buckets.set(nc, (byName = new Map()));
  let store = byName.get(name);
  if (!store) {
    const made = nc.jetstream().views.os(name, { ttl: nanos(CLAIM_TTL_MS), storage: StorageType.File });
    byName.set(name, (store = made));
    made.catch(() => byName!.delete(name));
  }
  return store;
}

/** Puts `data` into the bucket; the headers a message sends in its place. */
export async function claimFor(nc: NatsConnection, bucketName: string, data: Uint8Array): Promise<MsgHdrs> {
  const name = randomUUID();
  await (await bucket(nc, bucketName)).putBlob({ name }, data);
  const hdrs = headers();
  hdrs.set(CLAIM_HEADER, `${bucketName}/${name}`);
  return hdrs;
}

/** Whether the message's body is in an object store (`messageBody` reads it). */
export function claimed(msg: Msg): boolean {
  return msg.headers?.has(CLAIM_HEADER) ?? false;
}

/** The message's body: its data, or the claimed body from the object store (removed from it once read). */
export async function messageBody(nc: NatsConnection, msg: Msg): Promise<Uint8Array> {
  const claim = msg.headers?.get(CLAIM_HEADER);
  if (!claim) return msg.data;
  const slash = claim.indexOf('/');
  const store = await bucket(nc, claim.slice(0, slash));
  const name = claim.slice(slash + 1);
  const data = await store.getBlob(name);
  if (!data) throw new CodedError('NATS.CLAIM_GONE', `the message's body (${claim}) is no longer in its object store`);
  void store.delete(name).catch(() => undefined);
  return data;
}

/**
 * The headers to send `data` with on this connection: undefined (no promise, nothing to wait for) when it fits a
 * message; the claim's when it does not and `bucketName` says where to put it; without one, a typed error naming
 * the sizes.
 */
export function fitOrClaim(nc: NatsConnection, data: Uint8Array, bucketName: string | undefined, what: string): Promise<MsgHdrs> | undefined {
  const room = messageRoom(nc);
  if (data.length <= room) return undefined;
  if (!bucketName) return Promise.reject(new CodedError('NATS.PAYLOAD_TOO_LARGE', `${what} is ${data.length} bytes, more than the ${room} a NATS message carries here`));
  return claimFor(nc, bucketName, data);
}
