import { parseQuantity } from '@openpacific/kube-api';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { kubectlJson, kubectlRaw, sampleOf } from './support/kubectl-json';

/**
 * kubelet's `/metrics/cadvisor` through `nodes/<name>/proxy`, read with the real kubectl as Prometheus' kubernetes
 * scrape config reads it: each host answers from what it sampled (METRICS_INTERVAL_MS=1000 here), in cadvisor's
 * families and labels.
 */
describe('nodes/<name>/proxy/metrics/cadvisor: cadvisor metrics of each host', () => {
  let cluster: TestCluster;
  let host: string;
  let pod: any;
  const raw = (path: string) => kubectlRaw(cluster, path);
  const cadvisor = (node: string) => raw(`/api/v1/nodes/${node}/proxy/metrics/cadvisor`);

  beforeAll(async () => {
    cluster = await startCluster({ label: 'cadvisor', hostCount: 2, env: { METRICS_INTERVAL_MS: '1000' } });
    await cluster.hostsReady(2, 120_000);
    const run = await cluster.kubectl(['run', 'busy', '--image=busybox', '--restart=Never', '--', 'sh', '-c', 'while :; do :; done']);
    expect(run.code).toBe(0);
    expect((await cluster.kubectl(['wait', '--for=condition=Ready', 'pod/busy', '--timeout=120s'])).code).toBe(0);
    pod = await kubectlJson(cluster, ['get', 'pod', 'busy']);
    host = pod.spec.nodeName;
  }, 240_000);
  afterAll(() => cluster?.stop(), 60_000);

  it("serves the busy pod's container CPU as a counter that rises between two scrapes", async () => {
    const id = pod.status.containerStatuses[0].containerID.replace(/^crx:\/\//, '');
    const cgroup = `/kubepods/${pod.status.qosClass.toLowerCase()}/pod${pod.metadata.uid}`;
    const series = `container_cpu_usage_seconds_total{container="busy",cpu="total",id="${cgroup}/${id}",image="busybox",name="${id}",namespace="default",pod="busy"}`;
    const first = await eventually(async () => {
      const text = await cadvisor(host);
      expect(sampleOf(text, series)).toBeGreaterThan(0);
      return text;
    }, { timeoutMs: 30_000, intervalMs: 1000 });
    expect(first).toContain('# HELP container_cpu_usage_seconds_total Cumulative cpu time consumed in seconds.\n# TYPE container_cpu_usage_seconds_total counter\n');
    expect(first.split('\n').find((l) => l.startsWith(`${series} `))).toMatch(/ \d{13}$/);
    // The pod's cgroup (no container) and the host's root cgroup, as kubelet exposes them.
    expect(sampleOf(first, `container_cpu_usage_seconds_total{container="",cpu="total",id="${cgroup}",image="",name="",namespace="default",pod="busy"}`)).toBeGreaterThan(0);
    expect(sampleOf(first, 'container_cpu_usage_seconds_total{container="",cpu="total",id="/",image="",name="",namespace="",pod=""}')).toBeGreaterThan(0);
    expect(first).toMatch(new RegExp(`^container_memory_working_set_bytes\\{container="busy",id="${cgroup}/${id}",.*\\} \\S+ \\d{13}$`, 'm'));
    expect(first).toMatch(new RegExp(`^container_start_time_seconds\\{container="busy",id="${cgroup}/${id}",.*\\} \\S+$`, 'm'));
    expect(first).toMatch(/^container_last_seen\{container="busy",.*\} \S+ \d{13}$/m);
    expect(sampleOf(first, 'container_scrape_error')).toBe(0);
    const before = sampleOf(first, series)!;
    await eventually(async () => expect(sampleOf(await cadvisor(host), series)).toBeGreaterThan(before), { timeoutMs: 15_000, intervalMs: 1000 });
  }, 60_000);

  it("serves each host's machine_cpu_cores and machine_memory_bytes as its Node's capacity, labelled with its nodeInfo ids", async () => {
    const nodes = (await kubectlJson(cluster, ['get', 'nodes'])).items;
    expect(nodes).toHaveLength(2);
    for (const node of nodes) {
      const text = await cadvisor(node.metadata.name);
      const { bootID, machineID, systemUUID, kernelVersion, osImage } = node.status.nodeInfo;
      const ids = `{boot_id="${bootID}",machine_id="${machineID}",system_uuid="${systemUUID}"}`;
      expect(sampleOf(text, `machine_cpu_cores${ids}`)).toBe(parseQuantity(node.status.capacity.cpu));
      expect(text).toContain('# HELP machine_cpu_cores Number of logical CPU cores.\n# TYPE machine_cpu_cores gauge\n');
      expect(sampleOf(text, `machine_memory_bytes${ids}`)).toBe(parseQuantity(node.status.capacity.memory));
      expect(sampleOf(text, `cadvisor_version_info{cadvisorRevision="",cadvisorVersion="",dockerVersion="",kernelVersion="${kernelVersion}",osVersion="${osImage}"}`)).toBe(1);
      expect(sampleOf(text, 'machine_scrape_error')).toBe(0);
    }
  });
});
