import { CodedError } from '@openpacific/contracts';
import { Empty, ErrorCode, JSONCodec, NatsConnection, NatsError, Subscription } from 'nats';
import { claimed, fitOrClaim, messageBody } from './large-payloads';
import { natsRequest } from './requester';

const json = JSONCodec();

/** Where a request or an answer too large for one NATS message is put (`large-payloads.ts`): an object store bucket. */
export interface LargePayloadOptions {
  payloads?: string;
}

/**
 * A JSON request over NATS. No responder or no answer in time are typed errors. A request larger than a
 * message goes through the `payloads` bucket (without one: `NATS.PAYLOAD_TOO_LARGE`); so may the answer.
 */
export async function requestJson<TReq, TRes>(nc: NatsConnection, subject: string, payload: TReq, timeoutMs: number, opts: LargePayloadOptions = {}): Promise<TRes> {
  const data = json.encode(payload);
  const claiming = fitOrClaim(nc, data, opts.payloads, `the request on ${subject}`);
  const claim = claiming && (await claiming);
  try {
    const msg = await natsRequest(nc, subject, claim ? Empty : data, timeoutMs, claim);
    return json.decode(claimed(msg) ? await messageBody(nc, msg) : msg.data) as TRes;
  } catch (err) {
    const code = (err as NatsError).code;
    if (code === ErrorCode.NoResponders) throw new CodedError('NATS.NO_RESPONDERS', `nobody answers on ${subject}`, { cause: err });
    if (code === ErrorCode.Timeout) throw new CodedError('NATS.TIMEOUT', `no answer on ${subject} within ${timeoutMs} ms`, { cause: err });
    throw err;
  }
}

/**
 * Answers JSON requests on a subject, load-balanced over the queue group. A
 * handler error is answered as `{ error: { code, message } }` rather than left
 * to time out. A request that came through an object store is read from it; an
 * answer larger than a message goes through the `payloads` bucket.
 */
export function serveJson<TReq, TRes>(
  nc: NatsConnection,
  subject: string,
  queue: string,
  handler: (req: TReq) => Promise<TRes> | TRes,
  opts: LargePayloadOptions = {},
): Subscription {
  return nc.subscribe(subject, {
    queue,
    callback: (err, msg) => {
      if (err) return;
      void (async () => {
        try {
          const result = await handler(json.decode(claimed(msg) ? await messageBody(nc, msg) : msg.data) as TReq);
          const data = json.encode(result);
          const claiming = fitOrClaim(nc, data, opts.payloads, `the answer on ${subject}`);
          if (!claiming) msg.respond(data);
          else msg.respond(Empty, { headers: await claiming });
        } catch (e) {
          msg.respond(json.encode({ error: { code: (e as { code?: string }).code ?? 'INTERNAL', message: (e as Error).message } }));
        }
      })();
    },
  });
}
