import { CodedError, natsNames } from '@openpacific/contracts';
import { eventually, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import { JSONCodec, NatsConnection } from 'nats';
import { messageRoom } from './large-payloads';
import { connectNats } from './nats-connection';
import { requestJson, serveJson } from './request-reply';

// connectNats turns off the clients' async stack traces; failures must still be typed and say where.
describe('JSON requests over a connectNats connection', () => {
  let nc: NatsConnection;
  const prefix = uniqueNatsPrefix('reqrep');

  beforeAll(async () => {
    nc = await connectNats({ url: testNatsUrl, name: 'request-reply-test' });
  });
  afterAll(() => nc.close());

  it('answers, and reports a handler error as { error: { code, message } }', async () => {
    const sub = serveJson<{ n: number }, { twice: number }>(nc, `${prefix}.double`, 'q', ({ n }) => {
      if (n < 0) throw new CodedError('NEGATIVE', 'n must not be negative');
      return { twice: 2 * n };
    });
    await nc.flush();
    expect(await requestJson(nc, `${prefix}.double`, { n: 21 }, 1000)).toEqual({ twice: 42 });
    expect(await requestJson(nc, `${prefix}.double`, { n: -1 }, 1000)).toEqual({ error: { code: 'NEGATIVE', message: 'n must not be negative' } });
    sub.unsubscribe();
  });

  it('fails with a coded error naming the subject when nobody answers or the answer is late', async () => {
    await expect(requestJson(nc, `${prefix}.nobody`, {}, 500)).rejects.toMatchObject({ code: 'NATS.NO_RESPONDERS', message: expect.stringContaining(`${prefix}.nobody`) });
    const silent = nc.subscribe(`${prefix}.silent`, { callback: () => undefined });
    await nc.flush();
    await expect(requestJson(nc, `${prefix}.silent`, {}, 100)).rejects.toMatchObject({ code: 'NATS.TIMEOUT', message: expect.stringContaining(`${prefix}.silent`) });
    silent.unsubscribe();
  });

  it('carries a request and an answer larger than a NATS message through the object store, and refuses one without a bucket', async () => {
    const big = 'y'.repeat(messageRoom(nc) * 2);
    const names = natsNames(prefix);
    const sub = serveJson<{ text: string }, { text: string; length: number }>(nc, `${prefix}.echo`, 'q', ({ text }) => ({ text: text + text, length: text.length }), { payloads: names.payloads });
    await nc.flush();
    const answer = await requestJson<{ text: string }, { text: string; length: number }>(nc, `${prefix}.echo`, { text: big }, 10_000, { payloads: names.payloads });
    expect(answer.length).toBe(big.length);
    expect(answer.text).toBe(big + big);
    // Each body was taken out of the bucket once read.
    const os = await nc.jetstream().views.os(names.payloads);
    await eventually(async () => expect((await os.list()).length).toBe(0));
    await expect(requestJson(nc, `${prefix}.echo`, { text: big }, 1000)).rejects.toMatchObject({ code: 'NATS.PAYLOAD_TOO_LARGE', message: expect.stringContaining(`the request on ${prefix}.echo is`) });
    // An answer too large, and no bucket to put it in: the requester hears why rather than waiting out its timeout.
    const bare = serveJson<{ n: number }, string>(nc, `${prefix}.blow`, 'q', ({ n }) => 'z'.repeat(n));
    await nc.flush();
    expect(await requestJson(nc, `${prefix}.blow`, { n: messageRoom(nc) + 10 }, 2000)).toEqual({ error: { code: 'NATS.PAYLOAD_TOO_LARGE', message: expect.stringContaining(`the answer on ${prefix}.blow is`) } });
    sub.unsubscribe();
    bare.unsubscribe();
    await (await nc.jetstreamManager()).streams.delete(`OBJ_${names.payloads}`);
  });

  it('still rejects a raw request with the client error code', async () => {
    await expect(nc.request(`${prefix}.nobody`, JSONCodec().encode({}), { timeout: 500 })).rejects.toMatchObject({ code: '503' });
  });
});
