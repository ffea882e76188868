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
});
