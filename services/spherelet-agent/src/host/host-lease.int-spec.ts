import { natsNames } from '@openpacific/contracts';
import { eventually, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import { connect, JSONCodec, NatsConnection, Subscription } from 'nats';
import { BeatClock, Heartbeat, HostLease } from './host-lease';

const logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as any;
const json = JSONCodec<Heartbeat>();
const runtime = { renewLease: async () => ({}) };

/** Leases against a stand-in for the scheduler's heartbeat monitor on real NATS: it answers while `answering`. */
describe('the host lease', () => {
  let nc: NatsConnection;
  let sub: Subscription;
  const names = natsNames(uniqueNatsPrefix('lease'));
  const beats: Array<{ host: string; at: number }> = [];
  let answering = true;
  const leases: HostLease[] = [];

  beforeAll(async () => {
    nc = await connect({ servers: testNatsUrl });
    sub = nc.subscribe(names.heartbeats, {
      callback: (_err, msg) => {
        const beat = json.decode(msg.data);
        beats.push({ host: beat.host, at: Date.now() });
        if (answering) msg.respond(json.encode(beat));
      },
    });
    await nc.flush();
  });

  afterAll(async () => {
    leases.forEach((l) => l.stop());
    sub?.unsubscribe();
    await nc?.close();
  });

  const lease = (host: string, opts: { leaseMs: number; clock?: BeatClock; onLost?: (reason: string) => void }) => {
    const l = new HostLease(nc, names, runtime, host, 1, { intervalMs: 100, leaseMs: opts.leaseMs, logger, clock: opts.clock, onLost: opts.onLost ?? (() => undefined) });
    leases.push(l);
    return l;
  };

  it('beats every host of a shared clock in the same turn, and each answer renews its own lease', async () => {
    const clock = new BeatClock(100);
    const [a, b] = [lease('shared-a', { leaseMs: 2000, clock }), lease('shared-b', { leaseMs: 2000, clock })];
    await Promise.all([a.start(), b.start()]);
    const firstExpiry = Math.min(a.expiresAt, b.expiresAt);
    await eventually(() => {
      expect(a.expiresAt).toBeGreaterThan(firstExpiry);
      expect(b.expiresAt).toBeGreaterThan(firstExpiry);
    });
    // Each tick sends both hosts' beats together: as many of one host's as of the other's, give or take the tick in flight.
    const count = (host: string) => beats.filter((x) => x.host === host).length;
    expect(Math.abs(count('shared-a') - count('shared-b'))).toBeLessThanOrEqual(1);
    a.stop();
    b.stop();
  });

  it('outlives its first deadline while answered, and is lost at its deadline once nobody answers', async () => {
    const lost: string[] = [];
    const kept = lease('kept', { leaseMs: 3000, onLost: (reason) => lost.push(reason) });
    await kept.start();
    const firstExpiry = kept.expiresAt;
    // The deadline timer woke at the first deadline and, the lease renewed meanwhile, slept on.
    await eventually(() => expect(Date.now()).toBeGreaterThan(firstExpiry + 100), { timeoutMs: 10_000 });
    expect(lost).toEqual([]);
    expect(kept.expiresAt).toBeGreaterThan(firstExpiry);
    answering = false;
    await eventually(() => expect(lost).toEqual([expect.stringMatching(/^the lease ran out at /)]), { timeoutMs: 15_000 });
    answering = true;
  }, 30_000);
});
