import { ObjectEventTypes, objectStreamId, tanzuKubernetesClusterClassSpec } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { ReadModel } from '@openpacific/objects';
import { validateClusterTopology } from './cluster-topology.strategy';
import { strategyFor } from './kind-strategies';
import { resourceDefinitions } from '@openpacific/contracts';

const CLUSTER_CLASSES = 'clusterclasses.cluster.x-k8s.io';

function modelWithClass(namespace: string): ReadModel {
  const model = new ReadModel();
  const object = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'ClusterClass', metadata: { name: 'tanzukubernetescluster', namespace }, spec: tanzuKubernetesClusterClassSpec() };
  model.apply({
    id: 'e1', streamId: objectStreamId(CLUSTER_CLASSES, namespace, 'tanzukubernetescluster'), streamVersion: 1,
    type: ObjectEventTypes.created, data: { resource: CLUSTER_CLASSES, object }, metadata: { actor: 'cluster-api', source: 'test' },
    position: 1n, transactionId: 100n, createdAt: new Date(),
  } as RecordedEvent);
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
});
