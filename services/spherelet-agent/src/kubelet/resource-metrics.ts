import type { HostStats } from './host-stats';

/** What kubelet's `/metrics/resource` answers with (Prometheus' text format 0.0.4). */
export const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * A number as Go's `strconv.FormatFloat(v, 'g', -1, 64)` writes it, which is how Prometheus' Go client writes sample
 * values: the shortest digits that read back the same, in exponent form below 1e-4 and from 1e6 on (`8.577024e+06`).
 */
export function goFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mantissa, exponent] = v.toExponential().split('e');
  const exp = Number(exponent);
  if (exp < -4 || exp >= 6) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(v);
}

/** A series' labels, in name order. */
export type Labels = Array<[string, string]>;

const escaped = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

/** A series' labels as Prometheus' Go client writes them: `{name="value",…}` (values escaped), nothing when there are none. */
export const labelText = (labels: Labels): string => (labels.length ? `{${labels.map(([k, v]) => `${k}="${escaped(v)}"`).join(',')}}` : '');

export interface Sample {
  labels: Labels;
  value: number;
  /** ms since the epoch: when the figure was read (kubelet stamps usage samples, not start times). */
  at?: number;
}

export interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: Sample[];
}

/**
 * kubelet's resource metrics (its `resourceMetricsCollector`, all STABLE in 1.32) from the host's figures: the node's,
 * each container's and each pod's CPU seconds and working set, each container's start, and `resource_scrape_error`.
 * As Prometheus' Go client writes them: families by name, samples by their label values, labels by name, and a
 * family with no sample left out. (`scrape_error`, deprecated in 1.29, is hidden from 1.30 on, so 1.32 has none.)
 */
export function resourceMetrics(stats: HostStats | undefined): string {
  const families: Family[] = [
    { name: 'container_cpu_usage_seconds_total', help: 'Cumulative cpu time consumed by the container in core-seconds', type: 'counter', samples: [] },
    { name: 'container_memory_working_set_bytes', help: 'Current working set of the container in bytes', type: 'gauge', samples: [] },
    { name: 'container_start_time_seconds', help: 'Start time of the container since unix epoch in seconds', type: 'gauge', samples: [] },
    { name: 'node_cpu_usage_seconds_total', help: 'Cumulative cpu time consumed by the node in core-seconds', type: 'counter', samples: [] },
    { name: 'node_memory_working_set_bytes', help: 'Current working set of the node in bytes', type: 'gauge', samples: [] },
    { name: 'pod_cpu_usage_seconds_total', help: 'Cumulative cpu time consumed by the pod in core-seconds', type: 'counter', samples: [] },
    { name: 'pod_memory_working_set_bytes', help: 'Current working set of the pod in bytes', type: 'gauge', samples: [] },
    // 1 when the host's figures could not be had (no reading yet), as kubelet's when its summary fails.
    { name: 'resource_scrape_error', help: '1 if there was an error while getting container metrics, 0 otherwise', type: 'gauge', samples: [{ labels: [], value: stats ? 0 : 1 }] },
  ];
  const family = (name: string) => families.find((f) => f.name === name)!.samples;
  if (stats) {
    family('node_cpu_usage_seconds_total').push({ labels: [], value: stats.node.cpuCoreNanoSeconds / 1e9, at: stats.node.at });
    family('node_memory_working_set_bytes').push({ labels: [], value: stats.node.workingSetBytes, at: stats.node.at });
    for (const p of stats.pods) {
      const pod: Array<[string, string]> = [['namespace', p.namespace], ['pod', p.name]];
      for (const c of p.containers) {
        const labels: Array<[string, string]> = [['container', c.name], ...pod];
        if (c.startTime !== undefined && c.startTime > 0) family('container_start_time_seconds').push({ labels, value: c.startTime / 1000 });
        family('container_cpu_usage_seconds_total').push({ labels, value: c.cpuCoreNanoSeconds / 1e9, at: c.at });
        family('container_memory_working_set_bytes').push({ labels, value: c.workingSetBytes, at: c.at });
      }
      family('pod_cpu_usage_seconds_total').push({ labels: pod, value: p.usage.cpuCoreNanoSeconds / 1e9, at: p.usage.at });
      family('pod_memory_working_set_bytes').push({ labels: pod, value: p.usage.workingSetBytes, at: p.usage.at });
    }
  }
  return familiesText(families, '[STABLE] ');
}

/**
 * Counter and gauge families in Prometheus' text format 0.0.4, as the Go client writes a registry's: families by name
 * (`# HELP` with `helpPrefix`, the metric's stability in a Kubernetes registry), series by their label values, a
 * sample's time in ms after its value where it has one, and a family with no sample left out.
 */
export function familiesText(families: Family[], helpPrefix = ''): string {
  const lines: string[] = [];
  for (const f of [...families].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (f.samples.length === 0) continue;
    lines.push(`# HELP ${f.name} ${helpPrefix}${f.help}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of [...f.samples].sort(byLabelValues)) {
      lines.push(`${f.name}${labelText(s.labels)} ${goFloat(s.value)}${s.at !== undefined ? ` ${Math.round(s.at)}` : ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Orders series as Prometheus' Go client does: by their label values, label by label (labels in name order). */
export function byLabelValues(a: { labels: Labels }, b: { labels: Labels }): number {
  for (let i = 0; i < a.labels.length; i++) {
    const [x, y] = [a.labels[i][1], b.labels[i]?.[1] ?? ''];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
