import type { AdmissionRequest, AdmissionResponse } from '@openpacific/contracts';
import type { AdmissionContext, Admitter } from './admitter';

/**
 * Runs the admitters in order: the first refusal wins, mutations, warnings and audit annotations accumulate (those
 * of the admitters before a refusal, and the refusal's own annotations, go with it: kube-apiserver sends the
 * warnings with its error and records the annotations in the audit event of a refused request too).
 * With no admitters everything is admitted. An admitter that throws refuses
 * the request (fail closed) rather than letting it through unchecked.
 */
export class AdmissionChain {
  constructor(private readonly admitters: readonly Admitter[]) {}

  async review(request: AdmissionRequest, context: AdmissionContext = {}): Promise<AdmissionResponse> {
    let current = request;
    let patched = false;
    const warnings: string[] = [];
    // Made only when an admitter has some: most requests have none.
    let auditAnnotations: Record<string, string> | undefined;
    const withExtras = <T extends AdmissionResponse>(response: T): T => {
      const warned = warnings.length > 0 ? { ...response, warnings } : response;
      return auditAnnotations ? { ...warned, auditAnnotations } : warned;
    };
    for (const admitter of this.admitters) {
      let verdict;
      try {
        verdict = await admitter.admit(current, context);
      } catch (err) {
        const message = `admission plugin "${admitter.name}" failed: ${(err as Error).message}`;
        return { uid: request.uid, allowed: false, status: { code: 500, reason: 'InternalError', message } };
      }
      if (verdict.auditAnnotations) auditAnnotations = { ...auditAnnotations, ...verdict.auditAnnotations };
      if (!verdict.allowed) return withExtras({ uid: request.uid, allowed: false, status: verdict.status });
      if (verdict.warnings) warnings.push(...verdict.warnings);
      if (verdict.patchedObject !== undefined) {
        current = { ...current, object: verdict.patchedObject };
        patched = true;
      }
    }
    return withExtras(patched ? { uid: request.uid, allowed: true, patchedObject: current.object } : { uid: request.uid, allowed: true });
  }
}
