import type { KubeletReply, KubeletRequest } from '@openpacific/contracts';
import { healthPath, healthReply, singleCheckReply } from '@openpacific/kube-api';
import type { HostUsageSnapshot } from '../metrics/usage-rates';
import type { ProbeMetricsSnapshot } from '../pods/probe-metrics';
import { cadvisorMetrics, MachineDescription } from './cadvisor-metrics';
import type { KubeletRuntime } from './debugging-host';
import { hostStats, HostStats } from './host-stats';
import { proberMetrics, processStartSeconds } from './prober-metrics';
import { PROMETHEUS_TEXT, resourceMetrics } from './resource-metrics';
import { statsSummary } from './stats-summary';

/** What a host's kubelet API answers from: the host's own state, read at each request. */
export interface KubeletHost {
  readonly name: string;
  /** The pods the host runs, as its pod worker last read them. */
  pods(): any[];
  /** The host's latest reading of its usage; undefined before the first. */
  usage(): HostUsageSnapshot | undefined;
  /** `/configz`'s `kubeletconfig` (kubelet-configz.ts). */
  readonly configuration: Record<string, unknown>;
  /** The host's memory capacity, for the node's `availableBytes`. */
  readonly memoryCapacityBytes?: number;
  /** What the host registered of its machine (its Node's capacity and nodeInfo), for cadvisor's machine metrics. */
  readonly machine?: MachineDescription;
  /** The host's prober metrics (its pod worker's `probeMetrics`), undefined before its pods are followed. */
  probes(): ProbeMetricsSnapshot | undefined;
  /** The host's container runtime, for the debugging handlers (kubelet-debugging.ts). */
  readonly runtime: KubeletRuntime;
}

/** kubelet's health checks, which an agent passes whenever it answers at all. */
const HEALTH_CHECKS = ['ping', 'log', 'syncloop'];

/** The answer of Go's `http.Error` and of the health handlers: plain text, never sniffed. */
const text = (status: number, body: string): KubeletReply => ({ status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }, body });
const json = (body: unknown): KubeletReply => ({ status: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

/** A go-restful route of kubelet's (`/pods`, `/stats/summary`): GET only, other methods answered as go-restful does. */
function restful(req: KubeletRequest, answer: () => KubeletReply): KubeletReply {
  return req.method === 'GET' ? answer() : text(405, '405: Method Not Allowed');
}

function statsOf(host: KubeletHost): HostStats | undefined {
  const usage = host.usage();
  return usage && hostStats(host.name, usage, host.pods(), host.memoryCapacityBytes);
}

/**
 * One request to a host's kubelet API, answered as kubelet's HTTP server answers it: `/healthz` (and its checks,
 * `?verbose` listing them), `/pods` (a v1 PodList of the pods the host runs), `/stats/summary` (the Summary API),
 * `/metrics/resource` (the resource metrics in Prometheus' text format), `/metrics/cadvisor` (cadvisor's, of the
 * figures the host has), `/metrics/probes` (the prober's: each probe run by result, the successful runs' durations)
 * and `/configz`. The debugging handlers (`/containerLogs/`, `/run/`, `/runningpods/`) are kubelet-debugging.ts's, which
 * the server asks first. Anything else is kubelet's 404: go-restful's under the paths its web services own (`/pods/`,
 * `/stats/`), Go's mux's elsewhere.
 */
export function kubeletAnswer(req: KubeletRequest, host: KubeletHost): KubeletReply {
  const { path } = req;
  const health = healthPath(path);
  if (health?.endpoint === 'healthz' && !health.check) return healthReply('healthz', HEALTH_CHECKS.map((name) => ({ name })), new URLSearchParams(req.query));
  if (health?.endpoint === 'healthz' && HEALTH_CHECKS.includes(health.check!)) return singleCheckReply({ name: health.check! });
  if (path === '/pods') return restful(req, () => json({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: host.pods() }));
  if (path === '/stats/summary') {
    return restful(req, () => {
      const stats = statsOf(host);
      return stats ? json(statsSummary(stats)) : text(500, 'Internal Error: the host has not read its usage yet');
    });
  }
  if (path === '/metrics/resource') return { status: 200, headers: { 'Content-Type': PROMETHEUS_TEXT }, body: resourceMetrics(statsOf(host)) };
  if (path === '/metrics/cadvisor') return { status: 200, headers: { 'Content-Type': PROMETHEUS_TEXT }, body: cadvisorMetrics(statsOf(host), host.machine, Date.now()) };
  if (path === '/metrics/probes') {
    return { status: 200, headers: { 'Content-Type': PROMETHEUS_TEXT }, body: proberMetrics(host.probes(), processStartSeconds()) };
  }
  if (path === '/configz') return json({ kubeletconfig: host.configuration });
  if (path.startsWith('/pods/') || path.startsWith('/stats/')) return text(404, '404: Page Not Found');
  return text(404, '404 page not found\n');
}
