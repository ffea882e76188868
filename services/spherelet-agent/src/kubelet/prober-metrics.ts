import { PROBE_DURATION_BUCKETS, ProbeMetricsSnapshot } from '../pods/probe-metrics';
import { probeTypeName } from '../pods/probe-tracker';
import { byLabelValues, goFloat, type Labels, labelText } from './resource-metrics';

/**
 * kubelet's `/metrics/probes` (its prober registry: the process's start time, ProberResults and ProberDuration) in
 * Prometheus' text format 0.0.4, as the Go client writes it: families by name, each `[ALPHA]` in kubelet 1.32,
 * labels by name, series by their label values, a family with no series left out. `prober_probe_total` counts each
 * container's probe runs by `result`; `prober_probe_duration_seconds` is the histogram of the successful (and unknown)
 * runs' durations over the Go client's default buckets, without `pod_uid` and `result` (kubelet's labels).
 */
export function proberMetrics(snapshot: ProbeMetricsSnapshot | undefined, processStartSeconds: number): string {
  const lines: string[] = [
    '# HELP process_start_time_seconds [ALPHA] Start time of the process since unix epoch in seconds.',
    '# TYPE process_start_time_seconds gauge',
    `process_start_time_seconds ${goFloat(processStartSeconds)}`,
  ];
  const durations = (snapshot?.durations ?? []).map((d) => ({
    d,
    labels: [['container', d.owner.container], ['namespace', d.owner.namespace], ['pod', d.owner.pod], ['probe_type', probeTypeName(d.kind)]] as Labels,
  }));
  if (durations.length) {
    lines.push('# HELP prober_probe_duration_seconds [ALPHA] Duration in seconds for a probe response.', '# TYPE prober_probe_duration_seconds histogram');
    for (const { d, labels } of durations.sort(byLabelValues)) {
      let cumulative = 0;
      PROBE_DURATION_BUCKETS.forEach((bound, i) => {
        cumulative += d.buckets[i] ?? 0;
        lines.push(`prober_probe_duration_seconds_bucket${labelText([...labels, ['le', goFloat(bound)]])} ${goFloat(cumulative)}`);
      });
      lines.push(`prober_probe_duration_seconds_bucket${labelText([...labels, ['le', '+Inf']])} ${goFloat(d.count)}`);
      lines.push(`prober_probe_duration_seconds_sum${labelText(labels)} ${goFloat(d.sum)}`);
      lines.push(`prober_probe_duration_seconds_count${labelText(labels)} ${goFloat(d.count)}`);
    }
  }
  const totals = (snapshot?.totals ?? []).map((t) => ({
    t,
    labels: [
      ['container', t.owner.container], ['namespace', t.owner.namespace], ['pod', t.owner.pod], ['pod_uid', t.owner.podUid],
      ['probe_type', probeTypeName(t.kind)], ['result', t.result],
    ] as Labels,
  }));
  if (totals.length) {
    lines.push('# HELP prober_probe_total [ALPHA] Cumulative number of a liveness, readiness or startup probe for a container by result.', '# TYPE prober_probe_total counter');
    for (const { t, labels } of totals.sort(byLabelValues)) lines.push(`prober_probe_total${labelText(labels)} ${goFloat(t.count)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** When this process started, in seconds since the epoch to the hundredth (what the Go client reads from /proc: clock ticks). */
export function processStartSeconds(): number {
  return Math.round(Date.now() / 10 - process.uptime() * 100) / 100;
}
