import { validateAgainstSchema } from '@openpacific/kube-api';
import { resourceDefinitions, ResourceDefinition } from '../index';
import { CONVERSION_STASH_ANNOTATION_PREFIX } from '../vmoperator';
import {
  clusterClassResource,
  clusterResource,
  tanzuKubernetesClusterClassSpec,
  TKC_CLUSTER_CLASS,
  guestClusterResources,
  kubeadmControlPlaneResource,
  machineDeploymentResource,
  machineHealthCheckResource,
  machineResource,
  machineSetResource,
  tanzuKubernetesClusterResource as tkcDef,
  tanzuKubernetesReleaseResource as tkrDef,
  TKC_VERSIONS,
  vsphereClusterResource,
  vsphereMachineResource,
  vsphereMachineTemplateResource,
} from './index';

const RUN = 'run.tanzu.vmware.com';
const CAPI = 'cluster.x-k8s.io/v1beta1';
const meta = { name: 'tkc-1', namespace: 'tkg-team', uid: 'u-1', resourceVersion: '3', creationTimestamp: '2025-01-01T00:00:00Z' };
const TKR = 'v1.29.4---vmware.3-fips.1-tkg.1';

function check(def: ResourceDefinition, version: string, obj: any) {
  const r = validateAgainstSchema(def, version, obj, 'Strict');
  return { causes: r.causes, unknown: r.unknownFields };
}

function expectValid(def: ResourceDefinition, version: string, obj: any): void {
  expect(check(def, version, obj)).toEqual({ causes: [], unknown: [] });
}

const conv = tkcDef.conversion!;
const clone = <T>(o: T): T => JSON.parse(JSON.stringify(o));

// ------------------------------------------------------------------------------------------------
// Fixtures

const pool = (name: string, replicas: number, extra: any = {}) => ({ name, replicas, vmClass: 'best-effort-small', storageClass: 'vsan-default', ...extra });

const tkcV3 = {
  apiVersion: `${RUN}/v1alpha3`,
  kind: 'TanzuKubernetesCluster',
  metadata: meta,
  spec: {
    topology: {
      controlPlane: { replicas: 1, vmClass: 'best-effort-small', storageClass: 'vsan-default', tkr: { reference: { name: TKR } }, nodeDrainTimeout: '5m' },
      nodePools: [pool('workers', 2, { labels: { tier: 'web' }, taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }], failureDomain: 'zone-a', volumes: [{ name: 'containerd', mountPath: '/var/lib/containerd', capacity: { storage: '50Gi' } }] })],
    },
    settings: {
      network: { cni: { name: 'antrea' }, pods: { cidrBlocks: ['192.168.0.0/16'] }, services: { cidrBlocks: ['10.96.0.0/12'] }, serviceDomain: 'cluster.local', proxy: { httpProxy: 'http://proxy:3128', noProxy: ['10.0.0.0/8'] }, trust: { additionalTrustedCAs: [{ name: 'corp-ca', data: 'LS0t' }] } },
      storage: { classes: ['vsan-default'], defaultClass: 'vsan-default' },
    },
  },
  status: {
    apiEndpoints: [{ host: '10.0.0.100', port: 6443 }],
    version: 'v1.29.4+vmware.3-fips.1',
    phase: 'running',
    totalWorkerReplicas: 2,
    conditions: [
      { type: 'Ready', status: 'True', lastTransitionTime: '2025-01-01T00:05:00Z' },
      { type: 'TanzuKubernetesReleaseCompatible', status: 'True' },
      { type: 'UpdatesAvailable', status: 'True', message: '[1.30.1+vmware.1-fips.1-tkg.5]' },
    ],
    addons: [{ name: 'antrea', type: 'CNI', version: '1.13.3', conditions: [{ type: 'Provisioned', status: 'True' }] }, { name: 'metrics-server', type: 'MetricsServer' }],
    nodeStatus: { 'tkc-1-control-plane-abcde': 'ready' },
    vmStatus: { 'tkc-1-control-plane-abcde': 'ready' },
  },
};

const tkcMultiPool = clone(tkcV3);
tkcMultiPool.spec.topology.nodePools = [pool('np-gpu', 1, { vmClass: 'gpu-large' }), pool('workers', 2), pool('np-mem', 3, { tkr: { reference: { name: 'v1.28.8---vmware.1-fips.1-tkg.2' } } })];

