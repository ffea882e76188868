import { HostMetrics, HOSTS_RESOURCE, rfc3339 } from '@openpacific/contracts';
import type { PodMetricsReading } from '@openpacific/messaging';
import { includeObjectParam, methodNotAllowed, notFound, toTable, wantsTable } from '@openpacific/kube-api';
import type { GatewayCore, ResourceRequest } from '../core';
import { selectorFor } from '../handlers/read';
import { sendJson } from '../http/respond';
import { nodeMetricsObject, podMetricsObject } from './metrics-objects';

/**
 * metrics.k8s.io/v1beta1 as metrics-server serves it: NodeMetrics and PodMetrics made for each request from the hosts'
 * latest samples (`core.metrics`), get and list only (labelSelector, fieldSelector), tables for kubectl. A pod or
 * host without a sample is left out, and a get of it is 404, as metrics-server answers before its first scrape
 * (`podmetrics.metrics.k8s.io "default/web" not found`).
 * Authorization is the caller's (RBAC on `pods`/`nodes` in the group).
 */
export function handleMetrics(core: GatewayCore, r: ResourceRequest, method: string, history: boolean): void {
  const { served, namespace, name, subresource } = r.target;
  const nodes = served.def.kind === 'NodeMetrics';
  // A pod by name outside a namespace (`/pods/<name>`) is no path, as for every namespaced kind.
  if (history || subresource || (!nodes && name !== undefined && !namespace)) throw notFound('', r.url.pathname);
  const watch = r.query.get('watch') === 'true' || r.query.get('watch') === '1';
  if (method !== 'GET' || watch) throw methodNotAllowed(method);
  const now = rfc3339();
  const cache = core.metrics;
  const pod = (reading: PodMetricsReading) => podMetricsObject(reading, core.readModel.get('pods', reading.namespace, reading.name)?.object, now);
  const node = (sample: HostMetrics) => nodeMetricsObject(sample, core.readModel.get(HOSTS_RESOURCE, undefined, sample.host)?.object, now);
  if (name !== undefined) {
    const found = nodes ? maybe(cache?.host(name), node) : maybe(cache?.pod(namespace!, name), pod);
    // Worded as metrics-server words it: its resources are `podmetrics` and `nodemetrics`, a pod named with its namespace.
    if (!found) throw notFound(`${served.def.kind.toLowerCase()}.${served.def.group}`, nodes ? name : `${namespace}/${name}`);
    return respond(r, [found], false);
  }
  const objects = nodes ? (cache?.hosts() ?? []).map(node) : (cache?.pods(namespace) ?? []).map(pod);
  const selected = objects.filter((o) => o !== undefined).filter(selectorFor(r));
  const key = (o: any) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  respond(r, selected.sort((a, b) => key(a).localeCompare(key(b))), true);
}

const maybe = <T, R>(value: T | undefined, f: (v: T) => R): R | undefined => (value === undefined ? undefined : f(value));

function respond(r: ResourceRequest, items: any[], asList: boolean): void {
  const { def, version, apiVersion } = r.target.served;
  if (wantsTable(r.req.headers.accept)) {
    const table = toTable(def, version.name, items, { includeObject: includeObjectParam(r.query), now: new Date(), columnDefinitions: true, listMeta: { resourceVersion: '' } });
    return sendJson(r.res, 200, table);
  }
  sendJson(r.res, 200, asList ? { kind: def.listKind, apiVersion, metadata: {}, items } : items[0]);
}
