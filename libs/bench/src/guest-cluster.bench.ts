import { startCluster } from '@openpacific/testing';
import type { BenchContext } from './scenario';

const NS = 'bench-tkg';

/** The classes and release images a TKC needs in its namespace. */
const namespaceObjects = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
  { apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachineClass', metadata: { name: 'best-effort-small', namespace: NS }, spec: { hardware: { cpus: 1, memory: '1Gi' } } },
  { apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachineImage', metadata: { name: 'ob-22-tkr-v1-29', namespace: NS, annotations: { 'vmoperator.openpacific.io/guest-ports': '22,6443' } }, spec: {} },
];

function tkc(name: string, workers: number) {
  return {
    apiVersion: 'run.tanzu.vmware.com/v1alpha3',
    kind: 'TanzuKubernetesCluster',
    metadata: { name, namespace: NS },
    spec: {
      topology: {
        controlPlane: { replicas: 1, vmClass: 'best-effort-small', storageClass: 'vsan-default-storage-policy', tkr: { reference: { name: 'ob-22-tkr-v1-29' } } },
        nodePools: [{ name: 'workers', replicas: workers, vmClass: 'best-effort-small', storageClass: 'vsan-default-storage-policy' }],
      },
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Guest cluster: a TKC with 1 control plane and 3 workers, from `kubectl apply` to `Ready=True` (every machine's
 * node Ready in the guest's own API), with zero VM boot delay, on the real local cluster. Each run creates a new
 * TKC and deletes it afterwards; the rows are the runs, then their median. Smoke: one run, one worker.
 */
export async function guestClusterBench(ctx: BenchContext): Promise<Record<string, unknown>[]> {
  const runs = Number(process.env.BENCH_GUEST_RUNS ?? (ctx.smoke ? 1 : 3));
  const workers = ctx.smoke ? 1 : 3;
  const cluster = await startCluster({ label: 'benchguest', env: { SIM_VM_BOOT_MS: '0', HOST_REBOOT_DELAY_MS: '0' } });
  const rows: Record<string, unknown>[] = [];
  try {
    await cluster.hostsReady(3);
    const applied = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: namespaceObjects }) });
    if (applied.code !== 0) throw new Error(`kubectl apply failed: ${applied.stderr}`);
    const path = (name: string) => `/apis/run.tanzu.vmware.com/v1alpha3/namespaces/${NS}/tanzukubernetesclusters/${name}`;
    for (let i = 1; i <= runs; i++) {
      const name = `bench-${i}`;
      const started = Date.now();
      const created = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(tkc(name, workers)) });
      if (created.code !== 0) throw new Error(`kubectl apply failed: ${created.stderr}`);
      let endpointAt: number | undefined;
      for (;;) {
        const t = (await cluster.request('GET', path(name))).json();
        if (!endpointAt && t.status?.apiEndpoints?.length) endpointAt = Date.now();
        if ((t.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')) break;
        if (Date.now() - started > 180_000) throw new Error(`${name} not Ready after 180 s: ${JSON.stringify(t.status)}`);
        await sleep(100);
      }
      const readyMs = Date.now() - started;
      rows.push({ run: i, controlPlanes: 1, workers, 'endpoint (ms)': endpointAt ? endpointAt - started : undefined, 'Ready (ms)': readyMs });
      const deleted = await cluster.kubectl(['delete', 'tkc', name, '-n', NS, '--wait=true', '--timeout=120s']);
      if (deleted.code !== 0) throw new Error(`kubectl delete failed: ${deleted.stderr}`);
    }
  } finally {
    await cluster.stop();
  }
  const ready = rows.map((r) => r['Ready (ms)'] as number).sort((a, b) => a - b);
  rows.push({ run: 'median', controlPlanes: 1, workers, 'Ready (ms)': ready[Math.floor(ready.length / 2)] });
  return rows;
}
