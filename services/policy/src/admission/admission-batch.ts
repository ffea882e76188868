import type { AdmissionRequest, AdmissionResponse } from '@openpacific/contracts';

/**
 * Several reviews in one NATS message, answered in one message in the same
 * order: a gateway under load saves a message (and a subscription callback on
 * each side) per write. Each item is answered as a single request would be,
 * including a failure as `{ error: { code, message } }`, so one bad item does
 * not fail its neighbours.
 */
export interface AdmissionBatch {
  batch: AdmissionRequest[];
}

export type AdmissionReply = AdmissionResponse | { error: { code: string; message: string } };

export function isAdmissionBatch(message: unknown): message is AdmissionBatch {
  return typeof message === 'object' && message !== null && Array.isArray((message as AdmissionBatch).batch);
}

/** Reviews the items concurrently, as separate messages would be. */
export async function reviewBatch(
  batch: AdmissionBatch,
  review: (request: AdmissionRequest) => Promise<AdmissionResponse>,
): Promise<{ batch: AdmissionReply[] }> {
  const settled = await Promise.allSettled(batch.batch.map((request) => review(request)));
  return {
    batch: settled.map((s) =>
      s.status === 'fulfilled' ? s.value : { error: { code: (s.reason as { code?: string }).code ?? 'INTERNAL', message: (s.reason as Error).message } },
    ),
  };
}
