import { AdmissionRequest, VALIDATING_WEBHOOK_CONFIGURATIONS_RESOURCE } from '@openpacific/contracts';
import type { AdmissionContext, AdmissionVerdict, Admitter } from '../admission/admitter';
import type { PolicyState } from '../state/policy-state';
import { callWebhook, reviewRequestOf, underPolicy, webhookMatches, webhooksFor } from './webhook-dispatch';

/**
 * kube-apiserver's ValidatingAdmissionWebhook: the ValidatingWebhookConfigurations' webhooks that match, called at
 * once on the object as mutating admission left it. Any refusal refuses the request (the first in webhook order);
 * the warnings of all go back to the client.
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
    for (const outcome of outcomes) {
      if ('refuse' in outcome) return outcome.refuse;
      warnings.push(...(outcome.result?.warnings ?? []));
    }
    return warnings.length > 0 ? { allowed: true, warnings } : { allowed: true };
  }
}
