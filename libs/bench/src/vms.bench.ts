import { startCluster } from '@openpacific/testing';
import { watchApi } from './api-watch';
import { Latencies } from './histogram';
import { BenchClient } from './https-client';
import type { BenchContext } from './scenario';

const NS = 'bench-vms';
const GROUP = '/apis/vmoperator.vmware.com/v1alpha3';
/** Concurrent create requests: enough to keep the gateway busy, as `kubectl apply` of a large list would not. */
const CREATORS = 20;

const setup = [
  { path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } },
  { path: `${GROUP}/namespaces/${NS}/virtualmachineclasses`, body: { apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachineClass', metadata: { name: 'best-effort-small' }, spec: { hardware: { cpus: 1, memory: '1Gi' } } } },
  { path: `${GROUP}/namespaces/${NS}/virtualmachineimages`, body: { apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachineImage', metadata: { name: 'vmi-bench' }, spec: {} } },
];

const vm = (name: string) => ({
  apiVersion: 'vmoperator.vmware.com/v1alpha3',
  kind: 'VirtualMachine',
  metadata: { name, namespace: NS },
  spec: { className: 'best-effort-small', imageName: 'vmi-bench', storageClass: 'vsan-default-storage-policy', powerState: 'PoweredOn' },
});

/**
 * VMs: N VirtualMachines (v1alpha3, as written for the real VM Operator) created over the HTTPS API
 * by 20 concurrent clients onto 3 sim hosts with zero boot delay and room for them all; each VM's
 * create→PoweredOn is from just before its POST to the watch event that shows it PoweredOn.
 */
export async function vmsBench(ctx: BenchContext): Promise<Record<string, unknown>[]> {
  const count = Number(process.env.BENCH_VMS ?? (ctx.smoke ? 10 : 500));
  const cluster = await startCluster({
    label: 'benchvms',
    env: { CRX_DRIVER: 'sim', POD_NETWORK: 'loopback', SIM_VM_BOOT_MS: '0', HOST_CPU: '4000', HOST_MEMORY: '8Ti', HOST_PODS: '5000' },
  });
  const client = new BenchClient(cluster.server, cluster.caCertPem, cluster.token, CREATORS);
  try {
    await cluster.hostsReady(3);
    for (const s of setup) {
      const res = await client.call('POST', s.path, s.body);
      if (res.status !== 201) throw new Error(`setup ${s.path}: HTTP ${res.status} ${res.body}`);
    }
    const startedAt = new Map<string, number>();
    const latencies = new Latencies();
    const poweredOn = new Set<string>();
    // Where the time goes: create→placed on a host (v1alpha3 status.host set) is the control plane's share.
    const placed = new Set<string>();
    const toPlaced = new Latencies();
    let lastAt = 0;
    let allOn!: () => void;
    const done = new Promise<void>((r) => (allOn = r));
    const watch = await watchApi(cluster.server, cluster.caCertPem, cluster.token, `${GROUP}/namespaces/${NS}/virtualmachines`, (_type, o) => {
      const name = o?.metadata?.name;
      if ((o?.status?.host ?? o?.status?.nodeName) && startedAt.has(name) && !placed.has(name)) {
        placed.add(name);
        toPlaced.record(performance.now() - startedAt.get(name)!);
      }
      if (o?.status?.powerState !== 'PoweredOn' || poweredOn.has(name) || !startedAt.has(name)) return;
      lastAt = performance.now();
      poweredOn.add(name);
      latencies.record(lastAt - startedAt.get(name)!);
      if (poweredOn.size === count) allOn();
    });
    try {
      const names = Array.from({ length: count }, (_, i) => `vm-${i}`);
      const first = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: CREATORS }, async () => {
          while (next < names.length) {
            const name = names[next++];
            startedAt.set(name, performance.now());
            const res = await client.call('POST', `${GROUP}/namespaces/${NS}/virtualmachines`, vm(name));
            if (res.status !== 201) throw new Error(`create ${name}: HTTP ${res.status} ${res.body}`);
          }
        }),
      );
      const createdS = (performance.now() - first) / 1000;
      const timeoutMs = 60_000 + count * 1000;
      const late = await Promise.race([done.then(() => undefined), new Promise<string>((r) => setTimeout(() => r(names.find((n) => !poweredOn.has(n))!), timeoutMs).unref())]);
      if (late) {
        const status = (await client.call('GET', `${GROUP}/namespaces/${NS}/virtualmachines/${late}`)).body;
        throw new Error(`${count - poweredOn.size} of ${count} VMs not PoweredOn after ${timeoutMs} ms; created in ${createdS.toFixed(1)} s; ${late}: ${status}`);
      }
      const s = latencies.summary();
      const p = toPlaced.summary();
      const allS = (lastAt - first) / 1000;
      return [{ VMs: count, hosts: 3, creators: CREATORS, 'creates/s': Math.round(count / createdS), 'all PoweredOn (s)': +allS.toFixed(2), 'VMs/s': Math.round(count / allS), 'p50 ms': s.p50, 'p90 ms': s.p90, 'p99 ms': s.p99, 'max ms': s.max, 'placed p50 ms': p.p50, 'placed p99 ms': p.p99 }];
    } finally {
      watch.close();
    }
  } finally {
    client.close();
    await cluster.stop();
  }
}
