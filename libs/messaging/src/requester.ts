import { ApiError, createInbox, ErrorCode, headers, JSONCodec, Msg, MsgHdrs, NatsConnection, NatsError, PubAck, Subscription } from 'nats';

const json = JSONCodec();

// One per connection, made on first use; dropped when its subscription ends.
const requesters = new WeakMap<NatsConnection, Requester>();

interface Pending {
  resolve: (msg: Msg) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Request/reply for one connection over ONE wildcard subscription on an inbox of its own, each request
 * answered on `<inbox>.<n>`. The client's `nc.request` does the same, but after every answer it also
 * rejects the settled promise with a new NatsError (stack trace and all) and races a promise-based
 * timer: measurable CPU at the rate the gateway asks for admission and publishes events to JetStream.
 */
class Requester {
  private readonly prefix = `${createInbox()}.`;
  private readonly pending = new Map<string, Pending>();
  private readonly sub: Subscription;
  private next = 0;

  constructor(private readonly nc: NatsConnection) {
    // The client calls back with an error only when the server refuses the subscription (permissions).
    this.sub = nc.subscribe(`${this.prefix}*`, { callback: (err, msg) => (err ? this.failAll(err) : this.answered(msg)) });
    // The subscription ends with the connection (closed or drained): nothing still waiting will be answered.
    void this.sub.closed.then(() => {
      if (requesters.get(nc) === this) requesters.delete(nc);
      this.failAll(NatsError.errorForCode(ErrorCode.ConnectionClosed));
    });
  }

  request(subject: string, data: Uint8Array, timeoutMs: number, hdrs?: MsgHdrs): Promise<Msg> {
    const token = String(++this.next);
    return new Promise((resolve, reject) => {
      // Node keeps timers of equal duration in one list, so a timer per request costs little once the
      // promise race of the client's request is gone.
      this.pending.set(token, { resolve, reject, timer: setTimeout(this.expire, timeoutMs, token) });
      try {
        this.nc.publish(subject, data, { reply: this.prefix + token, headers: hdrs });
      } catch (err) {
        this.settle(token)?.reject(err as Error);
      }
    });
  }

  private readonly expire = (token: string): void => {
    const pending = this.pending.get(token);
    if (!pending) return;
    this.pending.delete(token);
    pending.reject(NatsError.errorForCode(ErrorCode.Timeout));
  };

  private answered(msg: Msg): void {
    const pending = this.settle(msg.subject.slice(this.prefix.length));
    if (!pending) return; // answered after its timeout
    // The server's status message when nobody subscribes to the subject: 503 without payload.
    if (msg.data.length === 0 && msg.headers?.code === 503) pending.reject(NatsError.errorForCode(ErrorCode.NoResponders));
    else pending.resolve(msg);
  }

  private settle(token: string): Pending | undefined {
    const pending = this.pending.get(token);
    if (!pending) return undefined;
    this.pending.delete(token);
    clearTimeout(pending.timer);
    return pending;
  }

  private failAll(err: Error): void {
    for (const token of [...this.pending.keys()]) this.settle(token)?.reject(err);
  }
}

/**
 * A request on `nc` answered through the connection's shared inbox subscription (made on first use).
 * Failures are NatsErrors with the codes `nc.request` gives: `ErrorCode.NoResponders` when nobody
 * subscribes to the subject, `ErrorCode.Timeout` when no answer comes within `timeoutMs`, and
 * `ErrorCode.ConnectionClosed` when the connection closes first.
 */
export function natsRequest(nc: NatsConnection, subject: string, data: Uint8Array, timeoutMs: number, hdrs?: MsgHdrs): Promise<Msg> {
  let requester = requesters.get(nc);
  if (!requester) {
    try {
      requester = new Requester(nc);
    } catch (err) {
      return Promise.reject(err);
    }
    requesters.set(nc, requester);
  }
  return requester.request(subject, data, timeoutMs, hdrs);
}

/**
 * What a stream must hold for it to store a message (JetStream's `Nats-Expected-Last-Sequence` and
 * `Nats-Expected-Last-Msg-Id`): otherwise it refuses the message with a `WRONG_LAST_CODES` error.
 */
export interface StoreExpectations {
  /** The stream's last sequence. */
  lastSequence: number;
  /** The message id of the stream's last message. */
  lastMsgId: string;
}

/** JetStream's error codes for a message refused because the stream's last message id or sequence was not the expected one. */
export const WRONG_LAST_CODES: ReadonlySet<number> = new Set([10070, 10071]);

/**
 * A message for the stream that captures `subject`, with its message id, published without a reply subject:
 * JetStream stores it (once per `msgId` within its duplicate window) and answers nothing, so only a later
 * acknowledged publish with `StoreExpectations` can tell that it was stored.
 */
export function publishUnacked(nc: NatsConnection, subject: string, data: Uint8Array, msgId: string): void {
  nc.publish(subject, data, { headers: streamHeaders(msgId) });
}

/** The headers of a message for a stream: its message id, and what the stream must hold to store it. */
function streamHeaders(msgId: string, expect?: StoreExpectations): MsgHdrs {
  const hdrs = headers();
  hdrs.set('Nats-Msg-Id', msgId);
  if (expect) {
    hdrs.set('Nats-Expected-Last-Sequence', String(expect.lastSequence));
    hdrs.set('Nats-Expected-Last-Msg-Id', expect.lastMsgId);
  }
  return hdrs;
}

/**
 * What `js.publish(subject, data, { msgID, timeout })` does, over the shared inbox: the stream that captures
 * the subject stores the message once per `msgId` within its duplicate window (a re-send is acked with
 * `duplicate: true`) and acks with its name and sequence. An error answer from JetStream rejects, as does a
 * subject no stream captures.
 */
export async function publishToStream(
  nc: NatsConnection,
  subject: string,
  data: Uint8Array,
  opts: { msgId: string; timeoutMs: number; expect?: StoreExpectations },
): Promise<PubAck> {
  let reply: Msg;
  try {
    reply = await natsRequest(nc, subject, data, opts.timeoutMs, streamHeaders(opts.msgId, opts.expect));
  } catch (err) {
    if ((err as NatsError).code !== ErrorCode.NoResponders) throw err;
    throw new NatsError(`no JetStream stream captures ${subject}, or JetStream is unavailable`, ErrorCode.NoResponders, err as Error);
  }
  const ack = json.decode(reply.data) as Partial<PubAck> & { error?: ApiError };
  if (ack.error) {
    const err = new NatsError(ack.error.description || `JetStream error ${ack.error.code}`, String(ack.error.code));
    err.api_error = ack.error;
    throw err;
  }
  // Whatever answered was not JetStream.
  if (!ack.stream) throw NatsError.errorForCode(ErrorCode.JetStreamInvalidAck);
  ack.duplicate ??= false;
  return ack as PubAck;
}
