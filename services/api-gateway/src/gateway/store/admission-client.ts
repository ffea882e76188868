import { randomUUID } from 'node:crypto';
import { AdmissionRequest, AdmissionResponse, NatsNames } from '@openpacific/contracts';
import { KubeApiError, serviceUnavailable } from '@openpacific/kube-api';
import { requestJson } from '@openpacific/messaging';
import type { NatsConnection } from 'nats';

/** Asks the policy service about a write. No answer in time means no write: 503. */
export class AdmissionClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly names: NatsNames,
    private readonly timeoutMs: number,
  ) {}

  async admit(request: Omit<AdmissionRequest, 'uid'>): Promise<AdmissionResponse> {
    let response: AdmissionResponse & { error?: { code: string; message: string } };
    try {
      response = await requestJson<AdmissionRequest, AdmissionResponse>(this.nc, this.names.admission, { uid: randomUUID(), ...request }, this.timeoutMs);
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
}
