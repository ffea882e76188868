import { randomUUID } from 'node:crypto';
import { AdmissionRequest, AdmissionResponse, NatsNames } from '@openpacific/contracts';
import { KubeApiError, serviceUnavailable } from '@openpacific/kube-api';
import { JSONCodec, NatsConnection } from 'nats';
import { ReplyInbox } from './reply-inbox';

const json = JSONCodec();

type Reply = AdmissionResponse & { error?: { code: string; message: string } };

interface Queued {
  payload: AdmissionRequest;
  resolve: (reply: Reply) => void;
  reject: (err: Error) => void;
}

/**
 * Asks the policy service about a write. No answer in time means no write: 503. The reviews asked for in
 * one turn of the event loop go as one message (`{ batch: [...] }`, answered in order by the policy
 * service's admission-batch.ts); a review asked for alone goes in the single form.
 */
export class AdmissionClient {
  private readonly replies: ReplyInbox;
  private queue: Queued[] = [];

  constructor(
    nc: NatsConnection,
    private readonly names: NatsNames,
    private readonly timeoutMs: number,
  ) {
    this.replies = new ReplyInbox(nc);
  }

  async admit(request: Omit<AdmissionRequest, 'uid'>): Promise<AdmissionResponse> {
    let response: Reply;
    try {
      response = await this.ask({ uid: randomUUID(), ...request });
    } catch (err) {
      throw serviceUnavailable(`admission by the policy service failed: ${(err as Error).message}; nothing was written`);
    }
    if (response.error) throw serviceUnavailable(`admission by the policy service failed: ${response.error.message}; nothing was written`);
    if (!response.allowed) {
      const s = response.status ?? { code: 403, reason: 'Forbidden', message: 'denied by the policy service' };
      throw new KubeApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: s.message, reason: s.reason, code: s.code } as any);
    }
    return response;
  }

  private ask(payload: AdmissionRequest): Promise<Reply> {
    return new Promise((resolve, reject) => {
      if (this.queue.push({ payload, resolve, reject }) === 1) setImmediate(() => void this.send(this.queue.splice(0)));
    });
  }

  private async send(group: Queued[]): Promise<void> {
    try {
      if (group.length === 1) {
        group[0].resolve(json.decode(await this.replies.request(this.names.admission, json.encode(group[0].payload), this.timeoutMs)) as Reply);
        return;
      }
      const answer = json.decode(await this.replies.request(this.names.admission, json.encode({ batch: group.map((q) => q.payload) }), this.timeoutMs)) as {
        batch?: Reply[];
      };
      // A policy service that does not know batches reads one malformed request: never take that as an answer.
      if (!Array.isArray(answer.batch) || answer.batch.length !== group.length) throw new Error('the policy service did not answer the batch item by item');
      group.forEach((q, i) => q.resolve(answer.batch![i]));
    } catch (err) {
      for (const q of group) q.reject(err as Error);
    }
  }
}
