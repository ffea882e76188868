import { cadvisorMetrics, MachineDescription, podCgroup } from './cadvisor-metrics';
import type { HostStats } from './host-stats';

const T = Date.parse('2026-12-05T10:00:10Z');
const machine: MachineDescription = {
  capacity: { cpu: '4', memory: '8Gi' },
  nodeInfo: { machineID: 'm1', systemUUID: 's1', bootID: 'b1', kernelVersion: '6.1.0', osImage: 'Debian GNU/Linux 12 (bookworm)' },
};
const stats: HostStats = {
  nodeName: 'esx-1',
  startTime: Date.parse('2026-12-05T10:00:00Z'),
  node: { at: T, cpuCoreNanoSeconds: 8.7e9, workingSetBytes: 26 << 20 },
  pods: [{
    namespace: 'default', name: 'web', uid: 'u1', startTime: Date.parse('2026-12-05T09:59:29.600Z'), qosClass: 'Burstable',
    containers: [
      { name: 'main', id: 'c1', image: 'busybox', startTime: Date.parse('2026-12-05T09:59:30.900Z'), at: T, cpuCoreNanoSeconds: 3.5e9, workingSetBytes: 6 << 20 },
      // A container that has used no CPU yet: cadvisor writes no CPU series for it.
      { name: 'idle', id: 'c2', at: T - 500, cpuCoreNanoSeconds: 0, workingSetBytes: 1 << 20 },
    ],
    usage: { at: T, cpuCoreNanoSeconds: 4e9, workingSetBytes: 7 << 20 },
  }],
};
const lines = (text: string, name: string) => text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));

describe("kubelet's cadvisor metrics text", () => {
  const text = cadvisorMetrics(stats, machine, T + 2_345);

  it("writes the root's, the pod's and each container's CPU with cadvisor's labels, stamped with when they were read", () => {
    expect(text).toContain('# HELP container_cpu_usage_seconds_total Cumulative cpu time consumed in seconds.\n# TYPE container_cpu_usage_seconds_total counter\n');
    expect(lines(text, 'container_cpu_usage_seconds_total')).toEqual([
      `container_cpu_usage_seconds_total{container="",cpu="total",id="/",image="",name="",namespace="",pod=""} 8.7 ${T}`,
      `container_cpu_usage_seconds_total{container="",cpu="total",id="/kubepods/burstable/podu1",image="",name="",namespace="default",pod="web"} 4 ${T}`,
      `container_cpu_usage_seconds_total{container="main",cpu="total",id="/kubepods/burstable/podu1/c1",image="busybox",name="c1",namespace="default",pod="web"} 3.5 ${T}`,
    ]);
  });

  it('writes working sets stamped, start times to the second unstamped, and when each cgroup was last seen', () => {
    expect(lines(text, 'container_memory_working_set_bytes')).toEqual([
      `container_memory_working_set_bytes{container="",id="/",image="",name="",namespace="",pod=""} 2.7262976e+07 ${T}`,
      `container_memory_working_set_bytes{container="",id="/kubepods/burstable/podu1",image="",name="",namespace="default",pod="web"} 7.340032e+06 ${T}`,
      `container_memory_working_set_bytes{container="idle",id="/kubepods/burstable/podu1/c2",image="",name="c2",namespace="default",pod="web"} 1.048576e+06 ${T - 500}`,
      `container_memory_working_set_bytes{container="main",id="/kubepods/burstable/podu1/c1",image="busybox",name="c1",namespace="default",pod="web"} 6.291456e+06 ${T}`,
    ]);
    expect(lines(text, 'container_start_time_seconds')).toEqual([
      'container_start_time_seconds{container="",id="/",image="",name="",namespace="",pod=""} 1.7964648e+09',
      'container_start_time_seconds{container="",id="/kubepods/burstable/podu1",image="",name="",namespace="default",pod="web"} 1.796464769e+09',
      'container_start_time_seconds{container="main",id="/kubepods/burstable/podu1/c1",image="busybox",name="c1",namespace="default",pod="web"} 1.79646477e+09',
    ]);
    expect(lines(text, 'container_last_seen')).toHaveLength(4);
    expect(lines(text, 'container_last_seen')[0]).toBe(`container_last_seen{container="",id="/",image="",name="",namespace="",pod=""} 1.796464812e+09 ${T + 2_345}`);
  });

  it("writes the machine's logical CPUs and memory with its ids, the version info, and no scrape errors, families by name", () => {
    expect(text).toContain('# HELP machine_cpu_cores Number of logical CPU cores.\n# TYPE machine_cpu_cores gauge\n'
      + `machine_cpu_cores{boot_id="b1",machine_id="m1",system_uuid="s1"} 4 ${T}\n`);
    expect(text).toContain(`machine_memory_bytes{boot_id="b1",machine_id="m1",system_uuid="s1"} 8.589934592e+09 ${T}\n`);
    expect(text).toContain('cadvisor_version_info{cadvisorRevision="",cadvisorVersion="",dockerVersion="",kernelVersion="6.1.0",osVersion="Debian GNU/Linux 12 (bookworm)"} 1\n');
    expect(text).toContain('\ncontainer_scrape_error 0\n');
    expect(text.endsWith('# TYPE machine_scrape_error gauge\nmachine_scrape_error 0\n')).toBe(true);
    expect(text.split('\n').filter((l) => l.startsWith('# TYPE')).map((l) => l.split(' ')[2])).toEqual([
      'cadvisor_version_info', 'container_cpu_usage_seconds_total', 'container_last_seen', 'container_memory_working_set_bytes', 'container_scrape_error',
      'container_start_time_seconds', 'machine_cpu_cores', 'machine_memory_bytes', 'machine_scrape_error',
    ]);
  });

  it("says so before the host's first reading: container_scrape_error 1 and no container series, the machine's unstamped", () => {
    const fresh = cadvisorMetrics(undefined, machine, T);
    expect(fresh).toContain('\ncontainer_scrape_error 1\n');
    expect(fresh).not.toMatch(/^container_(cpu|memory|start|last)/m);
    expect(fresh).toContain('machine_cpu_cores{boot_id="b1",machine_id="m1",system_uuid="s1"} 4\n');
  });

  it("names a pod's cgroup by its QoS class as kubelet's cgroupfs driver does", () => {
    expect(podCgroup({ uid: 'u', qosClass: 'Guaranteed' })).toBe('/kubepods/podu');
    expect(podCgroup({ uid: 'u', qosClass: 'BestEffort' })).toBe('/kubepods/besteffort/podu');
    expect(podCgroup({ uid: 'u' })).toBe('/kubepods/besteffort/podu');
  });
});