const tkcV1 = {
  apiVersion: `${RUN}/v1alpha1`,
  kind: 'TanzuKubernetesCluster',
  metadata: { name: 'tkc-old', namespace: 'tkg-team' },
  spec: {
    topology: {
      controlPlane: { count: 3, class: 'best-effort-small', storageClass: 'vsan-default' },
      workers: { count: 2, class: 'best-effort-medium', storageClass: 'vsan-default', volumes: [{ name: 'etcd', mountPath: '/var/lib/etcd', capacity: { storage: '4Gi' } }] },
    },
    distribution: { version: 'v1.21', fullVersion: 'v1.21.6+vmware.1-tkg.1.b3d708a' },
    settings: { network: { cni: { name: 'calico' }, services: { cidrBlocks: ['10.97.0.0/24'] }, pods: { cidrBlocks: ['192.0.2.0/16'] }, serviceDomain: 'managedcluster.local' } },
  },
  status: {
    clusterApiStatus: { apiEndpoints: [{ host: '10.0.0.7', port: 6443 }], phase: 'Provisioned' },
    vmStatus: { 'tkc-old-control-plane-x': 'ready' },
    nodeStatus: { 'tkc-old-control-plane-x': 'ready' },
    version: 'v1.21.6+vmware.1',
    addons: { cni: { name: 'calico', version: '3.11.2' }, dns: { name: 'CoreDNS', version: 'v1.8.0', lastErrorMessage: 'x' } },
    phase: 'running',
    nodeRemediationCount: 1,
  },
};

const tkr = {
  apiVersion: `${RUN}/v1alpha3`,
  kind: 'TanzuKubernetesRelease',
  metadata: { name: TKR, uid: 'tkr-1' },
  spec: {
    version: 'v1.29.4+vmware.3-fips.1-tkg.1',
    kubernetes: { version: 'v1.29.4+vmware.3-fips.1', imageRepository: 'localhost:5000/vmware.io', etcd: { imageTag: 'v3.5.12_vmware.4' }, coredns: { imageTag: 'v1.11.1_vmware.9' }, pause: { imageTag: '3.9' } },
    osImages: [{ name: 'ob-22-tkr-v1-29' }],
    bootstrapPackages: [{ name: 'antrea.tanzu.vmware.com.1.13.3' }],
  },
  status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Compatible', status: 'True' }] },
};

const ref = (apiVersion: string, kind: string, name: string) => ({ apiVersion, kind, name, namespace: 'tkg-team' });
const capi = (kind: string, name: string, spec: any, status?: any, apiVersion = CAPI) => ({ apiVersion, kind, metadata: { name, namespace: 'tkg-team', labels: { 'cluster.x-k8s.io/cluster-name': 'cl-1' } }, spec, ...(status ? { status } : {}) });
const VMW = 'vmware.infrastructure.cluster.x-k8s.io/v1beta1';
const machineSpec = { clusterName: 'cl-1', version: 'v1.29.4+vmware.3-fips.1', bootstrap: { configRef: ref('bootstrap.cluster.x-k8s.io/v1beta1', 'KubeadmConfig', 'cl-1-md-0-x') }, infrastructureRef: ref(VMW, 'VSphereMachine', 'cl-1-md-0-x'), failureDomain: 'zone-a' };

const cluster = capi(
  'Cluster',
  'cl-1',
  {
    clusterNetwork: { services: { cidrBlocks: ['10.96.0.0/12'] }, pods: { cidrBlocks: ['192.168.0.0/16'] }, serviceDomain: 'cluster.local' },
    controlPlaneEndpoint: { host: '10.0.0.101', port: 6443 },
    controlPlaneRef: ref('controlplane.cluster.x-k8s.io/v1beta1', 'KubeadmControlPlane', 'cl-1-cp'),
    infrastructureRef: ref(VMW, 'VSphereCluster', 'cl-1'),
    topology: {
      class: 'tanzukubernetescluster',
      version: 'v1.29.4+vmware.3-fips.1-tkg.1',
      controlPlane: { replicas: 3, metadata: { labels: { role: 'cp' } } },
      workers: { machineDeployments: [{ class: 'node-pool', name: 'md-0', replicas: 2, failureDomain: 'zone-a', strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }, variables: { overrides: [{ name: 'vmClass', value: 'best-effort-large' }] } }] },
      variables: [
        { name: 'vmClass', value: 'best-effort-small' },
        { name: 'storageClass', value: 'vsan-default' },
        { name: 'ntp', value: 'time.corp.local' },
        { name: 'nodePoolVolumes', value: [{ name: 'containerd', mountPath: '/var/lib/containerd', capacity: { storage: '50Gi' } }] },
      ],
    },
  },
  { phase: 'Provisioned', infrastructureReady: true, controlPlaneReady: true, observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: 't' }], failureDomains: { 'zone-a': { controlPlane: true } } },
);

