import { AdmissionRequest, VALIDATING_WEBHOOK_CONFIGURATIONS_RESOURCE } from '@openpacific/contracts';
import type { AdmissionContext, AdmissionVerdict, Admitter } from '../admission/admitter';
import type { PolicyState } from '../state/policy-state';
import { addAnnotations, callWebhook, reviewRequestOf, underPolicy, webhookMatches, webhooksFor } from './webhook-dispatch';

/**
 * kube-apiserver's ValidatingAdmissionWebhook: the ValidatingWebhookConfigurations' webhooks that match, called at
 * once on the object as mutating admission left it. Any refusal refuses the request (the first in webhook order);
 * the warnings of all go back to the client, and the audit annotations of those before the refusal (of all when
 * none refuses) go to the request's audit record, a key answered twice keeping the first webhook's value.
 */
export class ValidatingWebhookAdmitter implements Admitter {
  readonly name = 'ValidatingAdmissionWebhook';

  constructor(private readonly state: PolicyState) {}

  async admit(request: AdmissionRequest, context: AdmissionContext = {}): Promise<AdmissionVerdict> {
    const webhooks = await webhooksFor(this.state, VALIDATING_WEBHOOK_CONFIGURATIONS_RESOURCE, request, context);
    if (webhooks.length === 0) return { allowed: true };
    const outcomes = await Promise.all(
      webhooks.map(({ hook }) => {
        const review = reviewRequestOf(request, request.object);
        return underPolicy(hook, async () => (webhookMatches(hook, request, review, this.state.model) ? callWebhook(hook, request, review, this.state.model, false) : undefined));
      }),
    );
    const warnings: string[] = [];
    let auditAnnotations: Record<string, string> | undefined;
    for (const outcome of outcomes) {
      if ('refuse' in outcome) {
        auditAnnotations = addAnnotations(auditAnnotations, outcome.refuse.auditAnnotations);
        return auditAnnotations ? { ...outcome.refuse, auditAnnotations } : outcome.refuse;
      }
      warnings.push(...(outcome.result?.warnings ?? []));
      auditAnnotations = addAnnotations(auditAnnotations, outcome.result?.auditAnnotations);
    }
    return { allowed: true, ...(warnings.length > 0 ? { warnings } : {}), ...(auditAnnotations ? { auditAnnotations } : {}) };
  }
}
