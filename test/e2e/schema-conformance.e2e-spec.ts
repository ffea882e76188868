import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { checkInvariants, describeSchemaViolation, eventually, startCluster, TestCluster } from '@openpacific/testing';
import { TKC_NAMESPACE } from './support/guest-cluster';
import { conditionOf, kubectlApply, kubectlJson } from './support/kubectl-json';

/**
 * Every object the system writes, whoever writes it (the gateway, or a controller straight into the log), has the
 * shape its kind's schema serves: after a broad mix of workloads, VMs and a guest cluster settled, the invariant
 * check finds no object with an unknown field, a value of the wrong type or a missing required field, and kubectl
 * can label each of them without a warning.
 */
const MIX = 'mix';
const VMS = 'vm-team';
const manifest = (file: string) => readFileSync(join(__dirname, 'manifests', file), 'utf8');

const sleeper = (name: string, extra: object = {}) => ({
  name,
  image: 'busybox',
  command: ['sh', '-c', 'exec sleep 3600'],
  resources: { requests: { cpu: '50m' } },
  readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1 },
  ...extra,
});
const podTemplate = (app: string, extra: object = {}) => ({
  metadata: { labels: { app } },
  spec: { terminationGracePeriodSeconds: 1, containers: [sleeper(app)], ...extra },
});
const batchPod = { spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name: 'work', image: 'busybox', command: ['true'] }] } };

const workloads = [
  { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'tick', namespace: MIX }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: batchPod } } } },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'solo', namespace: MIX, labels: { app: 'solo' } }, spec: { terminationGracePeriodSeconds: 1, containers: [sleeper('solo')] } },
  {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: MIX },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: podTemplate('web') },
  },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: MIX }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: MIX }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'db', port: 5432 }] } },
  {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: MIX },
    spec: {
      serviceName: 'db', replicas: 2, selector: { matchLabels: { app: 'db' } },
      template: { ...podTemplate('db'), spec: { ...podTemplate('db').spec, containers: [sleeper('db', { volumeMounts: [{ name: 'data', mountPath: '/data' }] })] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '16Mi' } } } }],
    },
  },
  { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once', namespace: MIX }, spec: { template: batchPod } },
  {
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: MIX },
    spec: { rules: [{ host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
  },
  {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web-from-mix', namespace: MIX },
    spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }], ports: [{ protocol: 'TCP', port: 8080 }] }] },
  },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: MIX }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } },
  {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: MIX },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 3,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
    },
  },
];

const library = {
  apiVersion: 'imageregistry.vmware.com/v1alpha1', kind: 'ContentLibrary',
  metadata: { name: 'team-lib', namespace: VMS, labels: { 'imageregistry.vmware.com/default': '' } },
  spec: { uuid: '7c1e1f9a-2b11-4c1d-9d7e-0b2f8a1d6c01', writable: true },
};
const publish = { apiVersion: 'vmoperator.vmware.com/v1alpha5', kind: 'VirtualMachinePublishRequest', metadata: { name: 'web-1', namespace: VMS }, spec: { target: { item: { name: 'web-golden' } } } };

/** What kubectl can label in each namespace: every kind the mix made, the controllers' objects included. */
const LABELLED: Record<string, string[]> = {
  [MIX]: ['pods', 'deployments', 'replicasets', 'statefulsets', 'controllerrevisions', 'persistentvolumeclaims', 'jobs', 'cronjobs', 'services', 'endpoints',
    'endpointslices', 'ingresses', 'networkpolicies', 'poddisruptionbudgets', 'horizontalpodautoscalers'],
  [VMS]: ['virtualmachines', 'virtualmachineservices', 'virtualmachinepublishrequests', 'virtualmachineimages', 'persistentvolumeclaims', 'services', 'endpoints'],
  [TKC_NAMESPACE]: ['tanzukubernetesclusters', 'clusters.cluster.x-k8s.io', 'machines.cluster.x-k8s.io', 'machinesets.cluster.x-k8s.io',
    'machinedeployments.cluster.x-k8s.io', 'kubeadmcontrolplanes.controlplane.cluster.x-k8s.io', 'vsphereclusters', 'vspheremachines', 'vspheremachinetemplates',
    'virtualmachines', 'virtualmachineservices', 'secrets'],
};

