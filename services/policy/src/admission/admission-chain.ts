import type { AdmissionRequest, AdmissionResponse } from '@openpacific/contracts';
import type { AdmissionContext, Admitter } from './admitter';

/**
 * Runs the admitters in order: the first refusal wins, mutations and warnings accumulate (the warnings of the
 * admitters before a refusal go with it, as kube-apiserver sends them with its error).
 * With no admitters everything is admitted. An admitter that throws refuses
 * the request (fail closed) rather than letting it through unchecked.
 */
export class AdmissionChain {
  constructor(private readonly admitters: readonly Admitter[]) {}

  async review(request: AdmissionRequest, context: AdmissionContext = {}): Promise<AdmissionResponse> {
    let current = request;
    let patched = false;
    const warnings: string[] = [];
    const withWarnings = <T extends AdmissionResponse>(response: T): T => (warnings.length > 0 ? { ...response, warnings } : response);
    for (const admitter of this.admitters) {
      let verdict;
      try {
        verdict = await admitter.admit(current, context);
      } catch (err) {
        const message = `admission plugin "${admitter.name}" failed: ${(err as Error).message}`;
        return { uid: request.uid, allowed: false, status: { code: 500, reason: 'InternalError', message } };
      }
      if (!verdict.allowed) return withWarnings({ uid: request.uid, allowed: false, status: verdict.status });
      if (verdict.warnings) warnings.push(...verdict.warnings);
      if (verdict.patchedObject !== undefined) {
        current = { ...current, object: verdict.patchedObject };
        patched = true;
      }
    }
    return withWarnings(patched ? { uid: request.uid, allowed: true, patchedObject: current.object } : { uid: request.uid, allowed: true });
  }
}
