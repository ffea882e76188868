import { randomUUID } from 'node:crypto';
import { AdmissionRequest, AdmissionResponse, NatsNames } from '@openpacific/contracts';
import { compareLogPositions, LogPosition } from '@openpacific/event-store';
import { serviceUnavailable, statusError } from '@openpacific/kube-api';
import { requestJson } from '@openpacific/messaging';
import type { NatsConnection } from 'nats';

type Reply = AdmissionResponse & { error?: { code: string; message: string } };

/** Where what admission says besides its verdict goes, refusals' included (kube-apiserver keeps them too). */
export interface AdmissionListener {
  /** Each warning for the client. */
  warn?: (text: string) => void;
  /** The annotations for the request's audit record (a policy binding's Audit failures, a policy's auditAnnotations). */
  annotate?: (annotations: Record<string, string>) => void;
}

interface Queued {
  payload: AdmissionRequest;
  readAt?: LogPosition;
  resolve: (reply: Reply) => void;
  reject: (err: Error) => void;
}

/**
 * Asks the policy service about a write. No answer in time means no write: 503. The reviews asked for in
 * one turn of the event loop go as one message (`{ batch: [...] }`, answered in order by the policy
 * service's admission-batch.ts). The message says how far this gateway had read the log (`readAt`: the
 * latest of the group's positions), so that the policy service decides on everything this gateway's
 * clients could have read without reading the log to its end first. A review asked for alone and without
 * a position goes in the single form.
 */
export class AdmissionClient {
  private queue: Queued[] = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly names: NatsNames,
    private readonly timeoutMs: number,
    /** More time while admission webhooks are registered (webhook-budget.ts), added to `timeoutMs` per message. */
    private readonly extraMs: () => number = () => 0,
  ) {}

  /**
   * `readAt`: how far this gateway's read model had got when the write was decided. `listener` is given the policy
   * service's warnings and audit annotations, those of a refusal too (kube-apiserver sends the warnings along with
   * its error, and audits a refused request with its annotations).
   */
  async admit(request: Omit<AdmissionRequest, 'uid'>, readAt?: LogPosition, listener: AdmissionListener = {}): Promise<AdmissionResponse> {
    let response: Reply;
    try {
      response = await this.ask({ uid: randomUUID(), ...request }, readAt);
    } catch (err) {
      throw serviceUnavailable(`admission by the policy service failed: ${(err as Error).message}; nothing was written`);
    }
    if (response.error) throw serviceUnavailable(`admission by the policy service failed: ${response.error.message}; nothing was written`);
    const { warn, annotate } = listener;
    if (warn && Array.isArray(response.warnings)) for (const text of response.warnings) warn(String(text));
    if (annotate && response.auditAnnotations) annotate(stringValues(response.auditAnnotations));
    if (!response.allowed) {
      const s = response.status ?? { code: 403, reason: 'Forbidden', message: 'denied by the policy service' };
      throw statusError(s.code, s.reason, s.message, s.details);
    }
    return response;
  }

  private ask(payload: AdmissionRequest, readAt: LogPosition | undefined): Promise<Reply> {
    return new Promise((resolve, reject) => {
      if (this.queue.push({ payload, readAt, resolve, reject }) === 1) setImmediate(() => void this.send(this.queue.splice(0)));
    });
  }

  private async send(group: Queued[]): Promise<void> {
    try {
      const readAt = latest(group);
      const timeoutMs = this.timeoutMs + this.extraMs();
      if (group.length === 1 && !readAt) {
        group[0].resolve(await requestJson<AdmissionRequest, Reply>(this.nc, this.names.admission, group[0].payload, timeoutMs, { payloads: this.names.payloads }));
        return;
      }
      const message = { batch: group.map((q) => q.payload), ...(readAt ? { readAt: { transactionId: readAt.transactionId.toString(), position: readAt.position.toString() } } : {}) };
      const answer = await requestJson<typeof message, { batch?: Reply[] }>(this.nc, this.names.admission, message, timeoutMs, { payloads: this.names.payloads });
      // A policy service that does not know batches reads one malformed request: never take that as an answer.
      if (!Array.isArray(answer.batch) || answer.batch.length !== group.length) throw new Error('the policy service did not answer the batch item by item');
      group.forEach((q, i) => q.resolve(answer.batch![i]));
    } catch (err) {
      for (const q of group) q.reject(err as Error);
    }
  }
}

/** The annotations with string values only: they come from another process, and an audit record holds strings. */
function stringValues(annotations: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof annotations !== 'object' || annotations === null) return out;
  for (const [key, value] of Object.entries(annotations)) if (typeof value === 'string') out[key] = value;
  return out;
}

/** The furthest read position of the group: waiting for it covers every member's. */
function latest(group: Queued[]): LogPosition | undefined {
  let out: LogPosition | undefined;
  for (const q of group) if (q.readAt && (!out || compareLogPositions(q.readAt, out) > 0)) out = q.readAt;
  return out;
}
