import { goQuote, invalid, StatusCause, validateAgainstSchema, validateObjectMeta } from '@openpacific/kube-api';
import type { ResourceRequest } from '../core';
import type { ServedResource } from '../registry/registry';
import { annotateAudit } from '../audit/audit-annotations';
import type { ObjectWrite } from '../store/object-writer';
import { validateCustomRules, warn } from './decode';
import { StrategyContext, strategyFor } from './kind-strategies';

/** The object is stored under the name it was asked for: a webhook may not change its name, namespace or uid. */
function identityChanges(obj: any, sent: any): StatusCause[] {
  return (['name', 'namespace', 'uid'] as const)
    .filter((f) => obj?.metadata?.[f] !== sent.metadata[f])
    .map((f) => ({ field: `metadata.${f}`, reason: 'FieldValueInvalid', message: `Invalid value: ${goQuote(String(obj?.metadata?.[f] ?? ''))}: field is immutable` }));
}

/** `obj` without the fields at these paths (`.spec.extra`, `.spec.containers[0].extra`, as the schema's pruning names them). */
export function withoutFields(obj: any, paths: string[]): any {
  const out = structuredClone(obj);
  for (const path of paths) {
    const steps = [...path.matchAll(/\.([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[1] !== undefined ? m[1] : Number(m[2])));
    let at = out;
    for (const step of steps.slice(0, -1)) at = at?.[step];
    if (at && typeof at === 'object') delete at[steps[steps.length - 1]];
  }
  return out;
}

/**
 * What a write of a client adds for admission: its warnings go back as `Warning: 299` headers, its audit annotations
 * go to the request's audit record, and an object a mutating webhook changed is validated again as kube-apiserver
 * validates after mutating admission (the schema at the storage version, the metadata, the kind's rules; `old` on an
 * update), a 422 naming the field if it no longer passes. Fields unknown to the schema that the webhooks added are dropped, as kube-apiserver's decoding (and a
 * custom kind's pruning) drops them; what was there before admission stays as the gateway had it.
 */
export function admissionHooks(
  r: ResourceRequest,
  storage: ServedResource,
  change: { old?: any; ctx?: StrategyContext },
): Pick<ObjectWrite, 'warn' | 'annotate' | 'recheck'> {
  const def = storage.def;
  const strategy = strategyFor(def);
  return {
    warn: (text) => warn(r, text),
    annotate: (annotations) => annotateAudit(r.res, annotations),
    recheck: (patched, sent) => {
      const checked = validateAgainstSchema(def, storage.version.name, patched, 'Ignore');
      const before = new Set(checked.unknownFields.length ? validateAgainstSchema(def, storage.version.name, sent, 'Ignore').unknownFields : []);
      const added = checked.unknownFields.filter((path) => !before.has(path));
      const obj = added.length ? withoutFields(patched, added) : patched;
      const result = added.length ? validateAgainstSchema(def, storage.version.name, obj, 'Ignore') : checked;
      const causes = [
        ...validateObjectMeta(obj?.metadata, { nameFormat: def.nameFormat, namespaced: def.scope === 'Namespaced' }),
        ...identityChanges(obj, sent),
        ...result.causes,
      ];
      if (causes.length === 0) {
        if (change.old === undefined && change.ctx) causes.push(...(strategy.validateCreate?.(obj, change.ctx) ?? []));
        causes.push(...(strategy.validate?.(obj) ?? []));
        if (change.old !== undefined) causes.push(...(strategy.validateUpdate?.(change.old, obj, r.target.subresource, change.ctx) ?? []));
      }
      if (causes.length > 0) throw invalid(def.kind, obj?.metadata?.name ?? '', def.group, causes);
      validateCustomRules(storage, obj, change.old);
      return obj;
    },
  };
}
