import { clonedFrom, clonedVSphereMachine, machineInfrastructureRef, objectRef, referencedTemplates, vsphereMachineTemplate } from './machine-templates';

const CAPV = 'vmware.infrastructure.cluster.x-k8s.io/v1beta1';
const owner = { apiVersion: 'run.tanzu.vmware.com/v1alpha3', kind: 'TanzuKubernetesCluster', metadata: { name: 'c', namespace: 'ns', uid: 'tkc-1' } };
const meta = { labels: { 'cluster.x-k8s.io/cluster-name': 'c' }, clonedFrom: 'tanzukubernetescluster-node-pool' };
const small = { className: 'best-effort-small', imageName: 'ob-22-tkr-v1-29', storageClass: 'gold' };

describe('VSphereMachineTemplates', () => {
  it('are named <base>-<5 chars> by their spec: the same make-up the same name, another make-up another name', () => {
    const t = vsphereMachineTemplate('ns', 'c-np-1', owner, small, meta);
    expect(t.metadata.name).toMatch(/^c-np-1-[0-9a-f]{5}$/);
    expect(vsphereMachineTemplate('ns', 'c-np-1', owner, { ...small }, meta).metadata.name).toBe(t.metadata.name);
    expect(vsphereMachineTemplate('ns', 'c-np-1', owner, { ...small, className: 'best-effort-large' }, meta).metadata.name).not.toBe(t.metadata.name);
    expect(vsphereMachineTemplate('ns', 'c-np-1', owner, { ...small, imageName: 'ob-22-tkr-v1-30' }, meta).metadata.name).not.toBe(t.metadata.name);
    expect(t).toMatchObject({
      apiVersion: CAPV, kind: 'VSphereMachineTemplate',
      metadata: { namespace: 'ns', labels: meta.labels, ownerReferences: [{ kind: 'TanzuKubernetesCluster', uid: 'tkc-1', controller: true }], annotations: { 'cluster.x-k8s.io/cloned-from-name': 'tanzukubernetescluster-node-pool', 'cluster.x-k8s.io/cloned-from-groupkind': 'VSphereMachineTemplate.vmware.infrastructure.cluster.x-k8s.io' } },
      spec: { template: { spec: { ...small, powerOffMode: 'trySoft' } } },
    });
    expect(objectRef(t)).toEqual({ apiVersion: CAPV, kind: 'VSphereMachineTemplate', name: t.metadata.name, namespace: 'ns' });
    // A class not given is left out, not written as null.
    expect(vsphereMachineTemplate('ns', 'c-np-1', owner, { imageName: 'img' }, meta).spec.template.spec).toEqual({ imageName: 'img', powerOffMode: 'trySoft' });
  });

  it("give a new Machine a reference to the VSphereMachine of its own name; any other reference is kept", () => {
    const template = { apiVersion: CAPV, kind: 'VSphereMachineTemplate', name: 'c-np-1-abcde' };
    expect(machineInfrastructureRef(template, 'ns', 'c-np-1-x1y2z')).toEqual({ apiVersion: CAPV, kind: 'VSphereMachine', name: 'c-np-1-x1y2z', namespace: 'ns' });
    const other = { apiVersion: 'example.com/v1', kind: 'Thing', name: 't' };
    expect(machineInfrastructureRef(other, 'ns', 'm')).toBe(other);
  });

  it("are cloned into a Machine's VSphereMachine with the Machine's labels and where it came from, owned by the Machine", () => {
    const template = { metadata: { name: 'c-np-1-abcde' }, spec: { template: { metadata: { labels: { tier: 'web' } }, spec: small } } };
    const machine = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Machine', metadata: { name: 'c-np-1-x1y2z', namespace: 'ns', uid: 'm-1', labels: { 'cluster.x-k8s.io/cluster-name': 'c' } } };
    const vsm = clonedVSphereMachine(template, machine);
    expect(vsm).toMatchObject({
      apiVersion: CAPV, kind: 'VSphereMachine',
      metadata: {
        name: 'c-np-1-x1y2z', namespace: 'ns', labels: { tier: 'web', 'cluster.x-k8s.io/cluster-name': 'c' }, ownerReferences: [{ kind: 'Machine', uid: 'm-1' }],
        annotations: { 'cluster.x-k8s.io/cloned-from-name': 'c-np-1-abcde', 'cluster.x-k8s.io/cloned-from-groupkind': 'VSphereMachineTemplate.vmware.infrastructure.cluster.x-k8s.io' },
      },
      spec: { ...small, powerOffMode: 'trySoft' },
    });
    expect(vsm.spec).not.toHaveProperty('failureDomain');
    // A Machine placed in a failure domain gives it to its VSphereMachine (CAPV's Supervisor flavour).
    expect(clonedVSphereMachine(template, { ...machine, spec: { failureDomain: 'zone-b' } }).spec).toEqual({ ...small, powerOffMode: 'trySoft', failureDomain: 'zone-b' });
  });

  it('tell a VSphereMachine cloned from another template; one without the annotations counts as cloned from the current one', () => {
    const vsm = clonedVSphereMachine({ metadata: { name: 'c-control-plane-aaaaa' }, spec: { template: { spec: small } } }, { metadata: { name: 'm', namespace: 'ns', uid: 'u' } });
    expect(clonedFrom(vsm, { apiVersion: CAPV, kind: 'VSphereMachineTemplate', name: 'c-control-plane-aaaaa' })).toBe(true);
    expect(clonedFrom(vsm, { apiVersion: CAPV, kind: 'VSphereMachineTemplate', name: 'c-control-plane-bbbbb' })).toBe(false);
    expect(clonedFrom({ metadata: {} }, { kind: 'VSphereMachineTemplate', name: 'c-control-plane-bbbbb' })).toBe(true);
    expect(clonedFrom(undefined, { kind: 'VSphereMachineTemplate', name: 'c-control-plane-bbbbb' })).toBe(true);
  });

  it('are referenced from control planes, MachineDeployments, MachineSets and Machines written by hand', () => {
    const ref = (name: string) => ({ apiVersion: CAPV, kind: 'VSphereMachineTemplate', name });
    const used = referencedTemplates({
      kcps: [{ spec: { machineTemplate: { infrastructureRef: ref('cp') } } }],
      mds: [{ spec: { template: { spec: { infrastructureRef: ref('md') } } } }],
      mss: [{ spec: { template: { spec: { infrastructureRef: ref('old-ms') } } } }],
      machines: [{ spec: { infrastructureRef: ref('by-hand') } }, { spec: { infrastructureRef: { apiVersion: CAPV, kind: 'VSphereMachine', name: 'm' } } }],
    });
    expect([...used].sort()).toEqual(['by-hand', 'cp', 'md', 'old-ms']);
  });
});