const md = capi(
  'MachineDeployment',
  'cl-1-md-0',
  { clusterName: 'cl-1', replicas: 2, selector: { matchLabels: { 'cluster.x-k8s.io/deployment-name': 'cl-1-md-0' } }, template: { metadata: { labels: { 'cluster.x-k8s.io/deployment-name': 'cl-1-md-0' } }, spec: machineSpec }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%', deletePolicy: 'Oldest' } }, minReadySeconds: 0, revisionHistoryLimit: 1, progressDeadlineSeconds: 600 },
  { replicas: 2, readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2, unavailableReplicas: 0, phase: 'Running', selector: 'cluster.x-k8s.io/deployment-name=cl-1-md-0', observedGeneration: 1 },
);
const ms = capi('MachineSet', 'cl-1-md-0-7f9c', { clusterName: 'cl-1', replicas: 2, deletePolicy: 'Random', selector: { matchLabels: { 'machine-template-hash': '7f9c' } }, template: { spec: machineSpec } }, { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2 });
const machine = capi(
  'Machine',
  'cl-1-md-0-7f9c-x',
  { ...machineSpec, bootstrap: { dataSecretName: 'cl-1-md-0-x-bootstrap' }, providerID: 'vsphere://4203-aa', nodeDrainTimeout: '10m' },
  { phase: 'Running', nodeRef: { apiVersion: 'v1', kind: 'Node', name: 'cl-1-md-0-7f9c-x', uid: 'n-1' }, addresses: [{ type: 'InternalIP', address: '10.244.0.20' }], bootstrapReady: true, infrastructureReady: true, failureDomain: 'zone-a', lastUpdated: 't', nodeInfo: { kubeletVersion: 'v1.29.4', architecture: 'amd64' }, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: 't' }] },
);
const kcp = capi(
  'KubeadmControlPlane',
  'cl-1-cp',
  { replicas: 3, version: 'v1.29.4+vmware.3-fips.1', machineTemplate: { infrastructureRef: ref(VMW, 'VSphereMachineTemplate', 'cl-1-cp'), nodeDrainTimeout: '0s' }, kubeadmConfigSpec: { clusterConfiguration: { imageRepository: 'localhost:5000/vmware.io' }, initConfiguration: { nodeRegistration: { name: '{{ ds.meta_data.hostname }}' } }, files: [{ path: '/etc/x', content: 'y' }] }, rolloutStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } }, remediationStrategy: { maxRetry: 3, minHealthyPeriod: '1h' } },
  { replicas: 3, readyReplicas: 3, updatedReplicas: 3, unavailableReplicas: 0, initialized: true, ready: true, version: 'v1.29.4+vmware.3-fips.1', selector: 'cluster.x-k8s.io/control-plane-name=cl-1-cp', conditions: [{ type: 'Available', status: 'True' }] },
  'controlplane.cluster.x-k8s.io/v1beta1',
);
const mhc = capi(
  'MachineHealthCheck',
  'cl-1-control-plane',
  { clusterName: 'cl-1', maxUnhealthy: '100%', nodeStartupTimeout: '2h', selector: { matchLabels: { 'cluster.x-k8s.io/control-plane': '' } }, unhealthyConditions: [{ type: 'Ready', status: 'Unknown', timeout: '5m' }, { type: 'Ready', status: 'False', timeout: '12m' }] },
  { expectedMachines: 3, currentHealthy: 3, remediationsAllowed: 3, targets: ['cl-1-cp-a', 'cl-1-cp-b', 'cl-1-cp-c'] },
);
const vsphereMachineSpec = { className: 'best-effort-small', imageName: 'ob-22-tkr-v1-29', storageClass: 'vsan-default', powerOffMode: 'trySoft', minHardwareVersion: 'vmx-17', volumes: [{ name: 'etcd', capacity: { storage: '4Gi' }, storageClass: 'vsan-default' }] };
const vsphereCluster = capi('VSphereCluster', 'cl-1', { controlPlaneEndpoint: { host: '10.0.0.101', port: 6443 } }, { ready: true, resourcePolicyName: 'cl-1', conditions: [{ type: 'Ready', status: 'True' }] }, VMW);
const vsphereMachine = capi('VSphereMachine', 'cl-1-md-0-x', { ...vsphereMachineSpec, providerID: 'vsphere://4203-aa', failureDomain: 'zone-a' }, { ready: true, vmID: '4203-aa', vmIp: '10.244.0.20', vmstatus: 'ready', addresses: [{ type: 'InternalIP', address: '10.244.0.20' }] }, VMW);
const vsphereMachineTemplate = capi('VSphereMachineTemplate', 'cl-1-cp', { template: { spec: vsphereMachineSpec } }, undefined, VMW);

