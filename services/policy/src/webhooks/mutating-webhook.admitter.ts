import { isDeepStrictEqual } from 'node:util';
import { AdmissionRequest, MUTATING_WEBHOOK_CONFIGURATIONS_RESOURCE } from '@openpacific/contracts';
import { applyJsonPatch } from '@openpacific/kube-api';
import type { AdmissionContext, AdmissionVerdict, Admitter } from '../admission/admitter';
import type { PolicyState } from '../state/policy-state';
import { addAnnotations, callWebhook, internalError, reviewRequestOf, underPolicy, Webhook, webhookMatches, webhooksFor } from './webhook-dispatch';

/**
 * kube-apiserver's MutatingAdmissionWebhook: the MutatingWebhookConfigurations' webhooks that match, one after the
 * other, each seeing the object as the previous one's JSONPatch left it. A webhook with reinvocationPolicy IfNeeded
 * is called once more when a webhook after it changed the object. The webhooks' audit annotations go to the request's
 * audit record, a refusing webhook's too, a key answered twice keeping its first value.
 */
export class MutatingWebhookAdmitter implements Admitter {
  readonly name = 'MutatingAdmissionWebhook';

  constructor(private readonly state: PolicyState) {}

  async admit(request: AdmissionRequest, context: AdmissionContext = {}): Promise<AdmissionVerdict> {
    const webhooks = await webhooksFor(this.state, MUTATING_WEBHOOK_CONFIGURATIONS_RESOURCE, request, context);
    if (webhooks.length === 0) return { allowed: true };
    const run: Run = { object: request.object, warnings: [], changes: 0 };
    // The IfNeeded webhooks called, with the number of changes made before their call ended.
    const called: Array<{ webhook: Webhook; changesSeen: number }> = [];
    for (const webhook of webhooks) {
      const outcome = await this.call(webhook, request, run);
      if (outcome === 'refused') return refusalOf(run);
      if (outcome === 'called' && webhook.hook.reinvocationPolicy === 'IfNeeded') called.push({ webhook, changesSeen: run.changes });
    }
    for (const { webhook, changesSeen } of called) {
      if (run.changes === changesSeen) continue;
      if ((await this.call(webhook, request, run)) === 'refused') return refusalOf(run);
    }
    return {
      allowed: true,
      ...(isDeepStrictEqual(run.object, request.object) ? {} : { patchedObject: run.object }),
      ...(run.warnings.length > 0 ? { warnings: run.warnings } : {}),
      ...(run.auditAnnotations ? { auditAnnotations: run.auditAnnotations } : {}),
    };
  }

  /** Calls one webhook if it matches the request as it now is; applies its patch to `run`. */
  private async call(webhook: Webhook, request: AdmissionRequest, run: Run): Promise<'skipped' | 'called' | 'refused'> {
    const { hook } = webhook;
    const current = { ...request, object: run.object };
    const review = reviewRequestOf(current, run.object);
    const outcome = await underPolicy(hook, async () => {
      if (!webhookMatches(hook, current, review, this.state.model)) return undefined;
      return callWebhook(hook, current, review, this.state.model, true);
    });
    if ('refuse' in outcome) {
      run.auditAnnotations = addAnnotations(run.auditAnnotations, outcome.refuse.auditAnnotations);
      run.refusal = outcome.refuse;
      return 'refused';
    }
    const answer = outcome.result;
    if (!answer) return 'skipped';
    run.warnings.push(...answer.warnings);
    run.auditAnnotations = addAnnotations(run.auditAnnotations, answer.auditAnnotations);
    if (answer.patch && run.object !== undefined) {
      let patched: unknown;
      try {
        patched = applyJsonPatch(run.object, answer.patch);
      } catch (err) {
        // As kube-apiserver: a patch that does not apply is an internal error, whatever the failurePolicy.
        run.refusal = { allowed: false, status: internalError((err as Error).message) };
        return 'refused';
      }
      if (!isDeepStrictEqual(patched, run.object)) run.changes++;
      run.object = patched;
    }
    return 'called';
  }
}

/** The state of one admission through the webhooks. */
interface Run {
  object: unknown;
  warnings: string[];
  /** How many calls changed the object. */
  changes: number;
  refusal?: AdmissionVerdict;
  /** The webhooks' audit annotations so far. */
  auditAnnotations?: Record<string, string>;
}

/** The run's refusal, with the audit annotations of every webhook called before it and its own. */
function refusalOf(run: Run): AdmissionVerdict {
  return run.auditAnnotations ? { ...run.refusal!, auditAnnotations: run.auditAnnotations } : run.refusal!;
}
