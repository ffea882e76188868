import { includeObjectParam, matchesFieldSelector, matchesLabelSelector, notFound, parseFieldSelector, parseLabelSelector, toTable, wantsTable, badRequest, statusError } from '@openpacific/kube-api';
import { compareLogPositions, resourceVersionOf, parseResourceVersion } from '@openpacific/event-store';
import { EVENTS_V1_FIELD_LABELS, objectStreamId, qualifiedResource } from '@openpacific/contracts';
import { GatewayCore, ResourceRequest } from '../core';
import { sendJson, sendList, sendObject } from '../http/respond';
import { ServedResource } from '../registry/registry';
import { convertObjects, convertOne } from '../customresources/conversion-webhook';
import { foldHistory } from './history';
import { includesNodeLeases, inNodeLeaseNamespace, shadowedByNodeLeases, versionAfterRenewals } from '../node-leases/node-lease-api';
import { validateListOptions } from './list-options';
import { ContinueToken, continueExpired, decodeContinue, ListMeta, ListSnapshots, ListState, pageOf } from './list-pages';
import { parseLimit } from './query-params';

const isCoreEvent = (served: ServedResource) => served.def.kind === 'Event' && served.def.group === '';
const isEventsV1 = (served: ServedResource) => served.def.kind === 'Event' && served.def.group === 'events.k8s.io';

/**
 * Field selectors every kind supports, plus the ones a kind adds (kube-apiserver's per-kind field labels; a custom
 * kind's selectableFields).
 */
export function supportedFields(served: ServedResource): string[] {
  const base = ['metadata.name', 'metadata.namespace'];
  if (isCoreEvent(served)) {
    return [...base, 'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
      'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'];
  }
  // events.k8s.io/v1's field labels, selected on the core Event each is stored as (kube's field label conversion).
  if (isEventsV1(served)) return Object.keys(EVENTS_V1_FIELD_LABELS);
  const own = KIND_FIELDS[`${served.def.group}/${served.def.kind}`];
  if (own) return [...base, ...Object.keys(own)];
  return [...base, ...(served.version.selectableFields ?? [])];
}

/**
 * The field labels of the built-in kinds that have any beyond the name and namespace (kube-apiserver 1.32's field
 * label conversions), each with the value it has when the object leaves it out: kube selects on the Go field,
 * so an unset boolean is "false" and an unset count "0".
 */
const KIND_FIELDS: Record<string, Record<string, string>> = {
  '/Namespace': { 'status.phase': '' },
  '/Pod': {
    'spec.nodeName': '', 'spec.restartPolicy': '', 'spec.schedulerName': '', 'spec.serviceAccountName': '', 'spec.hostNetwork': 'false',
    'status.phase': '', 'status.podIP': '', 'status.nominatedNodeName': '',
  },
  '/Node': { 'spec.unschedulable': 'false' },
  '/Secret': { type: '' },
  '/Service': { 'spec.clusterIP': '', 'spec.type': '' },
  '/ReplicationController': { 'status.replicas': '0' },
  'apps/ReplicaSet': { 'status.replicas': '0' },
  'batch/Job': { 'status.successful': '0' },
};

/** Field labels that name another field of the object: a Job's `status.successful` is its `status.succeeded` count. */
const FIELD_PATHS: Record<string, Record<string, string>> = { 'batch/Job': { 'status.successful': 'status.succeeded' } };

/** A field selector's value: the field as text (integers and booleans too); an Event's `source` is its component. */
export function fieldValue(obj: any, field: string, event = false, unset?: string): string | undefined {
  if (event && field === 'source') return obj.source?.component;
  const v = field.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
  return v === undefined || v === null ? unset : String(v);
}

/** A predicate for the list/watch selectors of a request. */
export function selectorFor(r: ResourceRequest): (obj: any) => boolean {
  const ls = r.query.get('labelSelector');
  const fs = r.query.get('fieldSelector');
  const labels = ls ? parseLabelSelector(ls) : undefined;
  const fields = fs ? parseFieldSelector(fs, supportedFields(r.target.served)) : undefined;
  const event = isCoreEvent(r.target.served);
  const kind = `${r.target.served.def.group}/${r.target.served.def.kind}`;
  const paths = isEventsV1(r.target.served) ? EVENTS_V1_FIELD_LABELS : FIELD_PATHS[kind] ?? {};
  const stored = (f: string) => paths[f] ?? f;
  const unset = KIND_FIELDS[kind] ?? {};
  return (obj) =>
    (!labels || matchesLabelSelector(labels, obj.metadata.labels ?? {})) &&
    (!fields || matchesFieldSelector(fields, (f: string) => fieldValue(obj, stored(f), event, unset[f])));
}

export async function handleGet(core: GatewayCore, r: ResourceRequest): Promise<void> {
  const { served, namespace, name } = r.target;
  if (inNodeLeaseNamespace(r.target)) {
    const lease = core.nodeLeases?.lease(name!);
    if (!lease) throw notFound(qualifiedResource(served.def), name!);
    return respondObjects(r, served, [lease], false);
  }
  const asOf = r.query.get('asOfResourceVersion');
  if (asOf) {
    await handleGetAsOf(core, r, asOf);
    return;
  }
  const stored = core.readModel.get(served.resource, namespace, name!);
  if (!stored) throw notFound(qualifiedResource(served.def), name!);
  respondObjects(r, served, [await convertOne(core.readModel, stored.object, served)], false);
}