// ------------------------------------------------------------------------------------------------

describe('guest-cluster kinds', () => {
  it('are registered with the names, scopes and short names of the real CRDs', () => {
    const seen = (d: ResourceDefinition) => [d.group, d.plural, d.scope, d.shortNames.join(','), d.versions.map((v) => `${v.name}${v.storage ? '*' : ''}`).join(',')];
    expect(guestClusterResources.every((d) => resourceDefinitions.includes(d))).toBe(true);
    expect(guestClusterResources.map(seen)).toEqual([
      [RUN, 'tanzukubernetesclusters', 'Namespaced', 'tkc', 'v1alpha3*,v1alpha2,v1alpha1'],
      [RUN, 'tanzukubernetesreleases', 'Cluster', 'tkr', 'v1alpha3*,v1alpha1'],
      ['cluster.x-k8s.io', 'clusters', 'Namespaced', 'cl', 'v1beta1*'],
      ['cluster.x-k8s.io', 'clusterclasses', 'Namespaced', 'cc', 'v1beta1*'],
      ['cluster.x-k8s.io', 'machinedeployments', 'Namespaced', 'md', 'v1beta1*'],
      ['cluster.x-k8s.io', 'machinesets', 'Namespaced', 'ms', 'v1beta1*'],
      ['cluster.x-k8s.io', 'machines', 'Namespaced', 'ma', 'v1beta1*'],
      ['cluster.x-k8s.io', 'machinehealthchecks', 'Namespaced', 'mhc,mhcs', 'v1beta1*'],
      ['controlplane.cluster.x-k8s.io', 'kubeadmcontrolplanes', 'Namespaced', 'kcp', 'v1beta1*'],
      ['vmware.infrastructure.cluster.x-k8s.io', 'vsphereclusters', 'Namespaced', '', 'v1beta1*'],
      ['vmware.infrastructure.cluster.x-k8s.io', 'vspheremachines', 'Namespaced', '', 'v1beta1*'],
      ['vmware.infrastructure.cluster.x-k8s.io', 'vspheremachinetemplates', 'Namespaced', '', 'v1beta1*'],
    ]);
  });

  it('give MachineDeployment, MachineSet and KubeadmControlPlane the scale subresource', () => {
    for (const d of [machineDeploymentResource, machineSetResource, kubeadmControlPlaneResource]) {
      expect(d.subresources).toEqual({ status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } });
    }
    expect(clusterResource.subresources.scale).toBeUndefined();
  });

  it('show the printer columns of kubectl get tkc, tkr and the Cluster API kinds', () => {
    const cols = (d: ResourceDefinition, v: string) => d.versions.find((x) => x.name === v)!.printerColumns.map((c) => `${c.name}=${c.jsonPath}`);
    expect(cols(tkcDef, 'v1alpha3')).toEqual([
      'Control Plane=.spec.topology.controlPlane.replicas',
      'Worker=.status.totalWorkerReplicas',
      'TKR Name=.spec.topology.controlPlane.tkr.reference.name',
      'Age=.metadata.creationTimestamp',
      'Ready=.status.conditions[?(@.type=="Ready")].status',
      'TKR Compatible=.status.conditions[?(@.type=="TanzuKubernetesReleaseCompatible")].status',
      'Updates Available=.status.conditions[?(@.type=="UpdatesAvailable")].message',
    ]);
    expect(cols(tkcDef, 'v1alpha2')).toEqual(cols(tkcDef, 'v1alpha3'));
    expect(cols(tkcDef, 'v1alpha1').map((c) => c.split('=')[0])).toEqual(['Control Plane', 'Worker', 'Distribution', 'Age', 'Phase']);
    expect(cols(tkrDef, 'v1alpha3').map((c) => c.split('=')[0])).toEqual(['Version', 'Ready', 'Compatible', 'Created']);
    expect(cols(clusterResource, 'v1beta1').map((c) => c.split('=')[0])).toEqual(['ClusterClass', 'Phase', 'Age', 'Version']);
    expect(cols(machineResource, 'v1beta1').map((c) => c.split('=')[0])).toEqual(['Cluster', 'NodeName', 'ProviderID', 'Phase', 'Age', 'Version']);
    expect(cols(machineDeploymentResource, 'v1beta1').map((c) => c.split('=')[0])).toEqual(['Cluster', 'Desired', 'Replicas', 'Ready', 'Updated', 'Unavailable', 'Phase', 'Age', 'Version']);
    expect(cols(kubeadmControlPlaneResource, 'v1beta1').map((c) => c.split('=')[0])).toEqual(['Cluster', 'Initialized', 'API Server Available', 'Desired', 'Replicas', 'Ready', 'Updated', 'Unavailable', 'Age', 'Version']);
    expect(cols(machineHealthCheckResource, 'v1beta1').map((c) => c.split('=')[0])).toEqual(['Cluster', 'ExpectedMachines', 'MaxUnhealthy', 'CurrentHealthy', 'Age']);
  });
});