describe('objects as their kinds\' schemas serve them', () => {
  let cluster: TestCluster;
  const json = (args: string[]) => kubectlJson(cluster, args);

  beforeAll(async () => {
    // The HPA controller and the hosts' metrics every second, as in autoscaling.e2e-spec.ts; VMs that boot at once; the
    // CronJob's first run 10 s after its controller first waits for it, not at the next whole minute (as jobs.e2e-spec.ts).
    cluster = await startCluster({
      label: 'schemas',
      env: { SIM_VM_BOOT_MS: '100', HOST_REBOOT_DELAY_MS: '0', HPA_SYNC_PERIOD_MS: '1000', METRICS_INTERVAL_MS: '1000', CRONJOB_TEST_CLOCK_LEAD_MS: '10000' },
    });
    await cluster.hostsReady(3);
    for (const ns of [MIX, VMS, TKC_NAMESPACE]) expect((await cluster.kubectl(['create', 'namespace', ns])).code).toBe(0);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('runs pods, a Deployment behind a Service, Ingress, NetworkPolicy, PDB and HPA, a StatefulSet with claims, a Job and a CronJob', async () => {
    await kubectlApply(cluster, { apiVersion: 'v1', kind: 'List', items: workloads });
    await eventually(async () => {
      expect((await json(['get', 'deployment', 'web', '-n', MIX])).status).toMatchObject({ readyReplicas: 2 });
      expect((await json(['get', 'statefulset', 'db', '-n', MIX])).status).toMatchObject({ readyReplicas: 2 });
      expect((await json(['get', 'pod', 'solo', '-n', MIX])).status.phase).toBe('Running');
      expect(conditionOf(await json(['get', 'job', 'once', '-n', MIX]), 'Complete')?.status).toBe('True');
      const claims = (await json(['get', 'pvc', '-n', MIX])).items;
      expect(claims.map((c: any) => `${c.metadata.name}=${c.status?.phase}`).sort()).toEqual(['data-db-0=Bound', 'data-db-1=Bound']);
      const endpoints = await json(['get', 'endpoints', 'web', '-n', MIX]);
      expect(endpoints.subsets?.[0]?.addresses).toHaveLength(2);
      expect((await json(['get', 'pdb', 'web', '-n', MIX])).status).toMatchObject({ currentHealthy: 2, desiredHealthy: 1 });
      expect(conditionOf(await json(['get', 'hpa', 'web', '-n', MIX]), 'AbleToScale')).toBeDefined();
      expect((await json(['get', 'ingress', 'web', '-n', MIX])).status?.loadBalancer?.ingress?.[0]).toBeDefined();
    }, { timeoutMs: 120_000, intervalMs: 1000 });
  }, 150_000);

  it('runs a VirtualMachine behind a VirtualMachineService and publishes it to a content library', async () => {
    const applied = await cluster.kubectl(['apply', '-f', '-'], { input: manifest('vm-basics.yaml') });
    expect(applied.stderr).toBe('');
    const status = { status: { name: 'ubuntu-22.04-server', firmware: 'efi', osInfo: { type: 'ubuntu64Guest', version: '22.04' } } };
    const patched = await cluster.kubectl(['patch', 'vmi', 'vmi-0a1b2c3d4e5f67890', '-n', VMS, '--subresource=status', '--type=merge', '-p', JSON.stringify(status)]);
    expect(patched.stderr).toBe('');
    await eventually(async () => {
      const vm = await json(['get', 'vm', 'web-1', '-n', VMS]);
      expect(vm.status?.powerState).toBe('PoweredOn');
      expect(conditionOf(vm, 'Ready')?.status).toBe('True');
      expect((await json(['get', 'vmservice', 'web', '-n', VMS])).status?.loadBalancer?.ingress?.[0]?.ip).toBeDefined();
    }, { timeoutMs: 60_000, intervalMs: 500 });
    await kubectlApply(cluster, library);
    await kubectlApply(cluster, publish);
    await eventually(async () => expect(conditionOf(await json(['get', 'vmpub', 'web-1', '-n', VMS]), 'Complete')?.status).toBe('True'), { timeoutMs: 60_000 });
  }, 150_000);

  it('makes a TanzuKubernetesCluster Ready, with its Cluster API objects and VMs', async () => {
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: manifest('tkc-basics.yaml') })).stderr).toBe('');
    await eventually(async () => expect(conditionOf(await json(['get', 'tkc', 'tkc-1', '-n', TKC_NAMESPACE]), 'Ready')?.status).toBe('True'), {
      timeoutMs: 120_000,
      intervalMs: 500,
    });
  }, 150_000);

  it('finds every object of the log in the shape its kind\'s schema serves, whoever wrote it', async () => {
    // A CronJob run, which its controller writes, once a whole minute of its clock has passed.
    await eventually(async () => expect((await json(['get', 'cronjob', 'tick', '-n', MIX])).status?.lastSuccessfulTime).toBeDefined(), { timeoutMs: 90_000, intervalMs: 1000 });
    const pool = new Pool({ connectionString: cluster.databaseUrl, max: 2 });
    try {
      // With the cluster's key, Secrets' contents are checked too.
      const secretsKey = readFileSync(join(cluster.dataDir, 'secrets.key'), 'utf8').trim();
      const report = await checkInvariants(pool, { schemas: true, secretsKey });
      expect(report.objectsChecked).toBeGreaterThan(100);
      expect(report.schemaViolations.map(describeSchemaViolation)).toEqual([]);
    } finally {
      await pool.end();
    }
  }, 120_000);

  it('labels every object of the mix with kubectl without a warning', async () => {
    for (const [ns, kinds] of Object.entries(LABELLED)) {
      for (const kind of kinds) {
        const r = await cluster.kubectl(['label', kind, '--all', '-n', ns, 'schema-check=done', '--overwrite']);
        // A kind the mix made none of here says so, and nothing else.
        const stderr = r.stderr.replace(`No resources found in ${ns} namespace.\n`, '');
        expect({ kind, ns, stderr }).toEqual({ kind, ns, stderr: '' });
        expect(r.code).toBe(0);
      }
    }
  }, 120_000);
});
