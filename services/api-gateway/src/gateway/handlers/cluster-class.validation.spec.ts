import { ObjectEventTypes, objectStreamId, resourceDefinitions, tanzuKubernetesClusterClassSpec } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { ReadModel } from '@openpacific/objects';
import { defaultClusterClass, validateClusterClassCreate, validateClusterClassUpdate } from './cluster-class.validation';
import { strategyFor } from './kind-strategies';
import { statusOf } from './thrown-status.spec-support';

const NS = 'tkg-team';
const VSPHERE = 'vmware.infrastructure.cluster.x-k8s.io/v1beta1';
const clusterClass = (spec: any = {}, name = 'custom') => ({
  apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'ClusterClass', metadata: { name, namespace: NS },
  spec: {
    infrastructure: { ref: { apiVersion: VSPHERE, kind: 'VSphereClusterTemplate', name: 'custom' } },
    controlPlane: { ref: { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlaneTemplate', name: 'custom-control-plane' } },
    ...spec,
  },
});
const worker = (cls: string, extra: any = {}) => ({
  class: cls,
  template: {
    bootstrap: { ref: { apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1', kind: 'KubeadmConfigTemplate', name: `${cls}-bootstrap` } },
    infrastructure: { ref: { apiVersion: VSPHERE, kind: 'VSphereMachineTemplate', name: `${cls}-machines` } },
  },
  ...extra,
});
const variable = (name: string, openAPIV3Schema: any) => ({ name, required: false, schema: { openAPIV3Schema } });
const messages = (causes: any[]) => causes.map((c) => `${c.field}: ${c.message}`);

describe("ClusterClass admission (Cluster API's ClusterClass webhook)", () => {
  it('is the strategy of the kind, and takes the default class and the classes the tests write', () => {
    const def = resourceDefinitions.find((d) => d.kind === 'ClusterClass')!;
    expect(strategyFor(def).validateCreate!(clusterClass(tanzuKubernetesClusterClassSpec(), 'tanzukubernetescluster'), undefined as any)).toEqual([]);
    const custom = clusterClass({
      variables: [
        variable('zone', { type: 'string', enum: ['zone-a', 'zone-b'] }),
        variable('cpu', { type: 'integer', minimum: 1, maximum: 16 }),
        variable('proxy', { type: 'object', properties: { url: { type: 'string', pattern: '^https?://' } }, required: ['url'] }),
      ],
    });
    expect(validateClusterClassCreate(custom)).toEqual([]);
  });

  it('refuses variables named twice, `builtin`, with a dot, and schemas without or with an unknown type', () => {
    const cc = clusterClass({
      variables: [
        variable('cpu', { type: 'integer' }),
        variable('cpu', { type: 'integer' }),
        variable('builtin', { type: 'string' }),
        variable('a.b', { type: 'string' }),
        variable('untyped', { properties: { x: { type: 'string' } } }),
        variable('nested', { type: 'object', properties: { x: {} }, additionalProperties: { type: 'string' } }),
        variable('items', { type: 'array', items: {} }),
        variable('odd', { type: 'object', properties: { x: { type: 'float' } } }),
        variable('both', { type: 'object', properties: { x: { type: 'string' } }, additionalProperties: { type: 'string' } }),
      ],
    });
    expect(messages(validateClusterClassCreate(cc))).toEqual([
      'spec.variables[cpu].name: Invalid value: "cpu": variable name must be unique. Variable with name "cpu" is defined more than once',
      'spec.variables[builtin].name: Invalid value: "builtin": "builtin" is a reserved variable name',
      'spec.variables[a.b].name: Invalid value: "a.b": variable name cannot contain "."',
      'spec.variables[untyped].schema.openAPIV3Schema.type: Required value: must not be empty for specified object fields',
      'spec.variables[nested].schema.openAPIV3Schema.properties[x].type: Required value: must not be empty for specified object fields',
      'spec.variables[items].schema.openAPIV3Schema.items.type: Required value: must not be empty for specified array items',
      'spec.variables[odd].schema.openAPIV3Schema.properties[x].type: Unsupported value: "float": supported values: "array", "boolean", "integer", "number", "object", "string"',
      'spec.variables[both].schema.openAPIV3Schema: Forbidden: additionalProperties and properties are mutually exclusive',
    ]);
  });

  it('refuses templates of a kind not named ...Template, in another namespace, unnamed, and worker classes twice', () => {
    const cc = clusterClass({
      infrastructure: { ref: { apiVersion: VSPHERE, kind: 'VSphereCluster', name: 'c', namespace: 'other' } },
      workers: { machineDeployments: [worker('np'), worker('np', { template: { bootstrap: { ref: { apiVersion: 'a/b/c', kind: 'KubeadmConfigTemplate' } }, infrastructure: worker('np').template.infrastructure } })] },
    });
    expect(messages(validateClusterClassCreate(cc))).toEqual([
      'spec.infrastructure.ref.namespace: Invalid value: "other": template must be in the same namespace as the ClusterClass (tkg-team)',
      'spec.infrastructure.ref.kind: Invalid value: "VSphereCluster": template kind must be of form "<name>Template"',
      'spec.workers.machineDeployments[1].template.bootstrap.ref.name: Required value: template name must be defined',
      'spec.workers.machineDeployments[1].template.bootstrap.ref.apiVersion: Invalid value: "a/b/c": template apiVersion must be a valid Kubernetes apiVersion: unexpected GroupVersion string: a/b/c',
      'spec.workers.machineDeployments[1].class: Invalid value: "np": MachineDeployment class must be unique. MachineDeployment with class "np" is defined more than once',
    ]);
  });

  it("refuses health checks as a MachineHealthCheck's, and one of the control plane without machine infrastructure", () => {
    const cc = clusterClass({
      controlPlane: { ...clusterClass().spec.controlPlane, machineHealthCheck: { nodeStartupTimeout: '10s', maxUnhealthy: 'all' } },
      workers: { machineDeployments: [worker('np', { machineHealthCheck: { nodeStartupTimeout: '20s' } })] },
    });
    expect(messages(validateClusterClassCreate(cc))).toEqual([
      'spec.controlPlane.machineHealthCheck.nodeStartupTimeout: Invalid value: "10s": must be at least 30s',
      'spec.controlPlane.machineHealthCheck.maxUnhealthy: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"all"}: must be either an int or a percentage: invalid value for IntOrString: invalid type: string is not a percentage',
      'spec.controlPlane.machineHealthCheck.machineInfrastructure: Forbidden: can be set only if spec.controlPlane.machineInfrastructure is set',
      'spec.workers.machineDeployments[np].machineHealthCheck.nodeStartupTimeout: Invalid value: "20s": must be at least 30s',
    ]);
    const bad = clusterClass({ controlPlane: { ...clusterClass().spec.controlPlane, machineHealthCheck: { unhealthyConditions: [{ type: 'Ready', status: 'False', timeout: '5' }] } } });
    expect(statusOf(() => defaultClusterClass(bad))).toMatchObject({
      code: 400, message: 'admission webhook "default.clusterclass.cluster.x-k8s.io" denied the request: time: missing unit in duration "5"',
    });
  });

  it('refuses malformed patches in the words of patch_validation.go', () => {
    const cc = clusterClass({
      variables: [variable('cpu', { type: 'integer' })],
      workers: { machineDeployments: [worker('np')] },
      patches: [
        {
          name: 'p1',
          definitions: [{
            selector: { apiVersion: VSPHERE, kind: 'VSphereMachineTemplate', matchResources: { machineDeploymentClass: { names: ['np', 'other'] } } },
            jsonPatches: [
              { op: 'move', path: '/spec/template/spec/numCPUs', value: 2 },
              { op: 'replace', path: '/metadata/labels', valueFrom: { variable: 'memory' } },
              { op: 'add', path: '/spec/template/spec/disks/1', value: 1, valueFrom: { variable: 'cpu' } },
              { op: 'remove', path: '/spec/template/spec/disks/0' },
            ],
          }],
        },
        { name: 'p1', definitions: [{ selector: { apiVersion: VSPHERE, kind: 'VSphereClusterTemplate', matchResources: {} }, jsonPatches: [] }] },
        { name: 'p3' },
      ],
    });
    expect(messages(validateClusterClassCreate(cc))).toEqual([
      'spec.patches[0].definitions[0].jsonPatches[0].op: Unsupported value: "{\\n  \\"op\\": \\"move\\",\\n  \\"path\\": \\"/spec/template/spec/numCPUs\\",\\n  \\"value\\": 2\\n}": supported values: "add", "remove", "replace"',
      'spec.patches[0].definitions[0].jsonPatches[1].path: Invalid value: "{\\n  \\"op\\": \\"replace\\",\\n  \\"path\\": \\"/metadata/labels\\",\\n  \\"valueFrom\\": {\\n    \\"variable\\": \\"memory\\"\\n  }\\n}": jsonPatch path must start with "/spec/"',
      'spec.patches[0].definitions[0].jsonPatches[1].valueFrom.variable: Invalid value: "memory": variable with name memory cannot be found',
      'spec.patches[0].definitions[0].jsonPatches[2].path: Invalid value: "/spec/template/spec/disks/1": arrays can only be accessed using "0" (prepend) or "-" (append)',
      'spec.patches[0].definitions[0].jsonPatches[2]: Invalid value: "{\\n  \\"op\\": \\"add\\",\\n  \\"path\\": \\"/spec/template/spec/disks/1\\",\\n  \\"value\\": 1,\\n  \\"valueFrom\\": {\\n    \\"variable\\": \\"cpu\\"\\n  }\\n}": jsonPatch can not define both value and valueFrom',
      'spec.patches[0].definitions[0].jsonPatches[3].path: Invalid value: "/spec/template/spec/disks/0": elements in arrays can not be accessed in a remove operation',
      'spec.patches[0].definitions[0].selector.matchResources.machineDeploymentClass.names[1]: Invalid value: "other": selector is enabled but matches neither the bootstrap ref nor the infrastructure ref of a MachineDeployment class',
      'spec.patches[1].name: Invalid value: "p1": patch names must be unique. Patch with name "p1" is defined more than once',
      'spec.patches[1].definitions[0].selector: Invalid value: "{\\n  \\"apiVersion\\": \\"vmware.infrastructure.cluster.x-k8s.io/v1beta1\\",\\n  \\"kind\\": \\"VSphereClusterTemplate\\",\\n  \\"matchResources\\": {}\\n}": no selector enabled',
      'spec.patches[2]: Required value: one of definitions or external must be defined',
    ]);
  });

  it('on update, refuses changing a template\'s kind and removing a worker class a Cluster uses, and lets the system\'s own class be labelled', () => {
    const model = new ReadModel();
    const cluster = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', metadata: { name: 'c1', namespace: NS }, spec: { topology: { class: 'custom', version: 'v1.29.4', workers: { machineDeployments: [{ class: 'np', name: 'np-1' }] } } } };
    model.apply({
      id: 'e1', streamId: objectStreamId('clusters.cluster.x-k8s.io', NS, 'c1'), streamVersion: 1, type: ObjectEventTypes.created,
      data: { resource: 'clusters.cluster.x-k8s.io', object: cluster }, metadata: { actor: 'admin', source: 'test' }, position: 1n, transactionId: 1n, createdAt: new Date(),
    } as RecordedEvent);
    const ctx = { readModel: model, serviceCIDR: '127.202.0.0/16' };
    const old = clusterClass({ workers: { machineDeployments: [worker('np')] } });
    const next = clusterClass({ infrastructure: { ref: { apiVersion: VSPHERE, kind: 'OtherClusterTemplate', name: 'custom' } }, workers: { machineDeployments: [] } });
    expect(messages(validateClusterClassUpdate(old, next, ctx))).toEqual([
      'spec.infrastructure.ref.kind: Forbidden: apiVersion.kind cannot be changed from "VSphereClusterTemplate" to "OtherClusterTemplate" to prevent incompatible changes in the Clusters',
      'spec.workers.machineDeployments: Forbidden: MachineDeploymentClass "np" cannot be deleted because it is used by Cluster "c1"',
    ]);
    // A class the system wrote with a variable no longer valid is still labelled; a new bad variable is refused.
    const written = clusterClass({ variables: [variable('x', { type: 'float' })] });
    expect(validateClusterClassUpdate(written, { ...written, metadata: { ...written.metadata, labels: { a: 'b' } } }, ctx)).toEqual([]);
    expect(validateClusterClassUpdate(written, clusterClass({ variables: [variable('x', { type: 'float' }), variable('y', {})] }), ctx)).toHaveLength(1);
  });
});