describe('guest-cluster schemas', () => {
  it.each([
    ['TKC v1alpha3 (1 control plane, a pool of 2)', tkcDef, 'v1alpha3', tkcV3],
    ['TKC v1alpha1', tkcDef, 'v1alpha1', tkcV1],
    ['TKR', tkrDef, 'v1alpha3', tkr],
    ['Cluster on the tanzukubernetescluster class', clusterResource, 'v1beta1', cluster],
    ['MachineDeployment', machineDeploymentResource, 'v1beta1', md],
    ['MachineSet', machineSetResource, 'v1beta1', ms],
    ['Machine', machineResource, 'v1beta1', machine],
    ['KubeadmControlPlane', kubeadmControlPlaneResource, 'v1beta1', kcp],
    ['MachineHealthCheck', machineHealthCheckResource, 'v1beta1', mhc],
    ['VSphereCluster', vsphereClusterResource, 'v1beta1', vsphereCluster],
    ['VSphereMachine', vsphereMachineResource, 'v1beta1', vsphereMachine],
    ['VSphereMachineTemplate', vsphereMachineTemplateResource, 'v1beta1', vsphereMachineTemplate],
  ])('accept a %s', (_n, def, version, obj) => {
    expectValid(def, version, obj);
  });

  it('accept the TKC of the e2e manifest at v1alpha2 too, without failureDomain', () => {
    const v2 = { ...tkcV3, apiVersion: `${RUN}/v1alpha2`, spec: { ...tkcV3.spec, topology: { ...tkcV3.spec.topology, nodePools: [pool('workers', 2)] } }, status: { phase: 'running' } };
    expectValid(tkcDef, 'v1alpha2', v2);
    expect(check(tkcDef, 'v1alpha2', tkcV3).unknown).toEqual(expect.arrayContaining(['.spec.topology.nodePools[0].failureDomain', '.status.nodeStatus']));
  });

  it('report a TKR named under tkr instead of tkr.reference', () => {
    const bad = clone(tkcV3) as any;
    bad.spec.topology.controlPlane.tkr = { name: TKR };
    expect(check(tkcDef, 'v1alpha3', bad).unknown).toEqual(['.spec.topology.controlPlane.tkr.name']);
  });

  it('refuse a node pool without a vmClass and a v1alpha1 topology written with v1alpha3 names', () => {
    const bad = clone(tkcV3) as any;
    delete bad.spec.topology.nodePools[0].vmClass;
    expect(check(tkcDef, 'v1alpha3', bad).causes).toEqual([expect.objectContaining({ field: expect.stringContaining('nodePools[0]') })]);
    const mixed = clone(tkcV1) as any;
    mixed.spec.topology.workers = { replicas: 2, vmClass: 'x', storageClass: 'y' };
    const r = check(tkcDef, 'v1alpha1', mixed);
    expect(r.unknown).toEqual(['.spec.topology.workers.replicas', '.spec.topology.workers.vmClass']);
    expect(r.causes.length).toBeGreaterThan(0);
  });

  it('refuse Cluster API values outside their enums and missing required fields', () => {
    expect(check(machineSetResource, 'v1beta1', { ...ms, spec: { ...ms.spec, deletePolicy: 'Youngest' } }).causes).toHaveLength(1);
    expect(check(machineDeploymentResource, 'v1beta1', { ...md, spec: { ...md.spec, strategy: { type: 'Recreate' } } }).causes).toHaveLength(1);
    expect(check(kubeadmControlPlaneResource, 'v1beta1', { ...kcp, spec: { replicas: 3, machineTemplate: kcp.spec.machineTemplate } }).causes.length).toBeGreaterThan(0);
    expect(check(machineResource, 'v1beta1', { ...machine, spec: { clusterName: 'cl-1', bootstrap: {} } }).causes.length).toBeGreaterThan(0);
    expect(check(machineHealthCheckResource, 'v1beta1', { ...mhc, spec: { ...mhc.spec, unhealthyConditions: [{ type: 'Ready', status: 'False' }] } }).causes).toHaveLength(1);
    expect(check(vsphereMachineResource, 'v1beta1', { ...vsphereMachine, spec: { ...vsphereMachine.spec, powerOffMode: 'TrySoft' } }).causes).toHaveLength(1);
    expect(check(clusterResource, 'v1beta1', { ...cluster, spec: { topology: { class: 'tanzukubernetescluster' } } }).causes).toHaveLength(1);
  });
});

