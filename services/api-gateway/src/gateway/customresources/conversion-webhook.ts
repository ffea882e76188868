import { randomUUID } from 'node:crypto';
import { internalError, postReview, WebhookCallError, webhookTarget } from '@openpacific/kube-api';
import type { ReadModel } from '@openpacific/objects';
import { convertObject, type ServedResource } from '../registry/registry';

/** kube-apiserver gives a conversion webhook 30 s, whatever the CRD says. */
const TIMEOUT_SECONDS = 30;

/**
 * Objects at the version of `target` (a served version for reads, the storage version for writes). A custom kind
 * whose CRD converts by webhook sends every object at another version to its webhook in one ConversionReview, as
 * kube-apiserver does, and takes back what it answers after checking it; every other kind converts in process
 * (`convertObject`). A webhook that cannot be reached or answers wrongly fails the request with kube-apiserver's
 * 500, naming the webhook's failure.
 */
export async function convertObjects(model: ReadModel, objs: readonly any[], target: ServedResource, stored?: any): Promise<any[]> {
  const hook = target.def.conversionWebhook;
  if (!hook) return objs.map((o) => convertObject(o, target, stored));
  const at: number[] = [];
  objs.forEach((o, i) => {
    if (o.apiVersion !== target.apiVersion && o.kind === target.def.kind) at.push(i);
  });
  if (at.length === 0) return objs.map((o) => convertObject(o, target, stored));
  const converted = await callWebhook(model, hook, at.map((i) => objs[i]), target);
  const out = [...objs];
  at.forEach((i, n) => (out[i] = converted[n]));
  return out;
}

/** One object (see `convertObjects`); a kind not converted by webhook converts at once, with nothing to wait for. */
export async function convertOne(model: ReadModel, obj: any, target: ServedResource, stored?: any): Promise<any> {
  if (!target.def.conversionWebhook) return convertObject(obj, target, stored);
  return (await convertObjects(model, [obj], target, stored))[0];
}

/** Whether objects of this kind may need a webhook to be shown at `target` (reads that must wait for it). */
export function convertsByWebhook(target: ServedResource): boolean {
  return target.def.conversionWebhook !== undefined;
}

async function callWebhook(model: ReadModel, hook: NonNullable<ServedResource['def']['conversionWebhook']>, objects: any[], target: ServedResource): Promise<any[]> {
  const gvk = `${objects[0].apiVersion}, Kind=${target.def.kind}`;
  const failed = (why: string) => internalError(`conversion webhook for ${gvk} failed: ${why}`);
  const invalidAt = (i: number, why: string) => internalError(`conversion webhook for ${gvk} returned invalid converted object at index ${i}: ${why}`);
  const uid = randomUUID();
  const reviewVersion = hook.reviewVersions.includes('v1') ? 'apiextensions.k8s.io/v1' : 'apiextensions.k8s.io/v1beta1';
  const review = { apiVersion: reviewVersion, kind: 'ConversionReview', request: { uid, desiredAPIVersion: target.apiVersion, objects } };
  let answer: any;
  try {
    const where = webhookTarget(hook.clientConfig, (namespace, name) => model.get('services', namespace, name)?.object);
    answer = await postReview(where, review, TIMEOUT_SECONDS);
  } catch (err) {
    if (err instanceof WebhookCallError) throw failed(err.message);
    throw err;
  }
  const response = answer?.response;
  if (!response) throw failed('no response provided');
  if (response.uid !== uid) throw failed(`expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(response.uid ?? '')}`);
  const result = response.result ?? {};
  if (result.status !== 'Success') throw failed(result.message ? String(result.message) : `response.result.status was '${result.status ?? ''}', not 'Success'`);
  const converted: unknown[] = Array.isArray(response.convertedObjects) ? response.convertedObjects : [];
  if (converted.length !== objects.length) throw internalError(`conversion webhook for ${gvk} returned ${converted.length} objects, expected ${objects.length}`);
  return converted.map((c: any, i) => {
    const original = objects[i];
    if (!c || typeof c !== 'object' || Array.isArray(c)) throw invalidAt(i, 'not an object');
    if (c.apiVersion !== target.apiVersion) throw invalidAt(i, `invalid groupVersion (expected ${target.apiVersion}, received ${c.apiVersion ?? ''})`);
    if (c.kind !== original.kind) throw invalidAt(i, `invalid kind (expected ${original.kind}, received ${c.kind ?? ''})`);
    return { ...c, metadata: restoredMetadata(original.metadata, c.metadata, gvk, i) };
  });
}

/**
 * The original object's metadata with the labels and annotations the webhook answered (the only metadata a
 * conversion may change, as kube-apiserver restores the rest); a name, namespace or uid changed is refused.
 */
function restoredMetadata(original: any, converted: any, gvk: string, i: number): any {
  const m = converted ?? {};
  for (const f of ['name', 'namespace', 'uid']) {
    if ((m[f] ?? '') !== (original[f] ?? '')) throw internalError(`conversion webhook for ${gvk} returned invalid converted object at index ${i}: must have the same ${f}: ${JSON.stringify(m[f] ?? '')} != ${JSON.stringify(original[f] ?? '')}`);
  }
  const out = { ...original };
  for (const f of ['labels', 'annotations'] as const) {
    const v = m[f];
    if (v === undefined || v === null) {
      delete out[f];
      continue;
    }
    if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
      throw internalError(`conversion webhook for ${gvk} returned invalid metadata in object at index ${i}: invalid metadata.${f}`);
    }
    out[f] = v;
  }
  return out;
}
