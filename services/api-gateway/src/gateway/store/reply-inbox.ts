import { CodedError } from '@openpacific/contracts';
import { createInbox, Msg, NatsConnection, NatsError, Subscription } from 'nats';

interface Waiting {
  subject: string;
  resolve: (data: Uint8Array) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Request/reply over ONE wildcard inbox subscription, each request answered on `<inbox>.<n>`.
 * The client library's `request` does the same, but builds two Error objects per request for
 * async stack traces and rejects a cancelled promise after every answer: a measurable share of
 * the gateway's CPU with one admission request per write (see docs/benchmarks.md). (The admission
 * client already groups the reviews of one event-loop turn into one request.) Errors are the ones
 * `requestJson` gives: NATS.NO_RESPONDERS, NATS.TIMEOUT.
 */
export class ReplyInbox {
  private readonly prefix = createInbox();
  private readonly waiting = new Map<string, Waiting>();
  private sub?: Subscription;
  private next = 0;

  constructor(private readonly nc: NatsConnection) {}

  request(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    this.sub ??= this.nc.subscribe(`${this.prefix}.*`, { callback: (err, msg) => this.answered(err, msg) });
    const token = String(++this.next);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(token);
        reject(new CodedError('NATS.TIMEOUT', `no answer on ${subject} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(token, { subject, resolve, reject, timer });
      try {
        this.nc.publish(subject, data, { reply: `${this.prefix}.${token}` });
      } catch (err) {
        this.settle(token)?.reject(err as Error);
      }
    });
  }

  private answered(err: NatsError | null, msg: Msg): void {
    if (err) {
      // The subscription is gone (connection closed): nothing waiting will be answered.
      this.sub = undefined;
      for (const token of [...this.waiting.keys()]) this.settle(token)?.reject(err);
      return;
    }
    const waiting = this.settle(msg.subject.slice(this.prefix.length + 1));
    if (!waiting) return; // answered after its timeout
    // The server's status message when no one subscribes to the subject: 503 without payload.
    if (msg.data.length === 0 && msg.headers?.code === 503) waiting.reject(new CodedError('NATS.NO_RESPONDERS', `nobody answers on ${waiting.subject}`));
    else waiting.resolve(msg.data);
  }

  private settle(token: string): Waiting | undefined {
    const waiting = this.waiting.get(token);
    if (!waiting) return undefined;
    this.waiting.delete(token);
    clearTimeout(waiting.timer);
    return waiting;
  }
}
