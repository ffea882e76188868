import { ObjectEventTypes, objectStreamId, tanzuKubernetesClusterClassSpec } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { ReadModel } from '@openpacific/objects';
import { defaultClusterTopology, validateClusterTopology } from './cluster-topology.strategy';
import { strategyFor } from './kind-strategies';
import { resourceDefinitions } from '@openpacific/contracts';

const CLUSTER_CLASSES = 'clusterclasses.cluster.x-k8s.io';

let position = 0n;
function put(model: ReadModel, resource: string, object: any): void {
  position += 1n;
  model.apply({
    id: `e${position}`, streamId: objectStreamId(resource, object.metadata.namespace, object.metadata.name), streamVersion: 1,
    type: ObjectEventTypes.created, data: { resource, object }, metadata: { actor: 'cluster-api', source: 'test' },
    position, transactionId: 100n + position, createdAt: new Date(),
  } as RecordedEvent);
}

function modelWithClass(namespace: string): ReadModel {
  const model = new ReadModel();
  put(model, CLUSTER_CLASSES, { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'ClusterClass', metadata: { name: 'tanzukubernetescluster', namespace }, spec: tanzuKubernetesClusterClassSpec() });
  return model;
}

const ctx = { readModel: modelWithClass('tkg-team'), serviceCIDR: '127.202.0.0/16' };

const cluster = (topology: any) => ({
  apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', metadata: { name: 'c2', namespace: 'tkg-team' },
  spec: {
    topology: {
      class: 'tanzukubernetescluster', version: 'v1.29.4---vmware.3-fips.1-tkg.1', controlPlane: { replicas: 1 },
      workers: { machineDeployments: [{ class: 'node-pool', name: 'np-1', replicas: 2 }] },
      variables: [{ name: 'vmClass', value: 'best-effort-small' }, { name: 'storageClass', value: 'vsan-default-storage-policy' }],
      ...topology,
    },
  },
});

