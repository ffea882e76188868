import { CodedError } from '@openpacific/contracts';
import { ErrorCode, JSONCodec, NatsConnection, NatsError, Subscription } from 'nats';
import { natsRequest } from './requester';

const json = JSONCodec();

/** A JSON request over NATS. No responder or no answer in time are typed errors. */
export async function requestJson<TReq, TRes>(nc: NatsConnection, subject: string, payload: TReq, timeoutMs: number): Promise<TRes> {
  try {
    const msg = await natsRequest(nc, subject, json.encode(payload), timeoutMs);
    return json.decode(msg.data) as TRes;
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
 * to time out.
 */
export function serveJson<TReq, TRes>(
  nc: NatsConnection,
  subject: string,
  queue: string,
  handler: (req: TReq) => Promise<TRes> | TRes,
): Subscription {
  return nc.subscribe(subject, {
    queue,
    callback: (err, msg) => {
      if (err) return;
      void (async () => {
        try {
          const result = await handler(json.decode(msg.data) as TReq);
          msg.respond(json.encode(result));
        } catch (e) {
          msg.respond(json.encode({ error: { code: (e as { code?: string }).code ?? 'INTERNAL', message: (e as Error).message } }));
        }
      })();
    },
  });
}
