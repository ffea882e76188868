import { startCluster, TestCluster } from '@openpacific/testing';
import { watchApi } from './api-watch';
import { Latencies } from './histogram';
import { BenchClient } from './https-client';
import { clusterCpu, cpuPerItem, settle } from './process-cpu';
import { Profiling } from './profiles';
import type { BenchContext } from './scenario';

const NS = 'bench-vms';
const GROUP = '/apis/vmoperator.vmware.com/v1alpha3';
const VMS_PATH = `${GROUP}/namespaces/${NS}/virtualmachines`;
/**
 * Concurrent create requests (BENCH_VMS_CREATORS): enough to keep the gateway busy, as `kubectl apply` of a large
 * list would not; 50 as in the burst, so the two scenarios' create rates compare (it was 20 until 2026-12-01).
 */
const CREATORS = Number(process.env.BENCH_VMS_CREATORS ?? 50);
/** Simulated hosts (SIM_FLEET_HOSTS) the VMs land on; BENCH_VMS_HOSTS changes it. */
const HOSTS = Number(process.env.BENCH_VMS_HOSTS ?? 3);
/** The bootstrap Secret the `released` VMs wait for. */
const GATE = 'bench-vms-boot';

const setup = [
  { path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } },
  { path: `${GROUP}/namespaces/${NS}/virtualmachineclasses`, body: { apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachineClass', metadata: { name: 'best-effort-small' }, spec: { hardware: { cpus: 1, memory: '1Gi' } } } },
  { path: `${GROUP}/namespaces/${NS}/virtualmachineimages`, body: { apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachineImage', metadata: { name: 'vmi-bench' }, spec: {} } },
];

const vm = (name: string, gated: boolean) => ({
  apiVersion: 'vmoperator.vmware.com/v1alpha3',
  kind: 'VirtualMachine',
  metadata: { name, namespace: NS },
  spec: {
    className: 'best-effort-small', imageName: 'vmi-bench', storageClass: 'vsan-default-storage-policy', powerState: 'PoweredOn',
    ...(gated ? { bootstrap: { cloudInit: { rawCloudConfig: { name: GATE, key: 'user-data' } } } } : {}),
  },
});

/**
 * One run: `count` VMs (v1alpha3, as written for the real VM Operator) POSTed by 20 concurrent clients; each
 * VM's latency runs from its start (its POST, or the release) to the watch event that shows it PoweredOn.
 * `created`: measured from the first POST, so the gateway's create rate is part of it. `released`: the VMs are
 * created naming a bootstrap Secret that does not exist (they wait unplaced), then the Secret is created and
 * the clock starts: every VM goes through vm-operator, scheduler and host at once, apart from the gateway.
 */
async function run(cluster: TestCluster, client: BenchClient, mode: 'created' | 'released', count: number, prefix: string = mode): Promise<Record<string, unknown>> {
  const startedAt = new Map<string, number>();
  const latencies = new Latencies();
  const poweredOn = new Set<string>();
  // Where the time goes: start→placed on a host (v1alpha3 status.host set) is the control plane's share.
  const placed = new Set<string>();
  const toPlaced = new Latencies();
  let lastAt = 0;
  let allOn!: () => void;
  const done = new Promise<void>((r) => (allOn = r));
  const watch = await watchApi(cluster.server, cluster.caCertPem, cluster.token, VMS_PATH, (_type, o) => {
    const name = o?.metadata?.name;
    if (!startedAt.has(name)) return;
    if ((o?.status?.host ?? o?.status?.nodeName) && !placed.has(name)) {
      placed.add(name);
      toPlaced.record(performance.now() - startedAt.get(name)!);
    }
    if (o?.status?.powerState !== 'PoweredOn' || poweredOn.has(name)) return;
    lastAt = performance.now();
    poweredOn.add(name);
    latencies.record(lastAt - startedAt.get(name)!);
    if (poweredOn.size === count) allOn();
    // Only events of placed VMs (v1alpha3 `status.host`) are parsed: the others say nothing the run counts,
    // and the client shares the cores it measures (the pod burst's watch parses only Running pods likewise).
  }, '"host":"');
  try {
    const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
    const createdAt = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CREATORS }, async () => {
        while (next < names.length) {
          const name = names[next++];
          if (mode === 'created') startedAt.set(name, performance.now());
          const res = await client.call('POST', VMS_PATH, vm(name, mode === 'released'));
          if (res.status !== 201) throw new Error(`create ${name}: HTTP ${res.status} ${res.body}`);
        }
      }),
    );
    const createdS = (performance.now() - createdAt) / 1000;
    let first = createdAt;
    if (mode === 'released') {
      first = performance.now();
      for (const name of names) startedAt.set(name, first);
      const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: GATE }, stringData: { 'user-data': '#cloud-config\n' } };
      const res = await client.call('POST', `/api/v1/namespaces/${NS}/secrets`, secret);
      if (res.status !== 201) throw new Error(`create Secret ${GATE}: HTTP ${res.status} ${res.body}`);
    }
    const timeoutMs = 60_000 + count * 1000;
    const late = await Promise.race([done.then(() => undefined), new Promise<string>((r) => setTimeout(() => r(names.find((n) => !poweredOn.has(n))!), timeoutMs).unref())]);
    if (late) {
      const status = (await client.call('GET', `${VMS_PATH}/${late}`)).body;
      throw new Error(`${mode}: ${count - poweredOn.size} of ${count} VMs not PoweredOn after ${timeoutMs} ms; created in ${createdS.toFixed(1)} s; ${late}: ${status}`);
    }
    const s = latencies.summary();
    const p = toPlaced.summary();
    const allS = (lastAt - first) / 1000;
    return { run: mode, VMs: count, hosts: HOSTS, creators: CREATORS, 'creates/s': +(count / createdS).toFixed(1), 'all PoweredOn (s)': +allS.toFixed(2), 'VMs/s': +(count / allS).toFixed(1), 'p50 ms': s.p50, 'p90 ms': s.p90, 'p99 ms': s.p99, 'max ms': s.max, 'placed p50 ms': p.p50, 'placed p99 ms': p.p99 };
  } finally {
    watch.close();
  }
}