describe("Cluster topology admission (Cluster API's Cluster webhook)", () => {
  it('is the Cluster kind strategy on create and update', () => {
    const def = resourceDefinitions.find((d) => d.group === 'cluster.x-k8s.io' && d.kind === 'Cluster')!;
    const strategy = strategyFor(def);
    expect(strategy.validateCreate!(cluster({ variables: [] }), ctx)).toHaveLength(2);
    expect(strategy.validateUpdate!(cluster({}), cluster({ class: 'nope' }), undefined, ctx)).toHaveLength(1);
    expect(strategy.validateUpdate!(cluster({}), cluster({ class: 'nope' }), 'status', ctx)).toEqual([]);
  });

  it('takes a topology of the class the namespace offers, with its required variables', () => {
    expect(validateClusterTopology(cluster({}), ctx)).toEqual([]);
  });

  it('takes a class the namespace does not have with the webhook\'s warning on create, and refuses it on update', () => {
    const warnings: string[] = [];
    const warned = { ...ctx, warn: (text: string) => warnings.push(text) };
    expect(validateClusterTopology(cluster({ class: 'nope', variables: [] }), warned)).toEqual([]);
    expect(warnings).toEqual([
      'Cluster refers to ClusterClass tkg-team/nope, but this ClusterClass does not exist. Cluster topology has not been fully validated. The ClusterClass must be created to reconcile the Cluster',
    ]);
    expect(validateClusterTopology(cluster({ class: 'nope' }), warned, cluster({ class: 'nope' }))).toEqual([
      { field: 'spec.topology.class', reason: 'InternalError', message: 'Internal error: clusterclasses.cluster.x-k8s.io "nope" not found' },
    ]);
    // The class of another namespace is not this one's.
    validateClusterTopology({ ...cluster({}), metadata: { name: 'c2', namespace: 'other' } }, warned);
    expect(warnings[1]).toContain('ClusterClass other/tanzukubernetescluster');
  });

  it('refuses a topology missing a required variable, naming it', () => {
    expect(validateClusterTopology(cluster({ variables: [{ name: 'vmClass', value: 'best-effort-small' }] }), ctx)).toEqual([
      { field: 'spec.topology.variables', reason: 'FieldValueRequired', message: 'Required value: required variable with name "storageClass" must be defined' },
    ]);
  });

  it('refuses an unknown worker class and a duplicate machineDeployment name', () => {
    const workers = { machineDeployments: [{ class: 'node-pool', name: 'np-1' }, { class: 'gpu-pool', name: 'np-2' }, { class: 'node-pool', name: 'np-1' }] };
    expect(validateClusterTopology(cluster({ workers }), ctx)).toEqual([
      { field: 'spec.topology.workers.machineDeployments[1].class', reason: 'FieldValueInvalid', message: 'Invalid value: "gpu-pool": MachineDeploymentClass with name "gpu-pool" does not exist in ClusterClass "tanzukubernetescluster"' },
      { field: 'spec.topology.workers.machineDeployments[2].name', reason: 'FieldValueInvalid', message: 'Invalid value: "np-1": name must be unique. MachineDeployment with name "np-1" is defined more than once' },
    ]);
  });

  it('refuses taking the topology off a Cluster, or giving one a class it did not have', () => {
    const bare = { ...cluster({}), spec: {} };
    expect(validateClusterTopology(bare, ctx, cluster({}))).toEqual([{ field: 'spec.topology', reason: 'FieldValueForbidden', message: 'Forbidden: cannot be removed from an existing Cluster' }]);
    expect(validateClusterTopology(cluster({}), ctx, bare)).toEqual([{ field: 'spec.topology.class', reason: 'FieldValueForbidden', message: 'Forbidden: class cannot be set on an existing Cluster' }]);
  });

  it('leaves a Cluster without a topology alone', () => {
    expect(validateClusterTopology({ metadata: { name: 'raw', namespace: 'tkg-team' }, spec: { controlPlaneRef: { name: 'x' } } }, ctx)).toEqual([]);
  });

  it('refuses a version that is not semantic, on create as on update', () => {
    expect(validateClusterTopology(cluster({ version: '1.29' }), ctx)).toEqual([
      { field: 'spec.topology.version', reason: 'FieldValueInvalid', message: 'Invalid value: "v1.29": version must be a valid semantic version' },
    ]);
    expect(validateClusterTopology(cluster({ version: 'latest' }), ctx, cluster({}))).toEqual([
      { field: 'spec.topology.version', reason: 'FieldValueInvalid', message: 'Invalid value: "vlatest": version must be a valid semantic version' },
    ]);
    // Also when the class is missing: the version needs no class.
    expect(validateClusterTopology(cluster({ class: 'nope', version: '' }), { ...ctx, warn: () => undefined })).toHaveLength(1);
  });

  it('refuses lowering the version, or raising it by two minor versions, and takes a patch', () => {
    const at = (version: string) => cluster({ version });
    expect(validateClusterTopology(at('v1.29.5+vmware.1'), ctx, at('v1.29.4+vmware.3'))).toEqual([]);
    expect(validateClusterTopology(at('v1.28.0'), ctx, at('v1.29.4+vmware.3'))).toEqual([
      { field: 'spec.topology.version', reason: 'FieldValueInvalid', message: 'Invalid value: "v1.28.0": version cannot be decreased from "1.29.4+vmware.3" to "1.28.0"' },
    ]);
    expect(validateClusterTopology(at('v1.31.0'), ctx, at('v1.29.4+vmware.3'))).toEqual([
      { field: 'spec.topology.version', reason: 'FieldValueInvalid', message: 'Invalid value: "v1.31.0": version cannot be increased from "1.29.4+vmware.3" to "1.31.0"' },
    ]);
  });

  it('takes a minor upgrade only once the control plane runs the current version', () => {
    const model = modelWithClass('tkg-team');
    const kcps = 'kubeadmcontrolplanes.controlplane.cluster.x-k8s.io';
    const withCp = (version: string) => ({ ...cluster({ version }), spec: { ...cluster({ version }).spec, controlPlaneRef: { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlane', name: 'c2-control-plane' } } });
    const withModel = { ...ctx, readModel: model };
    expect(validateClusterTopology(withCp('v1.30.0'), withModel, withCp('v1.29.4'))).toEqual([{
      field: 'spec.topology.version', reason: 'FieldValueInvalid',
      message: 'Invalid value: "v1.30.0": minor version update cannot happen at this time: blocking version update due to ControlPlane version check: '
        + 'failed to get ControlPlane object: kubeadmcontrolplanes.controlplane.cluster.x-k8s.io "c2-control-plane" not found',
    }]);
    put(model, kcps, { kind: 'KubeadmControlPlane', metadata: { name: 'c2-control-plane', namespace: 'tkg-team' }, spec: { version: 'v1.29.4' }, status: { version: 'v1.29.4' } });
    expect(validateClusterTopology(withCp('v1.30.0'), withModel, withCp('v1.29.4'))).toEqual([]);
    // A patch release asks nothing of the control plane.
    expect(validateClusterTopology(withCp('v1.29.9'), withModel, withCp('v1.29.3'))).toEqual([]);
    expect(validateClusterTopology(withCp('v1.30.0'), withModel, withCp('v1.29.3'))[0].message).toContain(
      'blocking version update due to ControlPlane version check: ControlPlane version "1.29.4" does not match the current version "1.29.3"',
    );
  });

  it('refuses a variable the class does not define, and a value not of its schema', () => {
    const variables = [{ name: 'vmClass', value: 3 }, { name: 'storageClass', value: 'vsan-default-storage-policy' }, { name: 'cpu', value: 2 }];
    expect(validateClusterTopology(cluster({ variables }), ctx)).toEqual([
      { field: 'spec.topology.variables[vmClass].value', reason: 'FieldValueTypeInvalid', message: 'Invalid value: "3": must be of type string: "integer"' },
      { field: 'spec.topology.variables[cpu]', reason: 'FieldValueInvalid', message: 'Invalid value: "2": variable is not defined' },
    ]);
  });

  it('refuses a variable set twice, and only that', () => {
    const variables = [{ name: 'vmClass', value: 'best-effort-small' }, { name: 'vmClass', value: 'best-effort-large' }];
    expect(validateClusterTopology(cluster({ variables }), ctx)).toEqual([
      { field: 'spec.topology.variables[vmClass]', reason: 'FieldValueInvalid', message: 'Invalid value: "\\"best-effort-large\\"": variable "vmClass" is set more than once' },
    ]);
  });

  it('checks the overrides of each machineDeployment and of the control plane, which need not set required variables', () => {
    const workers = { machineDeployments: [
      { class: 'node-pool', name: 'np-1', variables: { overrides: [{ name: 'vmClass', value: 'best-effort-large' }] } },
      { class: 'node-pool', name: 'np-2', variables: { overrides: [{ name: 'vmClass', value: ['a'] }, { name: 'gpu', value: true }] } },
    ] };
    const controlPlane = { replicas: 3, variables: { overrides: [{ name: 'storageClass', value: 'fast' }, { name: 'storageClass', value: 'slow' }] } };
    expect(validateClusterTopology(cluster({ workers, controlPlane }), ctx)).toEqual([
      { field: 'spec.topology.controlPlane.variables.overrides[storageClass]', reason: 'FieldValueInvalid', message: 'Invalid value: "\\"slow\\"": variable "storageClass" is set more than once' },
      { field: 'spec.topology.workers.machineDeployments[np-2].variables.overrides[vmClass].value', reason: 'FieldValueTypeInvalid', message: 'Invalid value: "[\\"a\\"]": must be of type string: "array"' },
      { field: 'spec.topology.workers.machineDeployments[np-2].variables.overrides[gpu]', reason: 'FieldValueInvalid', message: 'Invalid value: "true": variable is not defined' },
    ]);
  });

  it('checks values against a class\'s own schemas: enum, bounds, required properties and undeclared fields', () => {
    const model = new ReadModel();
    const schema = (openAPIV3Schema: any) => ({ openAPIV3Schema });
    put(model, CLUSTER_CLASSES, {
      kind: 'ClusterClass', metadata: { name: 'custom', namespace: 'tkg-team' },
      spec: {
        ...tanzuKubernetesClusterClassSpec(),
        variables: [
          { name: 'zone', required: true, schema: schema({ type: 'string', enum: ['zone-a', 'zone-b'] }) },
          { name: 'cpu', required: false, schema: schema({ type: 'integer', minimum: 1, maximum: 16 }) },
          { name: 'proxy', required: false, schema: schema({ type: 'object', properties: { url: { type: 'string', pattern: '^https?://' } }, required: ['url'] }) },
        ],
      },
    });
    const custom = { ...ctx, readModel: model };
    const good = [{ name: 'zone', value: 'zone-a' }, { name: 'cpu', value: 4 }, { name: 'proxy', value: { url: 'http://proxy' } }];
    expect(validateClusterTopology(cluster({ class: 'custom', variables: good }), custom)).toEqual([]);
    const bad = [{ name: 'zone', value: 'zone-c' }, { name: 'cpu', value: 32 }, { name: 'proxy', value: { host: 'proxy' } }];
    expect(validateClusterTopology(cluster({ class: 'custom', variables: bad }), custom)).toEqual([
      { field: 'spec.topology.variables[zone].value', reason: 'FieldValueNotSupported', message: 'Unsupported value: "\\"zone-c\\"": supported values: "zone-a", "zone-b"' },
      { field: 'spec.topology.variables[cpu].value', reason: 'FieldValueInvalid', message: 'Invalid value: "32": should be less than or equal to 16' },
      { field: 'spec.topology.variables[proxy].value.url', reason: 'FieldValueRequired', message: 'Required value' },
    ]);
    const extra = [{ name: 'zone', value: 'zone-a' }, { name: 'proxy', value: { url: 'ftp://proxy', port: 3128 } }];
    expect(validateClusterTopology(cluster({ class: 'custom', variables: extra }), custom)).toEqual([
      { field: 'spec.topology.variables[proxy].value.url', reason: 'FieldValueInvalid', message: 'Invalid value: "{\\"url\\":\\"ftp://proxy\\",\\"port\\":3128}": url in body should match \'^https?://\'' },
    ]);
    const undeclared = [{ name: 'zone', value: 'zone-a' }, { name: 'proxy', value: { url: 'http://proxy', port: 3128 } }];
    expect(validateClusterTopology(cluster({ class: 'custom', variables: undeclared }), custom)).toEqual([{
      field: 'spec.topology.variables[proxy]', reason: 'FieldValueInvalid',
      message: 'Invalid value: "{\\"url\\":\\"http://proxy\\",\\"port\\":3128}": failed validation: "port" field(s) are not specified in the variable schema of variable "proxy"',
    }]);
  });
});

describe('the Cluster defaulting webhook on the topology version', () => {
  const cluster = (version?: string) => ({ metadata: { name: 'c' }, spec: { topology: { class: 'tanzukubernetescluster', ...(version === undefined ? {} : { version }) } } });

  it('gives a version its leading v, and leaves one that has it, an empty one and none alone', () => {
    expect(defaultClusterTopology(cluster('1.29.4+vmware.3')).spec.topology.version).toBe('v1.29.4+vmware.3');
    expect(defaultClusterTopology(cluster('v1.29.4')).spec.topology.version).toBe('v1.29.4');
    expect(defaultClusterTopology(cluster('')).spec.topology.version).toBe('');
    expect(defaultClusterTopology(cluster()).spec.topology).not.toHaveProperty('version');
    expect(defaultClusterTopology({ metadata: { name: 'c' }, spec: {} })).toEqual({ metadata: { name: 'c' }, spec: {} });
  });

  it('is the Cluster strategy\'s default on create and on update, not on status', () => {
    const strategy = strategyFor({ group: 'cluster.x-k8s.io', kind: 'Cluster' } as any)!;
    expect(strategy.defaults!(cluster('1.30.1'), {} as any).spec.topology.version).toBe('v1.30.1');
    expect(strategy.prepareUpdate!(cluster('v1.29.4'), cluster('1.30.1')).spec.topology.version).toBe('v1.30.1');
    expect(strategy.prepareUpdate!(cluster('v1.29.4'), cluster('1.30.1'), 'status').spec.topology.version).toBe('1.30.1');
  });
});