async function handleGetAsOf(core: GatewayCore, r: ResourceRequest, asOf: string): Promise<void> {
  const { served, namespace, name } = r.target;
  const at = parseResourceVersion(asOf);
  if (!at) throw badRequest(`asOfResourceVersion: Invalid value: "${asOf}": must be a resourceVersion`);
  const events = await core.store.readStream(objectStreamId(served.resource, namespace, name!));
  const object = foldHistory(events, at);
  if (!object) throw notFound(qualifiedResource(served.def), name!);
  respondObjects(r, served, [await convertOne(core.readModel, object, served)], false);
}

/** Lists, cut into pages when the client asks (`limit`, `continue`); see list-pages.ts. */
export async function handleList(core: GatewayCore, r: ResourceRequest): Promise<void> {
  const { served } = r.target;
  validateListOptions(r.query, false);
  const limit = parseLimit(r.query);
  const raw = r.query.get('continue');
  const token = raw ? decodeContinue(raw) : undefined;
  if (!token && !includesNodeLeases(r.target)) await reachListVersion(core, r.query.get('resourceVersion'), r.query.get('resourceVersionMatch'));
  const listKey = [served.resource, r.target.namespace ?? '', r.query.get('labelSelector') ?? '', r.query.get('fieldSelector') ?? ''].join('\u0000');
  const state = await listState(core, r, listKey, token);
  const page = pageOf(state, limit, token, listSortKey);
  if (page.meta.continue && token?.rv !== '') snapshotsOf(core).keep(`${listKey}\u0000${state.resourceVersion}`, state.items);
  // A whole list that takes in node Leases is at their newest renewal too, so a watch from it does not send them again.
  if (includesNodeLeases(r.target) && !token && !page.meta.continue) page.meta.resourceVersion = versionAfterRenewals(core.nodeLeases, page.meta.resourceVersion);
  respondObjects(r, served, await convertObjects(core.readModel, page.items, served), true, page.meta);
}

/** How long a list waits for this gateway to read as far as the resourceVersion it names (another gateway's). */
const LIST_VERSION_WAIT_MS = 3000;

/**
 * A list at a resourceVersion is served once the read model holds at least that version (NotOlderThan, the default),
 * or exactly that one (Exact): kube-apiserver's 504 `Too large resource version` when the read model does not get
 * there in time, and 410 Expired for an Exact version it has passed (it keeps no older states of a list).
 */
async function reachListVersion(core: GatewayCore, rv: string | null, match: string | null): Promise<void> {
  if (!rv || rv === '0') return;
  const at = parseResourceVersion(rv);
  if (!at) throw badRequest(`resourceVersion: Invalid value: "${rv}": must be a resourceVersion`);
  if (compareLogPositions(core.follower.current, at) < 0 && !(await core.follower.waitFor(at, LIST_VERSION_WAIT_MS))) {
    throw statusError(504, 'Timeout', `Too large resource version: ${rv}, current: ${resourceVersionOf(core.follower.current)}`, {
      causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    });
  }
  if (match === 'Exact' && resourceVersionOf(core.follower.current) !== rv) {
    throw statusError(410, 'Expired', `too old resource version: ${rv} (${resourceVersionOf(core.follower.current)})`);
  }
}

const snapshots = new WeakMap<GatewayCore, ListSnapshots>();

function snapshotsOf(core: GatewayCore): ListSnapshots {
  let kept = snapshots.get(core);
  if (!kept) snapshots.set(core, (kept = new ListSnapshots()));
  return kept;
}

function listSortKey(obj: any): string {
  return `${obj.metadata.namespace ?? ''}\u0000${obj.metadata.name}`;
}

/** In the order pages are cut in (`firstAfter` compares the keys as strings). */
function byListKey(a: any, b: any): number {
  const [x, y] = [listSortKey(a), listSortKey(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The list in the state the token names: a kept snapshot, or the read model if it is still (or, on another replica, now) at it. */
async function listState(core: GatewayCore, r: ResourceRequest, listKey: string, token: ContinueToken | undefined): Promise<ListState<any>> {
  if (token && token.rv !== '') {
    const kept = snapshotsOf(core).find<any>(`${listKey}\u0000${token.rv}`);
    if (kept) return { items: kept, resourceVersion: token.rv };
    const at = parseResourceVersion(token.rv)!;
    if (compareLogPositions(core.follower.current, at) < 0) await core.follower.waitFor(at);
    if (resourceVersionOf(core.follower.current) !== token.rv) throw continueExpired(token);
  }
  const matches = selectorFor(r);
  const items = core.readModel.list(r.target.served.resource, r.target.namespace).map((s) => s.object).filter(matches);
  if (!includesNodeLeases(r.target)) return { items, resourceVersion: resourceVersionOf(core.follower.current) };
  const merged = [...items.filter((o) => !shadowedByNodeLeases(o)), ...(core.nodeLeases?.leases() ?? []).filter(matches)].sort(byListKey);
  return { items: merged, resourceVersion: resourceVersionOf(core.follower.current) };
}

function respondObjects(r: ResourceRequest, served: ServedResource, items: any[], asList: boolean, listMeta?: ListMeta): void {
  if (wantsTable(r.req.headers.accept)) {
    const table = toTable(served.def, served.version.name, items, {
      includeObject: includeObjectParam(r.query),
      now: new Date(),
      columnDefinitions: true,
      listMeta: { resourceVersion: listMeta?.resourceVersion ?? items[0]?.metadata.resourceVersion ?? '', continue: listMeta?.continue },
    });
    const remaining = listMeta?.remainingItemCount;
    sendJson(r.res, 200, remaining === undefined ? table : { ...table, metadata: { ...table.metadata, remainingItemCount: remaining } });
    return;
  }
  if (!asList) {
    sendObject(r.res, 200, items[0]);
    return;
  }
  sendList(r.res, { kind: served.def.listKind, apiVersion: served.apiVersion, metadata: listMeta }, items);
}
