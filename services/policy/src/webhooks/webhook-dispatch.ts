import { randomUUID } from 'node:crypto';
import { admissionKindOf, AdmissionRequest, AdmissionResponse } from '@openpacific/contracts';
import { postReview, validateQualifiedName, WebhookCallError, webhookTarget, type WebhookTarget } from '@openpacific/kube-api';
import type { ReadModel } from '@openpacific/objects';
import type { AdmissionContext, AdmissionVerdict } from '../admission/admitter';
import type { PolicyState } from '../state/policy-state';
import { evaluateConditions, isExempt, namespaceSelectorMatches, objectSelectorMatches, rulesMatch } from './webhook-match';

type Status = NonNullable<AdmissionResponse['status']>;

/** One webhook of a configuration, as the admitters call it. */
export interface Webhook {
  hook: any;
  configuration: string;
}

/** The webhooks of every configuration of a kind, as kube-apiserver orders them: configurations by name, webhooks in order. */
export function webhooksOf(model: ReadModel, resource: string): Webhook[] {
  const configurations = model.list(resource).map((s) => s.object).sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  return configurations.flatMap((c) => (Array.isArray(c.webhooks) ? c.webhooks : []).map((hook: any) => ({ hook, configuration: c.metadata.name })));
}

/**
 * The webhooks of a kind that may take the request: none for the webhook configurations themselves; else, after
 * reading the log as far as the asking gateway had (a configuration written a moment ago applies), all of them.
 */
export async function webhooksFor(state: PolicyState, resource: string, request: AdmissionRequest, context: AdmissionContext): Promise<Webhook[]> {
  if (isExempt(request)) return [];
  await state.caughtUp(context.readAt);
  return webhooksOf(state.model, resource);
}

/** A failure to reach or understand a webhook: its failurePolicy decides whether it refuses the request. */
class CallFailure extends Error {}

/**
 * An answer that is a refusal whatever the failurePolicy (a denial, a dry run the webhook does not support, a patch
 * that does not apply), with the audit annotations the webhook answered (kept with a refusal, as kube-apiserver does).
 */
export class Refusal extends Error {
  constructor(
    readonly status: Status,
    readonly auditAnnotations?: Record<string, string>,
  ) {
    super(status.message);
  }
}

/** AdmissionReview.request (admission.k8s.io/v1) for a request, `object` being the object as the previous webhooks left it. */
export function reviewRequestOf(request: AdmissionRequest, object: unknown): any {
  const kind = admissionKindOf(request);
  const options = { CREATE: 'CreateOptions', UPDATE: 'UpdateOptions', DELETE: 'DeleteOptions', CONNECT: undefined }[request.operation];
  return {
    uid: randomUUID(),
    kind,
    resource: request.resource,
    ...(request.subResource ? { subResource: request.subResource, requestSubResource: request.subResource } : {}),
    requestKind: kind,
    requestResource: request.resource,
    ...(request.name ? { name: request.name } : {}),
    ...(request.namespace ? { namespace: request.namespace } : {}),
    operation: request.operation,
    userInfo: { username: request.user.username, groups: request.user.groups },
    object: object ?? null,
    oldObject: request.oldObject ?? null,
    dryRun: request.dryRun,
    options: options ? { kind: options, apiVersion: 'meta.k8s.io/v1', ...(request.dryRun ? { dryRun: ['All'] } : {}) } : null,
  };
}

/**
 * Whether the webhook is to be called for the request (rules, selectors, matchConditions); a condition that cannot
 * be evaluated is a CallFailure (its failurePolicy decides).
 */
export function webhookMatches(hook: any, request: AdmissionRequest, review: any, model: ReadModel): boolean {
  if (!rulesMatch(hook.rules, request)) return false;
  const namespaceLabels = () => model.get('namespaces', undefined, request.namespace!)?.object?.metadata?.labels ?? {};
  if (!namespaceSelectorMatches(hook.namespaceSelector, request, namespaceLabels)) return false;
  if (!objectSelectorMatches(hook.objectSelector, request)) return false;
  const conditions = evaluateConditions(hook.matchConditions, review);
  if ('error' in conditions) throw new CallFailure(conditions.error);
  return conditions.matched;
}

/** Where the webhook is: its url, or its Service's cluster IP and port with the certificate name `<svc>.<ns>.svc`. */
export function targetOf(hook: any, model: ReadModel): WebhookTarget {
  try {
    return webhookTarget(hook.clientConfig ?? {}, (namespace, name) => model.get('services', namespace, name)?.object);
  } catch (err) {
    if (err instanceof WebhookCallError) throw new CallFailure(`failed to call webhook: ${err.message}`);
    throw err;
  }
}

/** What a webhook answered that let the request through. */
export interface Allowed {
  patch?: unknown[];
  warnings: string[];
  /** Its response.auditAnnotations, each under `<webhook name>/` (webhookAuditAnnotations). */
  auditAnnotations?: Record<string, string>;
}

/**
 * A webhook's response.auditAnnotations as kube-apiserver records them in the request's audit event: each key under
 * `<webhook name>/`, the whole a qualified name with one `/`, the values strings. A key that makes no such name is left
 * out (kube-apiserver logs it and goes on); undefined when nothing is left.
 */