describe('TanzuKubernetesCluster conversion round trips', () => {
  const cases = [tkcV3, tkcMultiPool].flatMap((o, i) => TKC_VERSIONS.map((v) => [i === 0 ? 'one pool' : 'three pools', v, o] as const));

  it.each(cases)('%s: storage -> %s -> storage gives the stored object back', (_n, v, o) => {
    const view = conv.fromStorage(o, v);
    expect(view.apiVersion).toBe(`${RUN}/${v}`);
    expect(conv.toStorage(view, v, o)).toStrictEqual(o);
  });

  it.each(cases)('%s: the %s view is valid at that version', (_n, v, o) => {
    expectValid(tkcDef, v, conv.fromStorage(o, v));
  });

  it.each(cases)('%s: conversion leaves its inputs alone (%s)', (_n, v, o) => {
    const before = JSON.stringify(o);
    const view = conv.fromStorage(o, v);
    const viewBefore = JSON.stringify(view);
    conv.toStorage(view, v, o);
    expect(JSON.stringify(o)).toBe(before);
    expect(JSON.stringify(view)).toBe(viewBefore);
  });

  it.each(TKC_VERSIONS)('an object written at %s reads back as written, and is valid at storage', (v) => {
    const written = v === 'v1alpha1' ? tkcV1 : { ...conv.fromStorage(tkcV3, v), metadata: { name: 'fresh', namespace: 'tkg-team' } };
    const stored = conv.toStorage(written, v);
    expect(stored.apiVersion).toBe(`${RUN}/v1alpha3`);
    expectValid(tkcDef, 'v1alpha3', { ...stored, metadata: { ...stored.metadata, annotations: undefined } });
    expect(conv.fromStorage(stored, v)).toStrictEqual(written);
    expect(conv.toStorage(written, v, stored)).toStrictEqual(stored);
  });
});

