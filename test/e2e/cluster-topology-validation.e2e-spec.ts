import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { kubectlApply, kubectlJson } from './support/kubectl-json';

const NS = 'tkg-validation';
const RELEASE = 'v1.29.4+vmware.3-fips.1-tkg.1';

/** A Cluster API Cluster of the given topology, as a user writes it for `kubectl create -f -`. */
const clusterOf = (name: string, topology: object) => JSON.stringify({
  apiVersion: 'cluster.x-k8s.io/v1beta1',
  kind: 'Cluster',
  metadata: { name, namespace: NS },
  spec: { topology: { class: 'tanzukubernetescluster', version: RELEASE, controlPlane: { replicas: 1 }, ...topology } },
});

/**
 * A class of the namespace's own, with variables of richer schemas than the default class's two strings. cluster-api
 * builds only the class tanzukubernetescluster, so a Cluster of this one is taken and left unbuilt (nothing it has
 * stands in the way of a version change).
 */
const customClass = {
  apiVersion: 'cluster.x-k8s.io/v1beta1',
  kind: 'ClusterClass',
  metadata: { name: 'custom', namespace: NS },
  spec: {
    infrastructure: { ref: { apiVersion: 'vmware.infrastructure.cluster.x-k8s.io/v1beta1', kind: 'VSphereClusterTemplate', name: 'custom' } },
    controlPlane: { ref: { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlaneTemplate', name: 'custom-control-plane' } },
    variables: [
      { name: 'zone', required: true, schema: { openAPIV3Schema: { type: 'string', enum: ['zone-a', 'zone-b'] } } },
      { name: 'cpu', required: false, schema: { openAPIV3Schema: { type: 'integer', minimum: 1, maximum: 16 } } },
      { name: 'proxy', required: false, schema: { openAPIV3Schema: { type: 'object', properties: { url: { type: 'string', pattern: '^https?://' } }, required: ['url'] } } },
    ],
  },
};

/** Cluster API's Cluster webhook on `spec.topology.version` and variable values, through the real kubectl. */
describe('Cluster topology validation: versions and variable values', () => {
  let cluster: TestCluster;
  const kubectl = (args: string[], input?: string) => cluster.kubectl(args, input === undefined ? undefined : { input });
  const notFound = async (name: string) => expect((await kubectl(['get', 'cluster', name, '-n', NS])).stderr).toContain(`clusters.cluster.x-k8s.io "${name}" not found`);

  beforeAll(async () => {
    cluster = await startCluster({ label: 'topologyvalidation' });
    expect((await kubectl(['create', 'namespace', NS])).code).toBe(0);
    await eventually(async () => {
      expect((await kubectl(['get', 'clusterclass', 'tanzukubernetescluster', '-n', NS])).code).toBe(0);
    }, { timeoutMs: 30_000, intervalMs: 500 });
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('refuses a Cluster of the class tanzukubernetescluster with a bad version and bad values, listing every cause, and writes nothing', async () => {
    const bad = clusterOf('bad-values', {
      version: '1.29',
      workers: {
        machineDeployments: [
          { class: 'node-pool', name: 'np-1', variables: { overrides: [{ name: 'vmClass', value: 'best-effort-small' }, { name: 'vmClass', value: 'best-effort-large' }] } },
          { class: 'node-pool', name: 'np-2', variables: { overrides: [{ name: 'storageClass', value: { a: 1 } }] } },
        ],
      },
      variables: [{ name: 'vmClass', value: 3 }, { name: 'storageClass', value: 'vsan-default-storage-policy' }, { name: 'cpu', value: 2 }],
    });
    const refused = await kubectl(['create', '-f', '-'], bad);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('The Cluster "bad-values" is invalid');
    for (const cause of [
      'spec.topology.version: Invalid value: "v1.29": version must be a valid semantic version',
      'spec.topology.variables[vmClass].value: Invalid value: "3": must be of type string: "integer"',
      'spec.topology.variables[cpu]: Invalid value: "2": variable is not defined',
      'spec.topology.workers.machineDeployments[np-1].variables.overrides[vmClass]: Invalid value: "\\"best-effort-large\\"": variable "vmClass" is set more than once',
      'spec.topology.workers.machineDeployments[np-2].variables.overrides[storageClass].value: Invalid value: "{\\"a\\":1}": must be of type string: "object"',
    ]) expect(refused.stderr).toContain(cause);
    await notFound('bad-values');

    const twice = clusterOf('twice', { variables: [{ name: 'vmClass', value: 'a' }, { name: 'vmClass', value: 'b' }, { name: 'storageClass', value: 's' }] });
    const refusedTwice = await kubectl(['create', '-f', '-'], twice);
    expect(refusedTwice.stderr).toContain('The Cluster "twice" is invalid: spec.topology.variables[vmClass]: Invalid value: "\\"b\\"": variable "vmClass" is set more than once');
    await notFound('twice');
  });

  it('checks values against the schemas of a class of the namespace\'s own', async () => {
    await kubectlApply(cluster, customClass);
    await eventually(async () => {
      expect((await kubectl(['get', 'clusterclass', 'custom', '-n', NS])).code).toBe(0);
    }, { timeoutMs: 10_000, intervalMs: 200 });

    const bad = clusterOf('bad-schema', { class: 'custom', variables: [{ name: 'zone', value: 'zone-c' }, { name: 'cpu', value: 32 }, { name: 'proxy', value: { host: 'proxy' } }] });
    const refused = await kubectl(['create', '-f', '-'], bad);
    expect(refused.code).not.toBe(0);
    for (const cause of [
      'spec.topology.variables[zone].value: Unsupported value: "\\"zone-c\\"": supported values: "zone-a", "zone-b"',
      'spec.topology.variables[cpu].value: Invalid value: "32": should be less than or equal to 16',
      'spec.topology.variables[proxy].value.url: Required value',
    ]) expect(refused.stderr).toContain(cause);
    await notFound('bad-schema');

    const undeclared = clusterOf('undeclared', { class: 'custom', variables: [{ name: 'zone', value: 'zone-a' }, { name: 'proxy', value: { url: 'ftp://proxy', port: 3128 } }] });
    const refusedPattern = await kubectl(['create', '-f', '-'], undeclared);
    expect(refusedPattern.stderr).toContain(
      // The value as kubectl sent it: its YAML made JSON with the keys in order.
      'The Cluster "undeclared" is invalid: spec.topology.variables[proxy].value.url: Invalid value: "{\\"port\\":3128,\\"url\\":\\"ftp://proxy\\"}": url in body should match \'^https?://\'',
    );
    const refusedField = await kubectl(['create', '-f', '-'], undeclared.replace('ftp://', 'http://'));
    expect(refusedField.stderr).toContain(
      'spec.topology.variables[proxy]: Invalid value: "{\\"port\\":3128,\\"url\\":\\"http://proxy\\"}": failed validation: "port" field(s) are not specified in the variable schema of variable "proxy"',
    );
    await notFound('undeclared');
  });

  it('takes a good Cluster, then refuses lowering its version or raising it two minors, and takes one minor up', async () => {
    const good = clusterOf('good', { class: 'custom', variables: [{ name: 'zone', value: 'zone-a' }, { name: 'cpu', value: 4 }, { name: 'proxy', value: { url: 'http://proxy' } }] });
    const created = await kubectl(['create', '-f', '-'], good);
    expect(created.stderr).toBe('');
    expect(created.stdout).toContain('cluster.cluster.x-k8s.io/good created');

    const setVersion = (version: string) => kubectl(['patch', 'cluster', 'good', '-n', NS, '--type=merge', '-p', JSON.stringify({ spec: { topology: { version } } })]);
    const down = await setVersion('v1.28.0');
    expect(down.code).not.toBe(0);
    expect(down.stderr).toContain('The Cluster "good" is invalid: spec.topology.version: Invalid value: "v1.28.0": version cannot be decreased from "1.29.4+vmware.3-fips.1-tkg.1" to "1.28.0"');
    const skip = await setVersion('v1.31.0');
    expect(skip.stderr).toContain('The Cluster "good" is invalid: spec.topology.version: Invalid value: "v1.31.0": version cannot be increased from "1.29.4+vmware.3-fips.1-tkg.1" to "1.31.0"');
    const notSemantic = await setVersion('1.30');
    expect(notSemantic.stderr).toContain('spec.topology.version: Invalid value: "v1.30": version must be a valid semantic version');
    expect((await kubectlJson(cluster, ['get', 'cluster', 'good', '-n', NS])).spec.topology.version).toBe(RELEASE);

    const up = await setVersion('v1.30.1+vmware.1');
    expect(up.stderr).toBe('');
    expect(up.stdout).toContain('cluster.cluster.x-k8s.io/good patched');
    expect((await kubectlJson(cluster, ['get', 'cluster', 'good', '-n', NS])).spec.topology.version).toBe('v1.30.1+vmware.1');

    // A value is checked on update as on create.
    const cpu = JSON.stringify([{ op: 'replace', path: '/spec/topology/variables/1/value', value: '4' }]);
    const badCpu = await kubectl(['patch', 'cluster', 'good', '-n', NS, '--type=json', '-p', cpu]);
    expect(badCpu.stderr).toContain('The Cluster "good" is invalid: spec.topology.variables[cpu].value: Invalid value: "\\"4\\"": must be of type integer: "string"');
  });

  /**
   * The webhooks of the kinds a Cluster is made of, for objects written by hand. Each refusal writes nothing; what is
   * stored names templates that do not exist, so cluster-api makes no VM of it.
   */
  describe("Cluster API's webhooks for its other kinds", () => {
    const create = (obj: object, ...flags: string[]) => kubectl(['create', '-f', '-', ...flags], JSON.stringify(obj));
    const absent = async (resource: string, name: string) => expect((await kubectl(['get', resource, name, '-n', NS])).stderr).toContain(`"${name}" not found`);
    const infrastructureRef = { apiVersion: 'vmware.infrastructure.cluster.x-k8s.io/v1beta1', kind: 'VSphereMachineTemplate', name: 'nowhere' };
    const kcp = (name: string, spec: object) => ({
      apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlane', metadata: { name, namespace: NS },
      spec: { replicas: 1, version: 'v1.29.4', machineTemplate: { infrastructureRef }, kubeadmConfigSpec: {}, ...spec },
    });
    const machineSpec = { clusterName: 'by-hand', version: 'v1.29.4', bootstrap: { dataSecretName: 'none' }, infrastructureRef };
    const md = (name: string, spec: object) => ({
      apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineDeployment', metadata: { name, namespace: NS },
      spec: { clusterName: 'by-hand', replicas: 0, selector: { matchLabels: { pool: 'by-hand' } }, template: { metadata: { labels: { pool: 'by-hand' } }, spec: machineSpec }, ...spec },
    });
    const mhc = (name: string, spec: object) => ({
      apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineHealthCheck', metadata: { name, namespace: NS },
      spec: { clusterName: 'by-hand', selector: { matchLabels: { pool: 'by-hand' } }, unhealthyConditions: [{ type: 'Ready', status: 'False', timeout: '5m' }], ...spec },
    });

    it('refuses a KubeadmControlPlane of an even or no count, or a bad version or rollout, and on update a version two minors up or a fixed field', async () => {
      const even = await create(kcp('cp-even', { replicas: 2, version: '1.29' }));
      expect(even.code).not.toBe(0);
      expect(even.stderr).toContain('The KubeadmControlPlane "cp-even" is invalid');
      for (const cause of ['spec.replicas: Forbidden: cannot be an even number when etcd is stacked', 'spec.version: Invalid value: "v1.29": must be a valid semantic version']) {
        expect(even.stderr).toContain(cause);
      }
      expect((await create(kcp('cp-none', { replicas: 0 }))).stderr).toContain('spec.replicas: Forbidden: cannot be less than or equal to 0');
      expect((await create(kcp('cp-surge', { rolloutStrategy: { rollingUpdate: { maxSurge: 2 } } }))).stderr)
        .toContain('The KubeadmControlPlane "cp-surge" is invalid: spec.rolloutStrategy.rollingUpdate.maxSurge: Required value: value must be 1 or 0');
      for (const name of ['cp-even', 'cp-none', 'cp-surge']) await absent('kcp', name);
      // Etcd outside the control plane takes an even count.
      const external = kcp('cp-external', { replicas: 2, kubeadmConfigSpec: { clusterConfiguration: { etcd: { external: { endpoints: ['https://etcd:2379'] } } } } });
      expect((await create(external, '--dry-run=server')).stdout).toContain('kubeadmcontrolplane.controlplane.cluster.x-k8s.io/cp-external created (server dry run)');

      const created = await create(kcp('cp-1', { version: '1.29.4' }));
      expect(created.stderr).toBe('');
      // Stored as the defaulting webhook leaves it: with its `v`.
      expect((await kubectlJson(cluster, ['get', 'kcp', 'cp-1', '-n', NS])).spec.version).toBe('v1.29.4');
      const patch = (p: object) => kubectl(['patch', 'kcp', 'cp-1', '-n', NS, '--type=merge', '-p', JSON.stringify(p)]);
      expect((await patch({ spec: { version: 'v1.31.0' } })).stderr)
        .toContain('The KubeadmControlPlane "cp-1" is invalid: spec.version: Forbidden: cannot update Kubernetes version from v1.29.4 to v1.31.0');
      expect((await patch({ spec: { kubeadmConfigSpec: { clusterConfiguration: { networking: { podSubnet: '10.1.0.0/16' } } } } })).stderr)
        .toContain('spec.kubeadmConfigSpec.clusterConfiguration.networking.podSubnet: Forbidden: cannot be modified');
      expect((await patch({ spec: { replicas: 2 } })).stderr).toContain('spec.replicas: Forbidden: cannot be an even number when etcd is stacked');
      const up = await patch({ spec: { version: 'v1.30.2' } });
      expect(up.stderr).toBe('');
      expect(up.stdout).toContain('kubeadmcontrolplane.controlplane.cluster.x-k8s.io/cp-1 patched');
      // Through /scale, KCP's scale webhook: no 0, no even count with stacked etcd; 3 is fine.
      for (const [replicas, why] of [[0, 'replicas cannot be 0'], [2, 'replicas cannot be an even number when etcd is stacked']] as const) {
        const scaled = await kubectl(['scale', 'kcp', 'cp-1', '-n', NS, `--replicas=${replicas}`]);
        expect(scaled.stderr).toContain(`Error from server (Forbidden): admission webhook "validation-scale.kubeadmcontrolplane.controlplane.cluster.x-k8s.io" denied the request: ${why}`);
      }
      expect((await kubectl(['scale', 'kcp', 'cp-1', '-n', NS, '--replicas=3'])).stdout).toContain('kubeadmcontrolplane.controlplane.cluster.x-k8s.io/cp-1 scaled');
      expect((await kubectlJson(cluster, ['get', 'kcp', 'cp-1', '-n', NS])).spec.replicas).toBe(3);
    });

    it('refuses a MachineDeployment whose selector misses its template, with bad strategy values or version, and moving it to another cluster', async () => {
      const mismatch = await create(md('md-mismatch', { selector: { matchLabels: { pool: 'other' } } }));
      expect(mismatch.stderr).toContain('The MachineDeployment "md-mismatch" is invalid: spec.template.metadata.labels: Forbidden: must match spec.selector "cluster.x-k8s.io/cluster-name=by-hand,pool=other"');
      const bad = await create(md('md-bad', {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '5', maxUnavailable: 0 } },
        template: { metadata: { labels: { pool: 'by-hand' } }, spec: { ...machineSpec, version: 'latest' } },
      }));
      for (const cause of [
        'spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"5"}: must be either an int or a percentage: invalid value for IntOrString: invalid type: string is not a percentage',
        'spec.template.spec.version: Invalid value: "vlatest": must be a valid semantic version',
      ]) expect(bad.stderr).toContain(cause);
      for (const name of ['md-mismatch', 'md-bad']) await absent('md', name);

      expect((await create(md('md-good', {}))).stderr).toBe('');
      const moved = await kubectl(['patch', 'md', 'md-good', '-n', NS, '--type=merge', '-p', JSON.stringify({ spec: { clusterName: 'other', template: { spec: { clusterName: 'other' } } } })]);
      expect(moved.stderr).toContain('The MachineDeployment "md-good" is invalid: spec.clusterName: Forbidden: field is immutable');
      // Its MachineSet, written by cluster-api with a selector its template does not carry, can still be labelled.
      let set = '';
      await eventually(async () => {
        const sets = await kubectlJson(cluster, ['get', 'machinesets', '-n', NS, '-l', 'cluster.x-k8s.io/deployment-name=md-good']);
        expect(sets.items).toHaveLength(1);
        set = sets.items[0].metadata.name;
      }, { timeoutMs: 30_000, intervalMs: 500 });
      const labelled = await kubectl(['label', 'machineset', set, '-n', NS, 'team=e2e']);
      expect(labelled.stderr).toBe('');
      expect(labelled.stdout).toContain(`machineset.cluster.x-k8s.io/${set} labeled`);
    });

    it('refuses a MachineSet whose selector misses its template, and a Machine without bootstrap data', async () => {
      const set = { ...md('ms-mismatch', { selector: { matchLabels: { pool: 'other' } } }), kind: 'MachineSet' };
      expect((await create(set)).stderr)
        .toContain('The MachineSet "ms-mismatch" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"pool":"by-hand"}: must match spec.selector "pool=other"');
      const machine = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Machine', metadata: { name: 'm-nodata', namespace: NS }, spec: { ...machineSpec, bootstrap: {}, version: '1.29' } };
      const refused = await create(machine);
      for (const cause of [
        'spec.bootstrap.data: Required value: expected either spec.bootstrap.dataSecretName or spec.bootstrap.configRef to be populated',
        'spec.version: Invalid value: "v1.29": must be a valid semantic version',
      ]) expect(refused.stderr).toContain(cause);
      await absent('ms', 'ms-mismatch');
      await absent('machine', 'm-nodata');
    });

    it('refuses a MachineHealthCheck with a short node startup timeout, no selector, a bad range or an undecodable timeout', async () => {
      const refused = await create(mhc('mhc-bad', { nodeStartupTimeout: '10s', selector: {}, maxUnhealthy: 'all' }));
      expect(refused.stderr).toContain('The MachineHealthCheck "mhc-bad" is invalid');
      for (const cause of [
        'spec.selector: Required value: selector must not be empty',
        'spec.nodeStartupTimeout: Invalid value: "10s": must be at least 30s',
        'spec.maxUnhealthy: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"all"}: must be either an int or a percentage',
      ]) expect(refused.stderr).toContain(cause);
      expect((await create(mhc('mhc-range', { unhealthyRange: '3-5' }))).stderr)
        .toContain('spec.unhealthyRange: Invalid value: "3-5": spec.unhealthyRange in body should match \'^\\[[0-9]+-[0-9]+\\]$\'');
      const timeout = await create(mhc('mhc-timeout', { unhealthyConditions: [{ type: 'Ready', status: 'False', timeout: '5 minutes' }] }));
      expect(timeout.stderr).toContain('admission webhook "default.machinehealthcheck.cluster.x-k8s.io" denied the request: time: unknown unit " minutes" in duration "5 minutes"');
      for (const name of ['mhc-bad', 'mhc-range', 'mhc-timeout']) await absent('mhc', name);
      expect((await create(mhc('mhc-good', { nodeStartupTimeout: '0', unhealthyRange: '[1-3]' }), '--dry-run=server')).stdout).toContain('created (server dry run)');
    });

    it('refuses a ClusterClass with variables named twice or untyped, and malformed patches', async () => {
      const cc = {
        apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'ClusterClass', metadata: { name: 'broken', namespace: NS },
        spec: {
          ...customClass.spec,
          variables: [
            { name: 'zone', required: false, schema: { openAPIV3Schema: { type: 'string' } } },
            { name: 'zone', required: false, schema: { openAPIV3Schema: { type: 'string' } } },
            { name: 'size', required: false, schema: { openAPIV3Schema: { properties: { cpu: { type: 'integer' } } } } },
          ],
          patches: [{
            name: 'cpu',
            definitions: [{
              selector: { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlaneTemplate', matchResources: { controlPlane: true } },
              jsonPatches: [{ op: 'copy', path: '/spec/template/spec/x', valueFrom: { variable: 'memory' } }],
            }],
          }],
        },
      };
      const refused = await create(cc);
      expect(refused.stderr).toContain('The ClusterClass "broken" is invalid');
      for (const cause of [
        'spec.variables[zone].name: Invalid value: "zone": variable name must be unique. Variable with name "zone" is defined more than once',
        'spec.variables[size].schema.openAPIV3Schema.type: Required value: must not be empty for specified object fields',
        'spec.patches[0].definitions[0].jsonPatches[0].op: Unsupported value: ',
        'supported values: "add", "remove", "replace"',
      ]) expect(refused.stderr).toContain(cause);
      await absent('clusterclass', 'broken');
    });
  });
});
