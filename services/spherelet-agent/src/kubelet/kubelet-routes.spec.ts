import type { ContainerStats, KubeletRequest } from '@openpacific/contracts';
import { loadConfig } from '@openpacific/service-kit';
import { SimRuntime } from '../fleet/sim-runtime';
import { hostDescription } from '../host/host-spec';
import { HostUsageRates } from '../metrics/usage-rates';
import { ProbeMetrics } from '../pods/probe-metrics';
import { configSchema, SphereletAgentConfig } from '../spherelet-agent.config';
import { kubeletConfiguration } from './kubelet-configz';
import { kubeletAnswer, KubeletHost } from './kubelet-routes';

const T0 = Date.parse('2026-12-05T10:00:00Z');
const running = (id: string, pod: string, cpuSeconds: number, memory: number, at: number): ContainerStats => ({
  id, name: 'main', sandboxId: `sb-${pod}`, pod: { namespace: 'default', name: pod, uid: `uid-${pod}` },
  cpuUsageCoreNanoSeconds: cpuSeconds * 1e9, memoryWorkingSetBytes: memory, timestamp: at, startedAt: '2026-12-05T09:59:30.000Z',
});
const pod = (name: string) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}` },
  spec: { nodeName: 'esx-1', containers: [{ name: 'main', image: 'busybox' }] },
  status: { phase: 'Running', startTime: '2026-12-05T09:59:29Z' },
});

/** A host whose usage was read twice, 10 s apart: `web` used 2.5 s of CPU in between, the agent and runtime a little. */
function host(config: SphereletAgentConfig = loadConfig<SphereletAgentConfig>(configSchema, { HOST_NAME: 'esx-1', HOST_MEMORY: '1Gi' })): KubeletHost {
  const rates = new HostUsageRates('esx-1');
  const self = (cpuSeconds: number, at: number) => ({ cpuUsageCoreNanoSeconds: cpuSeconds * 1e9, memoryWorkingSetBytes: 10 << 20, timestamp: at });
  rates.next({ timestamp: T0, items: [running('c1', 'web', 1, 4 << 20, T0)], runtime: self(2, T0), agent: self(3, T0) });
  rates.next({ timestamp: T0 + 10_000, items: [running('c1', 'web', 3.5, 6 << 20, T0 + 10_000)], runtime: self(2.1, T0 + 10_000), agent: self(3.1, T0 + 10_000) });
  const description = hostDescription(config, undefined, '0b5c3a6e-2f1d-4c8b-9e7a-5d4c3b2a1f00');
  return {
    name: 'esx-1',
    pods: () => [pod('web')],
    usage: () => rates.latest,
    configuration: kubeletConfiguration(config, { clusterDns: '10.96.0.10', taints: description.taints }),
    memoryCapacityBytes: 1 << 30,
    machine: description,
    probes: () => undefined,
    runtime: new SimRuntime(1),
  };
}
const ask = (h: KubeletHost, path: string, query = '', method = 'GET') => kubeletAnswer({ method, path, query } as KubeletRequest, h);

describe("a host's kubelet API", () => {
  it('answers /healthz with ok as plain text, its checks one by one, and all of them with ?verbose', () => {
    expect(ask(host(), '/healthz')).toEqual({ status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }, body: 'ok' });
    expect(ask(host(), '/healthz/syncloop').body).toBe('ok');
    expect(ask(host(), '/healthz', 'verbose').body).toBe('[+]ping ok\n[+]log ok\n[+]syncloop ok\nhealthz check passed\n');
    expect(ask(host(), '/healthz/nope').status).toBe(404);
  });

  it('lists the pods the host runs as a v1 PodList', () => {
    const answer = ask(host(), '/pods');
    expect(answer.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(answer.body)).toEqual({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [pod('web')] });
  });

  it("serves the Summary API from the host's latest reading, with kubelet's field names", () => {
    const summary = JSON.parse(ask(host(), '/stats/summary', 'only_cpu_and_memory=true').body);
    const at = '2026-12-05T10:00:10Z';
    expect(summary).toEqual({
      node: {
        nodeName: 'esx-1',
        startTime: '2026-12-05T10:00:00Z',
        // All the host used by the first reading (1 + 2 + 3 s), and what it used since (2.5 + 0.1 + 0.1 s).
        cpu: { time: at, usageNanoCores: 270_000_000, usageCoreNanoSeconds: 8_700_000_000 },
        memory: { time: at, availableBytes: (1 << 30) - (26 << 20), workingSetBytes: 26 << 20 },
      },
      pods: [{
        podRef: { name: 'web', namespace: 'default', uid: 'uid-web' },
        startTime: '2026-12-05T09:59:29Z',
        containers: [{ name: 'main', startTime: '2026-12-05T09:59:30Z', cpu: { time: at, usageNanoCores: 250_000_000, usageCoreNanoSeconds: 3_500_000_000 }, memory: { time: at, workingSetBytes: 6 << 20 } }],
        cpu: { time: at, usageNanoCores: 250_000_000, usageCoreNanoSeconds: 3_500_000_000 },
        memory: { time: at, workingSetBytes: 6 << 20 },
      }],
    });
  });

  it('serves the resource metrics in Prometheus text, stamped with when each figure was read', () => {
    const answer = ask(host(), '/metrics/resource');
    expect(answer.headers['Content-Type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const ms = T0 + 10_000;
    expect(answer.body).toContain(`# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds\n# TYPE container_cpu_usage_seconds_total counter\ncontainer_cpu_usage_seconds_total{container="main",namespace="default",pod="web"} 3.5 ${ms}\n`);
    expect(answer.body).toContain(`container_start_time_seconds{container="main",namespace="default",pod="web"} 1.79646477e+09\n`);
    expect(answer.body).toContain(`node_cpu_usage_seconds_total 8.7 ${ms}\n`);
    expect(answer.body).toContain(`pod_memory_working_set_bytes{namespace="default",pod="web"} 6.291456e+06 ${ms}\n`);
    expect(answer.body.endsWith('# TYPE resource_scrape_error gauge\nresource_scrape_error 0\n')).toBe(true);
  });

  it("serves cadvisor's metrics of the host's cgroups and machine in Prometheus text, its Node's capacity as machine_cpu_cores", () => {
    const h = host(loadConfig<SphereletAgentConfig>(configSchema, { HOST_NAME: 'esx-1', HOST_MEMORY: '1Gi', HOST_CPU: '6' }));
    const answer = ask(h, '/metrics/cadvisor');
    expect(answer).toMatchObject({ status: 200, headers: { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' } });
    const ms = T0 + 10_000;
    const { bootID, machineID, systemUUID } = h.machine!.nodeInfo;
    expect(answer.body).toContain(`\nmachine_cpu_cores{boot_id="${bootID}",machine_id="${machineID}",system_uuid="${systemUUID}"} 6 ${ms}\n`);
    expect(answer.body).toContain(`\nmachine_memory_bytes{boot_id="${bootID}",machine_id="${machineID}",system_uuid="${systemUUID}"} 1.073741824e+09 ${ms}\n`);
    // The pod has no QoS class in its status here: a BestEffort pod's cgroup.
    expect(answer.body).toContain(`\ncontainer_cpu_usage_seconds_total{container="main",cpu="total",id="/kubepods/besteffort/poduid-web/c1",image="busybox",name="c1",namespace="default",pod="web"} 3.5 ${ms}\n`);
    expect(answer.body).toContain(`\ncontainer_cpu_usage_seconds_total{container="",cpu="total",id="/",image="",name="",namespace="",pod=""} 8.7 ${ms}\n`);
    expect(answer.body).toContain('\ncontainer_scrape_error 0\n');
    expect(ask({ ...h, usage: () => undefined }, '/metrics/cadvisor').body).toContain('\ncontainer_scrape_error 1\n');
  });

  it("serves the prober metrics of the host's pod worker in Prometheus text, and only the process start before any probe ran", () => {
    const metrics = new ProbeMetrics();
    metrics.observe({ namespace: 'default', pod: 'web', podUid: 'uid-web', container: 'main' }, 'liveness', 'failed', 1.01);
    const answer = ask({ ...host(), probes: () => metrics.snapshot() }, '/metrics/probes');
    expect(answer).toMatchObject({ status: 200, headers: { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' } });
    expect(answer.body).toMatch(/^# HELP process_start_time_seconds \[ALPHA\] Start time of the process since unix epoch in seconds\.\n# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds \S+\n/);
    expect(answer.body).toContain('\nprober_probe_total{container="main",namespace="default",pod="web",pod_uid="uid-web",probe_type="Liveness",result="failed"} 1\n');
    expect(ask(host(), '/metrics/probes').body).not.toContain('prober_');
  });

  it('shows in /configz the KubeletConfiguration fields the agent really sets', () => {
    const config = loadConfig<SphereletAgentConfig>(configSchema, { HOST_NAME: 'esx-1', HOST_PODS: '40', POD_RESYNC_MS: '5000', HOST_TAINTS: 'gpu:NoSchedule' });
    expect(JSON.parse(ask(host(config), '/configz').body)).toEqual({
      kubeletconfig: {
        syncFrequency: '5s', clusterDomain: 'cluster.local', clusterDNS: ['10.96.0.10'], maxPods: 40, resolvConf: '/etc/resolv.conf',
        registerWithTaints: [{ key: 'gpu', effect: 'NoSchedule' }], registerNode: true,
      },
    });
  });

  it("answers what it does not serve with kubelet's 404s, and other methods on its GET routes with 405", () => {
    expect(ask(host(), '/')).toMatchObject({ status: 404, body: '404 page not found\n' });
    expect(ask(host(), '/metrics/cadvisor/')).toMatchObject({ status: 404, body: '404 page not found\n' });
    expect(ask(host(), '/stats/container')).toMatchObject({ status: 404, body: '404: Page Not Found' });
    expect(ask(host(), '/pods', '', 'POST')).toMatchObject({ status: 405, body: '405: Method Not Allowed' });
  });

  it('says so before its first reading: a 500 for the summary, resource_scrape_error 1 and no figures in the metrics', () => {
    const fresh = { ...host(), usage: () => undefined };
    expect(ask(fresh, '/stats/summary')).toMatchObject({ status: 500, body: 'Internal Error: the host has not read its usage yet' });
    expect(ask(fresh, '/metrics/resource').body).toBe('# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise\n# TYPE resource_scrape_error gauge\nresource_scrape_error 1\n');
  });
});