describe('TanzuKubernetesCluster v1alpha1 <-> v1alpha3', () => {
  const up = (o: any) => conv.toStorage(o, 'v1alpha1');
  const down = (o: any) => conv.fromStorage(o, 'v1alpha1');

  it('maps count/class/storageClass to replicas/vmClass/storageClass and workers to the pool named workers', () => {
    const t = up(tkcV1).spec.topology;
    expect(t.controlPlane).toEqual({ replicas: 3, vmClass: 'best-effort-small', storageClass: 'vsan-default', tkr: { reference: { name: 'v1.21.6---vmware.1-tkg.1.b3d708a' } } });
    expect(t.nodePools).toEqual([{ name: 'workers', replicas: 2, vmClass: 'best-effort-medium', storageClass: 'vsan-default', volumes: tkcV1.spec.topology.workers.volumes }]);
    expect(down(tkcV3).spec.topology).toEqual({
      controlPlane: { count: 1, class: 'best-effort-small', storageClass: 'vsan-default' },
      workers: { count: 2, class: 'best-effort-small', storageClass: 'vsan-default', volumes: tkcV3.spec.topology.nodePools[0].volumes },
    });
  });

  it('names the TKR after distribution.fullVersion and keeps the distribution; derives it back from the TKR', () => {
    const stored = up(tkcV1);
    expect(stored.spec.distribution).toEqual(tkcV1.spec.distribution);
    expect(down(tkcV3).spec.distribution).toEqual({ fullVersion: 'v1.29.4+vmware.3-fips.1-tkg.1' });
    // Only a version hint: no TKR is named, the hint stays for the controller to resolve.
    const hinted = up({ ...tkcV1, spec: { ...tkcV1.spec, distribution: { version: 'v1.29' } } });
    expect(hinted.spec.topology.controlPlane.tkr).toBeUndefined();
    expect(hinted.spec.distribution).toEqual({ version: 'v1.29' });
    expect(down(hinted).spec.distribution).toEqual({ version: 'v1.29' });
  });

  it('shows v1alpha1 the TKR chosen later at v1alpha3 instead of a stale distribution', () => {
    const stored = up(tkcV1);
    stored.spec.topology.controlPlane.tkr.reference.name = 'v1.22.9---vmware.1-tkg.1';
    expect(down(stored).spec.distribution).toEqual({ fullVersion: 'v1.22.9+vmware.1-tkg.1' });
  });

  it('shows the pool named workers (else the first) and lands a v1alpha1 edit on it alone', () => {
    const view = down(tkcMultiPool);
    expect(view.spec.topology.workers).toEqual({ count: 2, class: 'best-effort-small', storageClass: 'vsan-default' });
    const edited = clone(view);
    edited.spec.topology.workers.count = 5;
    edited.spec.topology.controlPlane.count = 3;
    const stored = conv.toStorage(edited, 'v1alpha1', tkcMultiPool);
    expect(stored.spec.topology.nodePools.map((p: any) => [p.name, p.replicas, p.vmClass])).toEqual([['np-gpu', 1, 'gpu-large'], ['workers', 5, 'best-effort-small'], ['np-mem', 3, 'best-effort-small']]);
    expect(stored.spec.topology.nodePools[2].tkr).toEqual(tkcMultiPool.spec.topology.nodePools[2].tkr);
    expect(stored.spec.topology.controlPlane.replicas).toBe(3);
    expect(stored.metadata.annotations).toBeUndefined();
    const noWorkersPool = { ...tkcMultiPool, spec: { ...tkcMultiPool.spec, topology: { ...tkcMultiPool.spec.topology, nodePools: [pool('a', 4), pool('b', 1)] } } };
    expect(down(noWorkersPool).spec.topology.workers.count).toBe(4);
  });

  it('does not wipe v1alpha3-only fields on a v1alpha1 update', () => {
    const view = down(tkcV3);
    const updated = conv.toStorage({ ...view, spec: { ...view.spec, topology: { ...view.spec.topology, workers: { ...view.spec.topology.workers, count: 3 } } } }, 'v1alpha1', tkcV3);
    const expected = clone(tkcV3);
    expected.spec.topology.nodePools[0].replicas = 3;
    expect(updated).toStrictEqual(expected);
  });

  it('maps apiEndpoints, phase, version, per-node maps and addons of the status', () => {
    const s = up(tkcV1).status;
    expect(s).toEqual({
      apiEndpoints: [{ host: '10.0.0.7', port: 6443 }],
      version: 'v1.21.6+vmware.1',
      phase: 'running',
      nodeStatus: tkcV1.status.nodeStatus,
      vmStatus: tkcV1.status.vmStatus,
      addons: [{ name: 'calico', type: 'CNI', version: '3.11.2' }, { name: 'CoreDNS', type: 'DNS', version: 'v1.8.0' }],
    });
    expect(down(tkcV3).status).toEqual({
      clusterApiStatus: { apiEndpoints: [{ host: '10.0.0.100', port: 6443 }] },
      vmStatus: tkcV3.status.vmStatus,
      nodeStatus: tkcV3.status.nodeStatus,
      version: 'v1.29.4+vmware.3-fips.1',
      addons: { cni: { name: 'antrea', version: '1.13.3', conditions: [{ type: 'Provisioned', status: 'True' }] } },
      phase: 'running',
    });
  });

  it('keeps what v1alpha3 cannot express in a stash annotation for v1alpha1 readers only', () => {
    const stored = up(tkcV1);
    expect(Object.keys(stored.metadata.annotations)).toEqual([`${CONVERSION_STASH_ANNOTATION_PREFIX}v1alpha1`]);
    expect(conv.fromStorage(stored, 'v1alpha3').status.nodeRemediationCount).toBeUndefined();
    expect(down(stored).status).toMatchObject({ nodeRemediationCount: 1, clusterApiStatus: { phase: 'Provisioned' } });
    expect(down(stored).metadata.annotations).toBeUndefined();
  });

  it('serves v1alpha2 the v1alpha3 object without failureDomain and restores it on update', () => {
    const view = conv.fromStorage(tkcV3, 'v1alpha2');
    expect(view.spec.topology.nodePools[0].failureDomain).toBeUndefined();
    expect(view.status.nodeStatus).toBeUndefined();
    const updated = conv.toStorage({ ...view, spec: { ...view.spec, topology: { ...view.spec.topology, controlPlane: { ...view.spec.topology.controlPlane, replicas: 3 } } } }, 'v1alpha2', tkcV3);
    expect(updated.spec.topology.nodePools[0].failureDomain).toBe('zone-a');
    expect(updated.spec.topology.controlPlane.replicas).toBe(3);
  });
});