/**
 * VMs: N VirtualMachines onto 3 simulated fleet hosts in one agent process (SIM_FLEET_HOSTS, no process host),
 * each VM a record in its host's in-memory hypervisor, with no guest process and zero boot delay, and room for
 * them all. Two runs (BENCH_VMS_RUNS=created,released by default): `created` end to end through the HTTPS API,
 * `released` the pipeline after the API (see `run`).
 */
export async function vmsBench(ctx: BenchContext): Promise<Record<string, unknown>[]> {
  const count = Number(process.env.BENCH_VMS ?? (ctx.smoke ? 10 : 500));
  const runs = (process.env.BENCH_VMS_RUNS ?? 'created,released').split(',').map((r) => r.trim());
  for (const r of runs) if (r !== 'created' && r !== 'released') throw new Error(`BENCH_VMS_RUNS: unknown run "${r}" (created, released)`);
  const profiling = new Profiling('vms');
  const cluster = await startCluster({
    label: 'benchvms',
    hostCount: 0,
    env: {
      SIM_FLEET_HOSTS: String(HOSTS), POD_NETWORK: 'loopback', HOST_CPU: '4000', HOST_MEMORY: '8Ti', HOST_PODS: '5000',
      // As the pod scale runs: on a shared machine a 3 s lease lost to a busy event loop would fail VMs over mid-run.
      HOST_GRACE_MS: '10000', POD_RESYNC_MS: '5000',
      ...profiling.clusterEnv(),
    },
  });
  const client = new BenchClient(cluster.server, cluster.caCertPem, cluster.token, CREATORS);
  try {
    await cluster.hostsReady(HOSTS, 180_000);
    for (const s of setup) {
      const res = await client.call('POST', s.path, s.body);
      if (res.status !== 201) throw new Error(`setup ${s.path}: HTTP ${res.status} ${res.body}`);
    }
    const rows: Record<string, unknown>[] = [];
    // A warm-up round first (BENCH_VMS_WARMUP, default 50; 0 for none), not counted: the first VMs of a fresh
    // cluster also pay for code that runs for the first time in every service (JIT, schema compiles, prepared
    // statements); a cluster in service has paid that long before. Its VMs stay, PoweredOn.
    const warmup = Number(process.env.BENCH_VMS_WARMUP ?? (ctx.smoke ? 0 : 50));
    await settle(cluster);
    if (warmup > 0) await run(cluster, client, 'created', warmup, 'warm-up');
    for (const mode of runs as ('created' | 'released')[]) {
      // CPU of every process over the run (services, Postgres backends, this client), per VM: on two full cores
      // that, not the wall clock, is what a change to the VM path moves by a measurable amount.
      profiling.start(cluster);
      const before = await clusterCpu(cluster);
      const row = await run(cluster, client, mode, count);
      const after = await clusterCpu(cluster);
      await profiling.finish(cluster, mode);
      rows.push({ ...row, ...cpuPerItem(before, after, count, 'VM') });
    }
    return rows;
  } finally {
    client.close();
    await cluster.stop();
  }
}
