import { testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import { ErrorCode, NatsConnection, StorageType, StringCodec } from 'nats';
import { connectNats } from './nats-connection';
import { natsRequest, publishToStream } from './requester';

const sc = StringCodec();

describe('requests over the shared inbox (real NATS)', () => {
  let nc: NatsConnection;
  const prefix = uniqueNatsPrefix('requester');

  beforeAll(async () => {
    nc = await connectNats({ url: testNatsUrl, name: 'requester-test' });
    nc.subscribe(`${prefix}.echo`, { callback: (_err, msg) => msg.respond(sc.encode(`re:${sc.decode(msg.data)}`)) });
    // Holds requests in fives and answers each five in reverse order of arrival.
    const held: Array<() => void> = [];
    nc.subscribe(`${prefix}.reversed`, {
      callback: (_err, msg) => {
        held.push(() => msg.respond(sc.encode(`re:${sc.decode(msg.data)}`)));
        if (held.length === 5) for (const answer of held.splice(0).reverse()) answer();
      },
    });
    // Answers each request after the delay in milliseconds it asks for.
    nc.subscribe(`${prefix}.slow`, { callback: (_err, msg) => setTimeout(() => msg.respond(msg.data), Number(sc.decode(msg.data))) });
    await nc.flush();
  });
  afterAll(() => nc.close());

  it('answers a request', async () => {
    const reply = await natsRequest(nc, `${prefix}.echo`, sc.encode('hello'), 1000);
    expect(sc.decode(reply.data)).toBe('re:hello');
  });

  it('gives each concurrent request its own answer when the answers come out of order', async () => {
    const replies = await Promise.all([1, 2, 3, 4, 5].map((n) => natsRequest(nc, `${prefix}.reversed`, sc.encode(String(n)), 2000)));
    expect(replies.map((r) => sc.decode(r.data))).toEqual(['re:1', 're:2', 're:3', 're:4', 're:5']);
  });

  it('times out with the Timeout code, ignores the late answer and keeps answering later requests', async () => {
    await expect(natsRequest(nc, `${prefix}.slow`, sc.encode('300'), 100)).rejects.toMatchObject({ code: ErrorCode.Timeout });
    await new Promise((r) => setTimeout(r, 300));
    expect(sc.decode((await natsRequest(nc, `${prefix}.slow`, sc.encode('10'), 1000)).data)).toBe('10');
  });

  it('fails fast with the NoResponders code when nobody subscribes', async () => {
    const started = Date.now();
    await expect(natsRequest(nc, `${prefix}.nobody`, sc.encode('x'), 5000)).rejects.toMatchObject({ code: ErrorCode.NoResponders });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('rejects what is waiting when the connection closes, and every request after', async () => {
    const own = await connectNats({ url: testNatsUrl, name: 'requester-close-test' });
    const waiting = natsRequest(own, `${prefix}.slow`, sc.encode('2000'), 5000);
    await own.flush();
    const started = Date.now();
    await own.close();
    await expect(waiting).rejects.toMatchObject({ code: ErrorCode.ConnectionClosed });
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(natsRequest(own, `${prefix}.echo`, sc.encode('x'), 1000)).rejects.toMatchObject({ code: ErrorCode.ConnectionClosed });
  });
});

describe('JetStream publishes over the shared inbox (real NATS)', () => {
  let nc: NatsConnection;
  const prefix = uniqueNatsPrefix('jspub');
  const stream = `${prefix.toUpperCase()}_PUB`;
  const tiny = `${prefix.toUpperCase()}_TINY`;

  beforeAll(async () => {
    nc = await connectNats({ url: testNatsUrl, name: 'requester-js-test' });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: stream, subjects: [`${prefix}.pub.>`], storage: StorageType.Memory, duplicate_window: 60_000_000_000 });
    await jsm.streams.add({ name: tiny, subjects: [`${prefix}.tiny.>`], storage: StorageType.Memory, max_msg_size: 16 });
  });
  afterAll(async () => {
    const jsm = await nc.jetstreamManager();
    for (const name of [stream, tiny]) await jsm.streams.delete(name).catch(() => undefined);
    await nc.close();
  });

  it('stores a message once per msg id: a re-send is acked as a duplicate of the same sequence', async () => {
    const subject = `${prefix}.pub.a`;
    expect(await publishToStream(nc, subject, sc.encode('first'), { msgId: 'id-1', timeoutMs: 5000 })).toEqual({ stream, seq: 1, duplicate: false });
    expect(await publishToStream(nc, subject, sc.encode('first again'), { msgId: 'id-1', timeoutMs: 5000 })).toMatchObject({ stream, seq: 1, duplicate: true });
    expect(await publishToStream(nc, subject, sc.encode('second'), { msgId: 'id-2', timeoutMs: 5000 })).toEqual({ stream, seq: 2, duplicate: false });

    const jsm = await nc.jetstreamManager();
    expect((await jsm.streams.info(stream)).state.messages).toBe(2);
    const stored = await jsm.streams.getMessage(stream, { seq: 1 });
    expect(sc.decode(stored.data)).toBe('first');
    expect(stored.header.get('Nats-Msg-Id')).toBe('id-1');
  });

  it('rejects a publish to a subject no stream captures, naming the subject', async () => {
    await expect(publishToStream(nc, `${prefix}.nowhere`, sc.encode('x'), { msgId: 'id-x', timeoutMs: 5000 })).rejects.toMatchObject({
      code: ErrorCode.NoResponders,
      message: expect.stringContaining(`${prefix}.nowhere`),
    });
  });

  it('rejects when JetStream answers with an error', async () => {
    const refused = publishToStream(nc, `${prefix}.tiny.a`, sc.encode('more than sixteen bytes'), { msgId: 'id-big', timeoutMs: 5000 });
    await expect(refused).rejects.toMatchObject({ message: expect.stringMatching(/message size/i), api_error: { err_code: expect.any(Number) } });
    expect((await (await nc.jetstreamManager()).streams.info(tiny)).state.messages).toBe(0);
  });
});