describe('TanzuKubernetesRelease v1alpha1 <-> v1alpha3', () => {
  const c = tkrDef.conversion!;

  it('maps kubernetesVersion, repository, images and nodeImageRef to kubernetes{...} and osImages', () => {
    const view = c.fromStorage(tkr, 'v1alpha1');
    expect(view.spec).toEqual({
      version: 'v1.29.4+vmware.3-fips.1-tkg.1',
      kubernetesVersion: 'v1.29.4+vmware.3-fips.1',
      repository: 'localhost:5000/vmware.io',
      images: [{ name: 'etcd', tag: 'v3.5.12_vmware.4' }, { name: 'pause', tag: '3.9' }, { name: 'coredns', tag: 'v1.11.1_vmware.9' }],
      nodeImageRef: { apiVersion: 'vmoperator.vmware.com/v1alpha1', kind: 'VirtualMachineImage', name: 'ob-22-tkr-v1-29' },
    });
    expectValid(tkrDef, 'v1alpha1', view);
    expect(c.toStorage(view, 'v1alpha1', tkr)).toStrictEqual(tkr);
  });

  it('gives a v1alpha1 TKR back as written', () => {
    const written = { apiVersion: `${RUN}/v1alpha1`, kind: 'TanzuKubernetesRelease', metadata: { name: 'v1.21.6---vmware.1-tkg.1' }, spec: { version: 'v1.21.6+vmware.1-tkg.1', kubernetesVersion: 'v1.21.6+vmware.1', repository: 'vmware.io', images: [{ name: 'coredns', repository: 'vmware.io', tag: 'v1.8.0' }, { name: 'antrea', tag: '1.2' }], nodeImageRef: { kind: 'VirtualMachineImage', name: 'photon-3-k8s-v1.21.6' } } };
    const stored = c.toStorage(written, 'v1alpha1');
    expect(stored.spec).toEqual({ version: 'v1.21.6+vmware.1-tkg.1', kubernetes: { version: 'v1.21.6+vmware.1', imageRepository: 'vmware.io', coredns: { imageRepository: 'vmware.io', imageTag: 'v1.8.0' } }, osImages: [{ name: 'photon-3-k8s-v1.21.6' }] });
    expect(c.fromStorage(stored, 'v1alpha1')).toStrictEqual(written);
  });
});

describe('ClusterClass', () => {
  it('takes the default class tanzukubernetescluster, with its status, in its strict schema', () => {
    expectValid(clusterClassResource, 'v1beta1', {
      apiVersion: CAPI,
      kind: 'ClusterClass',
      metadata: { ...meta, name: TKC_CLUSTER_CLASS },
      spec: tanzuKubernetesClusterClassSpec(),
      status: {
        observedGeneration: 1,
        variables: [{ name: 'vmClass', definitions: [{ from: 'inline', required: true, schema: { openAPIV3Schema: { type: 'string' } } }] }],
        conditions: [{ type: 'VariablesReconciled', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' }],
      },
    });
  });

  it('offers the worker class node-pool and requires vmClass and storageClass, as vSphere 8 does', () => {
    const spec = tanzuKubernetesClusterClassSpec();
    expect(spec.workers.machineDeployments.map((c: any) => c.class)).toEqual(['node-pool']);
    expect(spec.variables.map((v: any) => [v.name, v.required])).toEqual([['vmClass', true], ['storageClass', true]]);
    expect(spec.controlPlane.machineHealthCheck).toEqual({
      maxUnhealthy: '100%',
      nodeStartupTimeout: '2h0m0s',
      unhealthyConditions: [{ type: 'Ready', status: 'Unknown', timeout: '5m0s' }, { type: 'Ready', status: 'False', timeout: '12m0s' }],
    });
  });

  it('refuses a worker class without its template, naming the field', () => {
    const spec = tanzuKubernetesClusterClassSpec();
    delete spec.workers.machineDeployments[0].template;
    expect(check(clusterClassResource, 'v1beta1', { apiVersion: CAPI, kind: 'ClusterClass', metadata: meta, spec }).causes.map((c) => c.field)).toEqual(['spec.workers.machineDeployments[0].template']);
  });
});
