import { includeObjectParam, matchesFieldSelector, matchesLabelSelector, notFound, parseFieldSelector, parseLabelSelector, toTable, wantsTable, badRequest } from '@openpacific/kube-api';
import { resourceVersionOf, parseResourceVersion } from '@openpacific/event-store';
import { objectStreamId, qualifiedResource } from '@openpacific/contracts';
import { GatewayCore, ResourceRequest } from '../core';
import { sendJson } from '../http/respond';
import { convertObject, ServedResource } from '../registry/registry';
import { foldHistory } from './history';

/** Field selectors every kind supports, plus the ones a kind adds (kube-apiserver's per-kind field labels). */
export function supportedFields(served: ServedResource): string[] {
  const base = ['metadata.name', 'metadata.namespace'];
  if (served.def.kind === 'Event' && served.def.group === '') {
    return [...base, 'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
      'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'];
  }
  if (served.def.kind === 'Namespace' && served.def.group === '') return [...base, 'status.phase'];
  if (served.def.kind === 'Pod' && served.def.group === '') return [...base, 'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'status.phase', 'status.podIP'];
  return base;
}

export function fieldValue(obj: any, field: string): string | undefined {
  if (field === 'source') return obj.source?.component;
  const v = field.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
  return v === undefined || v === null ? undefined : String(v);
}

/** A predicate for the list/watch selectors of a request. */
export function selectorFor(r: ResourceRequest): (obj: any) => boolean {
  const ls = r.query.get('labelSelector');
  const fs = r.query.get('fieldSelector');
  const labels = ls ? parseLabelSelector(ls) : undefined;
  const fields = fs ? parseFieldSelector(fs, supportedFields(r.target.served)) : undefined;
  return (obj) =>
    (!labels || matchesLabelSelector(labels, obj.metadata.labels ?? {})) &&
    (!fields || matchesFieldSelector(fields, (f: string) => fieldValue(obj, f)));
}

export async function handleGet(core: GatewayCore, r: ResourceRequest): Promise<void> {
  const { served, namespace, name } = r.target;
  const asOf = r.query.get('asOfResourceVersion');
  if (asOf) {
    await handleGetAsOf(core, r, asOf);
    return;
  }
  const stored = core.readModel.get(served.resource, namespace, name!);
  if (!stored) throw notFound(qualifiedResource(served.def), name!);
  respondObjects(r, served, [convertObject(stored.object, served)], false);
}

async function handleGetAsOf(core: GatewayCore, r: ResourceRequest, asOf: string): Promise<void> {
  const { served, namespace, name } = r.target;
  const at = parseResourceVersion(asOf);
  if (!at) throw badRequest(`asOfResourceVersion: Invalid value: "${asOf}": must be a resourceVersion`);
  const events = await core.store.readStream(objectStreamId(served.resource, namespace, name!));
  const object = foldHistory(events, at);
  if (!object) throw notFound(qualifiedResource(served.def), name!);
  respondObjects(r, served, [convertObject(object, served)], false);
}

export function handleList(core: GatewayCore, r: ResourceRequest): void {
  const { served, namespace } = r.target;
  const matches = selectorFor(r);
  const items = core.readModel
    .list(served.resource, namespace)
    .map((s) => s.object)
    .filter(matches)
    .map((o) => convertObject(o, served));
  respondObjects(r, served, items, true, resourceVersionOf(core.follower.current));
}

function respondObjects(r: ResourceRequest, served: ServedResource, items: any[], asList: boolean, listRv?: string): void {
  if (wantsTable(r.req.headers.accept)) {
    const table = toTable(served.def, served.version.name, items, {
      includeObject: includeObjectParam(r.query),
      now: new Date(),
      columnDefinitions: true,
      listMeta: { resourceVersion: listRv ?? items[0]?.metadata.resourceVersion ?? '' },
    });
    sendJson(r.res, 200, table);
    return;
  }
  if (!asList) {
    sendJson(r.res, 200, items[0]);
    return;
  }
  sendJson(r.res, 200, {
    kind: served.def.listKind,
    apiVersion: served.apiVersion,
    metadata: { resourceVersion: listRv },
    items,
  });
}
