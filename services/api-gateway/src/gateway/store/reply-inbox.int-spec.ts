import { connectNats } from '@openpacific/messaging';
import { testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import { NatsConnection, StringCodec } from 'nats';
import { ReplyInbox } from './reply-inbox';

const sc = StringCodec();

describe('ReplyInbox (real NATS)', () => {
  let nc: NatsConnection;
  const subject = `${uniqueNatsPrefix('inbox')}.echo`;

  beforeAll(async () => {
    nc = await connectNats({ url: testNatsUrl, name: 'reply-inbox-test' });
    // Answers in reverse order of arrival, so answers must be matched to requests by their reply subject.
    const held: Array<() => void> = [];
    nc.subscribe(subject, {
      callback: (_err, msg) => {
        held.push(() => msg.respond(sc.encode(`re:${sc.decode(msg.data)}`)));
        if (held.length === 5) for (const answer of held.splice(0).reverse()) answer();
      },
    });
    await nc.flush();
  });
  afterAll(() => nc.close());

  it('gives each concurrent request its own answer', async () => {
    const inbox = new ReplyInbox(nc);
    const answers = await Promise.all([1, 2, 3, 4, 5].map((n) => inbox.request(subject, sc.encode(String(n)), 2000)));
    expect(answers.map((a) => sc.decode(a))).toEqual(['re:1', 're:2', 're:3', 're:4', 're:5']);
  });

  it('fails fast when nobody subscribes, and after its timeout when nobody answers', async () => {
    const inbox = new ReplyInbox(nc);
    await expect(inbox.request(`${subject}.nobody`, sc.encode('x'), 2000)).rejects.toMatchObject({ code: 'NATS.NO_RESPONDERS' });
    // One request alone is held by the responder above (it answers in fives): no answer within the time.
    await expect(inbox.request(subject, sc.encode('alone'), 200)).rejects.toMatchObject({ code: 'NATS.TIMEOUT' });
  });
});
