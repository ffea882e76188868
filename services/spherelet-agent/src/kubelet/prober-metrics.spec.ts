import { ProbeMetrics } from '../pods/probe-metrics';
import { proberMetrics, processStartSeconds } from './prober-metrics';

const web = { namespace: 'default', pod: 'web', podUid: 'uid-web', container: 'app' };

describe("kubelet's prober metrics text (/metrics/probes)", () => {
  it("writes kubelet 1.32's families: names, [ALPHA] help, label order, default buckets, Go numbers", () => {
    const metrics = new ProbeMetrics();
    metrics.observe(web, 'liveness', 'failed', 1.002);
    metrics.observe(web, 'liveness', 'failed', 1.004);
    metrics.observe(web, 'readiness', 'successful', 0.003);
    metrics.observe(web, 'readiness', 'successful', 0.3);
    metrics.observe({ ...web, pod: 'api', podUid: 'uid-api' }, 'startup', 'successful', 12);
    expect(proberMetrics(metrics.snapshot(), 1733392800.25)).toBe([
      '# HELP process_start_time_seconds [ALPHA] Start time of the process since unix epoch in seconds.',
      '# TYPE process_start_time_seconds gauge',
      'process_start_time_seconds 1.73339280025e+09',
      '# HELP prober_probe_duration_seconds [ALPHA] Duration in seconds for a probe response.',
      '# TYPE prober_probe_duration_seconds histogram',
      ...['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10'].map((le) => `prober_probe_duration_seconds_bucket{container="app",namespace="default",pod="api",probe_type="Startup",le="${le}"} 0`),
      'prober_probe_duration_seconds_bucket{container="app",namespace="default",pod="api",probe_type="Startup",le="+Inf"} 1',
      'prober_probe_duration_seconds_sum{container="app",namespace="default",pod="api",probe_type="Startup"} 12',
      'prober_probe_duration_seconds_count{container="app",namespace="default",pod="api",probe_type="Startup"} 1',
      ...[['0.005', 1], ['0.01', 1], ['0.025', 1], ['0.05', 1], ['0.1', 1], ['0.25', 1], ['0.5', 2], ['1', 2], ['2.5', 2], ['5', 2], ['10', 2], ['+Inf', 2]]
        .map(([le, n]) => `prober_probe_duration_seconds_bucket{container="app",namespace="default",pod="web",probe_type="Readiness",le="${le}"} ${n}`),
      'prober_probe_duration_seconds_sum{container="app",namespace="default",pod="web",probe_type="Readiness"} 0.303',
      'prober_probe_duration_seconds_count{container="app",namespace="default",pod="web",probe_type="Readiness"} 2',
      '# HELP prober_probe_total [ALPHA] Cumulative number of a liveness, readiness or startup probe for a container by result.',
      '# TYPE prober_probe_total counter',
      'prober_probe_total{container="app",namespace="default",pod="api",pod_uid="uid-api",probe_type="Startup",result="successful"} 1',
      'prober_probe_total{container="app",namespace="default",pod="web",pod_uid="uid-web",probe_type="Liveness",result="failed"} 2',
      'prober_probe_total{container="app",namespace="default",pod="web",pod_uid="uid-web",probe_type="Readiness",result="successful"} 2',
      '',
    ].join('\n'));
  });

  it('has only the process start time while no probe ran, and drops a pod\'s series when it goes', () => {
    const metrics = new ProbeMetrics();
    const empty = '# HELP process_start_time_seconds [ALPHA] Start time of the process since unix epoch in seconds.\n# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds 1.7e+09\n';
    expect(proberMetrics(undefined, 1.7e9)).toBe(empty);
    metrics.observe(web, 'liveness', 'successful', 0.01);
    expect(proberMetrics(metrics.snapshot(), 1.7e9)).toContain('prober_probe_total{');
    metrics.forgetPod('uid-web');
    expect(proberMetrics(metrics.snapshot(), 1.7e9)).toBe(empty);
  });

  it("says when this process started, to the hundredth of a second, before now", () => {
    const started = processStartSeconds();
    expect(started).toBeLessThanOrEqual(Date.now() / 1000);
    expect(String(started)).toMatch(/^\d+(\.\d{1,2})?$/);
  });
});