export function webhookAuditAnnotations(hookName: string, annotations: unknown): Record<string, string> | undefined {
  if (typeof annotations !== 'object' || annotations === null || Array.isArray(annotations)) return undefined;
  let out: Record<string, string> | undefined;
  for (const [key, value] of Object.entries(annotations)) {
    const name = `${hookName}/${key}`;
    if (typeof value !== 'string' || name.split('/').length !== 2 || validateQualifiedName(name).length > 0) continue;
    (out ??= {})[name] = value;
  }
  return out;
}

/** Adds `more` to `into`, a key already there keeping its value (kube-apiserver refuses to override an annotation). */
export function addAnnotations(into: Record<string, string> | undefined, more: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!more) return into;
  return { ...more, ...into };
}

/**
 * Calls one matching webhook: a refusal it answers, or that a dry run it does not support is, throws a Refusal; a
 * call that fails (unreachable, too slow, an answer that is no AdmissionReview) throws a CallFailure.
 */
export async function callWebhook(hook: any, request: AdmissionRequest, review: any, model: ReadModel, mutating: boolean): Promise<Allowed> {
  if (request.dryRun && hook.sideEffects !== 'None' && hook.sideEffects !== 'NoneOnDryRun') {
    throw new Refusal({ code: 400, reason: 'BadRequest', message: `admission webhook ${JSON.stringify(hook.name)} does not support dry run` });
  }
  const target = targetOf(hook, model);
  let answer: any;
  try {
    answer = await postReview(target, { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: review }, hook.timeoutSeconds ?? 10);
  } catch (err) {
    if (err instanceof WebhookCallError) throw new CallFailure(`failed to call webhook: ${err.message}`);
    throw err;
  }
  const response = answer?.response;
  const invalid = (why: string) => new CallFailure(`received invalid webhook response: ${why}`);
  if (answer?.apiVersion !== 'admission.k8s.io/v1' || answer?.kind !== 'AdmissionReview') {
    throw invalid(`expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${answer?.apiVersion ?? ''}, Kind=${answer?.kind ?? ''}`);
  }
  if (!response || typeof response !== 'object') throw invalid('response was absent');
  if (response.uid !== review.uid) throw invalid(`expected response.uid=${JSON.stringify(review.uid)}, got ${JSON.stringify(response.uid ?? '')}`);
  const auditAnnotations = webhookAuditAnnotations(hook.name, response.auditAnnotations);
  const annotated = auditAnnotations ? { auditAnnotations } : {};
  if (response.allowed !== true) throw new Refusal(denial(hook.name, response.status), auditAnnotations);
  const warnings = Array.isArray(response.warnings) ? response.warnings.filter((w: unknown): w is string => typeof w === 'string' && w.trim() !== '') : [];
  if (!response.patch) return { warnings, ...annotated };
  if (!mutating) throw invalid('validating webhook may not return response.patch');
  if (!response.patchType) throw invalid('webhook returned response.patch but not response.patchType');
  if (response.patchType !== 'JSONPatch') throw invalid(`webhook returned invalid response.patchType of ${JSON.stringify(response.patchType)}`);
  let patch: unknown;
  try {
    patch = JSON.parse(Buffer.from(String(response.patch), 'base64').toString('utf8'));
  } catch (err) {
    throw new Refusal(internalError((err as Error).message), auditAnnotations);
  }
  if (!Array.isArray(patch)) throw new Refusal(internalError('json: cannot unmarshal object into Go value of type jsonpatch.Patch'), auditAnnotations);
  return { patch, warnings, ...annotated };
}

/** kube-apiserver's ToStatusErr: the webhook's status (a code of at least 400, 400 by default) with its name before the message. */
export function denial(name: string, status: any): Status {
  const deniedBy = `admission webhook ${JSON.stringify(name)} denied the request`;
  const code = typeof status?.code === 'number' && status.code >= 400 ? status.code : 400;
  const message = status?.message ? `${deniedBy}: ${status.message}` : status?.reason ? `${deniedBy}: ${status.reason}` : `${deniedBy} without explanation`;
  return { code, reason: typeof status?.reason === 'string' ? status.reason : '', message };
}

export function internalError(message: string): Status {
  return { code: 500, reason: 'InternalError', message: `Internal error occurred: ${message}` };
}

/**
 * Runs `step` for one webhook under its failurePolicy: a CallFailure refuses with kube-apiserver's 500 under `Fail`
 * and is passed over under `Ignore` (undefined); a Refusal refuses with its status.
 */
export async function underPolicy<T>(hook: any, step: () => Promise<T>): Promise<{ result?: T } | { refuse: AdmissionVerdict }> {
  try {
    return { result: await step() };
  } catch (err) {
    if (err instanceof Refusal) return { refuse: { allowed: false, status: err.status, ...(err.auditAnnotations ? { auditAnnotations: err.auditAnnotations } : {}) } };
    if (!(err instanceof CallFailure)) throw err;
    if (hook.failurePolicy === 'Ignore') return {};
    return { refuse: { allowed: false, status: internalError(`failed calling webhook ${JSON.stringify(hook.name)}: ${err.message}`) } };
  }
}
