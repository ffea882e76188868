import { natsNames } from '@openpacific/contracts';
import { connectNats } from '@openpacific/messaging';
import { testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import { JSONCodec, NatsConnection } from 'nats';
import { AdmissionClient } from './admission-client';

const json = JSONCodec<any>();

/** A stand-in policy responder on real NATS: allows every name but "bad", records each message it got. */
describe('AdmissionClient (real NATS)', () => {
  let nc: NatsConnection;
  const names = natsNames(uniqueNatsPrefix('admit'));
  const received: any[] = [];
  let answerBatches = true;

  const review = (r: any) => (r.name === 'bad' ? { uid: r.uid, allowed: false, status: { code: 403, reason: 'Forbidden', message: `bad is not allowed` } } : { uid: r.uid, allowed: true });

  beforeAll(async () => {
    nc = await connectNats({ url: testNatsUrl, name: 'admission-client-test' });
    nc.subscribe(names.admission, {
      callback: (_err, msg) => {
        const m = json.decode(msg.data);
        received.push(m);
        if (Array.isArray(m.batch)) msg.respond(json.encode(answerBatches ? { batch: m.batch.map(review) } : review(m)));
        else msg.respond(json.encode(review(m)));
      },
    });
    await nc.flush();
  });
  afterAll(() => nc.close());
  beforeEach(() => {
    received.length = 0;
    answerBatches = true;
  });

  const request = (name: string) => ({ operation: 'CREATE', user: { username: 'u', groups: [] }, resource: { group: '', version: 'v1', resource: 'pods' }, kind: 'Pod', namespace: 'ns', name, object: {}, dryRun: false }) as any;

  it('sends a review asked for alone in the single form', async () => {
    const client = new AdmissionClient(nc, names, 2000);
    await expect(client.admit(request('one'))).resolves.toMatchObject({ allowed: true });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ name: 'one', uid: expect.any(String) });
  });

  it('sends the reviews of one turn as one batch and gives each caller its own answer', async () => {
    const client = new AdmissionClient(nc, names, 2000);
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((n) => client.admit(request(n))));
    expect(received).toHaveLength(1);
    expect(received[0].batch.map((r: any) => r.name)).toEqual(['a', 'bad', 'c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.status).toMatchObject({ code: 403, message: 'bad is not allowed' });
  });

  it('sends the read position with the reviews, in the batch form even for one, the latest of the group', async () => {
    const client = new AdmissionClient(nc, names, 2000);
    await expect(client.admit(request('alone'), { transactionId: 7n, position: 12n })).resolves.toMatchObject({ allowed: true });
    const positions = [
      { transactionId: 9n, position: 30n },
      { transactionId: 10n, position: 2n },
      undefined,
    ];
    await Promise.all(['x', 'y', 'z'].map((n, i) => client.admit(request(n), positions[i])));
    expect(received).toEqual([
      { batch: [expect.objectContaining({ name: 'alone' })], readAt: { transactionId: '7', position: '12' } },
      { batch: ['x', 'y', 'z'].map((name) => expect.objectContaining({ name })), readAt: { transactionId: '10', position: '2' } },
    ]);
  });

  it('refuses the whole group with 503 when the answer is not item by item (a policy service that knows no batches)', async () => {
    answerBatches = false;
    const client = new AdmissionClient(nc, names, 2000);
    const results = await Promise.allSettled(['a', 'b'].map((n) => client.admit(request(n))));
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason.status).toMatchObject({ code: 503 });
    }
  });
});
