import { randomFillSync } from 'node:crypto';

/** Random bytes fetched in blocks: one call into the crypto module per 256 ids rather than per id. */
const POOL = Buffer.alloc(16 * 256);
let used = POOL.length;

/**
 * A new event id: a time-ordered uuid (RFC 9562 version 7: 48 bits of Unix milliseconds, then 74 random
 * bits). Ids must stay unique (events.event_id is UNIQUE; the relay's JetStream message id and the
 * consumers' inbox key on it), and a random (version 4) uuid kept them so but put every append's entry
 * in that index on a random page: the page read, dirtied and, first after each checkpoint, written
 * whole to the WAL. Time-ordered ids land where the last ones did, as positions do, so the index costs
 * an append about what the position index costs (see docs/event-store.md).
 */
export function newEventId(now = Date.now()): string {
  if (used === POOL.length) {
    randomFillSync(POOL);
    used = 0;
  }
  const b = POOL.subarray(used, (used += 16));
  // Milliseconds as 48 bits, big-endian: two 24-bit halves, as bit operations in JS stop at 32 bits.
  const high = Math.floor(now / 0x1000000);
  const low = now % 0x1000000;
  b[0] = (high >>> 16) & 0xff;
  b[1] = (high >>> 8) & 0xff;
  b[2] = high & 0xff;
  b[3] = (low >>> 16) & 0xff;
  b[4] = (low >>> 8) & 0xff;
  b[5] = low & 0xff;
  b[6] = (b[6] & 0x0f) | 0x70; // version 7
  b[8] = (b[8] & 0x3f) | 0x80; // the RFC's variant
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
