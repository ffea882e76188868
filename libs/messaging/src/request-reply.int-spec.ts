import { CodedError } from '@openpacific/contracts';
import { testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import { JSONCodec, NatsConnection } from 'nats';
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

  it('still rejects a raw request with the client error code', async () => {
    await expect(nc.request(`${prefix}.nobody`, JSONCodec().encode({}), { timeout: 500 })).rejects.toMatchObject({ code: '503' });
  });
});
