import type { AdmissionRequest, AdmissionResponse } from '@openpacific/contracts';
import type { LogPosition } from '@openpacific/event-store';
import type { AdmissionContext } from './admitter';

/**
 * Several reviews in one NATS message, answered in one message in the same
 * order: a gateway under load saves a message (and a subscription callback on
 * each side) per write. Each item is answered as a single request would be,
 * including a failure as `{ error: { code, message } }`, so one bad item does
 * not fail its neighbours. `readAt` is how far the asking gateway had read the
 * log (see AdmissionContext), as decimal strings; the gateway sends even a
 * single review in this form to carry it.
 */
export interface AdmissionBatch {
  batch: AdmissionRequest[];
  readAt?: { transactionId: string; position: string };
}

export type AdmissionReply = AdmissionResponse | { error: { code: string; message: string } };

export function isAdmissionBatch(message: unknown): message is AdmissionBatch {
  return typeof message === 'object' && message !== null && Array.isArray((message as AdmissionBatch).batch);
}

/** The batch's read position; a malformed one is ignored (the admitters then read the log to its end). */
export function readAtOf(batch: AdmissionBatch): LogPosition | undefined {
  const r = batch.readAt;
  const digits = (v: unknown): v is string => typeof v === 'string' && /^\d{1,20}$/.test(v);
  if (!r || !digits(r.transactionId) || !digits(r.position)) return undefined;
  return { transactionId: BigInt(r.transactionId), position: BigInt(r.position) };
}

/** Reviews the items concurrently, as separate messages would be. */
export async function reviewBatch(
  batch: AdmissionBatch,
  review: (request: AdmissionRequest, context: AdmissionContext) => Promise<AdmissionResponse>,
): Promise<{ batch: AdmissionReply[] }> {
  const context: AdmissionContext = { readAt: readAtOf(batch) };
  const settled = await Promise.allSettled(batch.batch.map((request) => review(request, context)));
  return {
    batch: settled.map((s) =>
      s.status === 'fulfilled' ? s.value : { error: { code: (s.reason as { code?: string }).code ?? 'INTERNAL', message: (s.reason as Error).message } },
    ),
  };
}
