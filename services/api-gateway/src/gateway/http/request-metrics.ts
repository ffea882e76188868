import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditRequestAttributes } from '../audit/request-attributes';

/** kube-apiserver's buckets for apiserver_request_duration_seconds, in seconds. */
const DURATION_BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];
const REQUEST_LABELS = ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component'] as const;
const APPLY_PATCH = 'application/apply-patch+yaml';
const METRIC_NAMES = ['apiserver_request_total', 'apiserver_request_duration_seconds', 'apiserver_longrunning_requests', 'apiserver_current_inflight_requests', 'apiserver_storage_objects'];

type RequestLabels = Record<(typeof REQUEST_LABELS)[number], string>;

/** The verb kube-apiserver's metrics report: the HTTP method, except LIST, WATCH, APPLY and CONNECT. */
export function reportedVerb(attrs: Pick<AuditRequestAttributes, 'verb' | 'resourceRequest'>, method: string, contentType?: string): string {
  if (!attrs.resourceRequest) return method.toUpperCase();
  if (attrs.verb === 'list') return 'LIST';
  if (attrs.verb === 'watch') return 'WATCH';
  if (method === 'PATCH' && contentType?.split(';')[0].trim() === APPLY_PATCH) return 'APPLY';
  return method.toUpperCase();
}

/** A request's labels as kube-apiserver sets them; `scope` is resource (one object), namespace, or cluster. */
export function requestLabels(attrs: AuditRequestAttributes, verb: string, version: string, dryRun: boolean): RequestLabels {
  const scope = !attrs.resourceRequest ? '' : attrs.name ? 'resource' : attrs.namespace ? 'namespace' : 'cluster';
  return {
    verb,
    dry_run: dryRun ? 'All' : '',
    group: attrs.apiGroup,
    version: attrs.resourceRequest ? version : '',
    resource: attrs.resource,
    subresource: attrs.subresource,
    scope,
    component: 'apiserver',
  };
}

/**
 * kube-apiserver's request metrics, on the process's Prometheus registry: `apiserver_request_total` (by code),
 * `apiserver_request_duration_seconds` (not for WATCH and CONNECT, which last as long as the client wants),
 * `apiserver_longrunning_requests` (open watches), `apiserver_current_inflight_requests` (readOnly / mutating),
 * and `apiserver_storage_objects` (the objects of each resource, counted when scraped).
 */
export class RequestMetrics {
  private readonly total: Counter<string>;
  private readonly duration: Histogram<string>;
  private readonly longRunning: Gauge<string>;
  private readonly inflight: Gauge<string>;

  constructor(registry: Registry, objects: { resources: () => string[]; count: (resource: string) => number }) {
    // A gateway started again in the same process (tests do) starts its figures anew, as a restarted process does.
    for (const name of METRIC_NAMES) registry.removeSingleMetric(name);
    this.total = new Counter({ name: 'apiserver_request_total', help: 'Requests answered, by verb, dry run, group, version, resource, subresource, scope, component and HTTP status code.', labelNames: [...REQUEST_LABELS, 'code'], registers: [registry] });
    this.duration = new Histogram({ name: 'apiserver_request_duration_seconds', help: 'Seconds from a request to the end of its response (not for WATCH and CONNECT), by verb, dry run, group, version, resource, subresource, scope and component.', labelNames: [...REQUEST_LABELS], buckets: DURATION_BUCKETS, registers: [registry] });
    this.longRunning = new Gauge({ name: 'apiserver_longrunning_requests', help: 'Watches open now, by verb, group, version, resource, subresource, scope and component.', labelNames: REQUEST_LABELS.filter((l) => l !== 'dry_run'), registers: [registry] });
    this.inflight = new Gauge({ name: 'apiserver_current_inflight_requests', help: 'Requests being answered now (watches aside), readOnly or mutating.', labelNames: ['request_kind'], registers: [registry] });
    this.inflight.set({ request_kind: 'readOnly' }, 0);
    this.inflight.set({ request_kind: 'mutating' }, 0);
    new Gauge({
      name: 'apiserver_storage_objects',
      help: 'Objects of each resource in this gateway\'s read model when scraped.',
      labelNames: ['resource'],
      registers: [registry],
      collect() {
        for (const resource of objects.resources()) this.set({ resource }, objects.count(resource));
      },
    });
  }

  /** Follows one request from now until its response is done (or its client gone). */
  track(req: IncomingMessage, res: ServerResponse, attrs: AuditRequestAttributes, version: string, query: URLSearchParams): void {
    const method = req.method ?? 'GET';
    const verb = reportedVerb(attrs, method, req.headers['content-type']);
    const labels = requestLabels(attrs, verb, version, query.get('dryRun') === 'All');
    if (verb === 'WATCH') {
      const { dry_run: _dryRun, ...gaugeLabels } = labels;
      this.longRunning.inc(gaugeLabels);
      res.once('close', () => {
        this.longRunning.dec(gaugeLabels);
        this.total.inc({ ...labels, code: codeOf(res) });
      });
      return;
    }
    const kind = method === 'GET' || method === 'HEAD' ? 'readOnly' : 'mutating';
    const started = process.hrtime.bigint();
    this.inflight.inc({ request_kind: kind });
    res.once('close', () => {
      this.inflight.dec({ request_kind: kind });
      this.total.inc({ ...labels, code: codeOf(res) });
      this.duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
  }

  /** An exec, attach or port-forward: counted as CONNECT once answered (101 when it switched protocols). */
  connected(attrs: AuditRequestAttributes, version: string, code: number): void {
    this.total.inc({ ...requestLabels(attrs, 'CONNECT', version, false), code: String(code) });
  }
}

/** The status sent, or 0 for a client gone before any answer (as the audit record says). */
function codeOf(res: ServerResponse): string {
  return String(res.headersSent ? res.statusCode : 0);
}
