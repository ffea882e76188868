import { validateAgainstSchema } from '@openpacific/kube-api';
import { resourceDefinitions, ResourceDefinition } from '../index';
import { CONVERSION_STASH_ANNOTATION_PREFIX, VMOPERATOR_VERSIONS, vmoperatorResources } from './index';
import {
  clusterVirtualMachineImageResource,
  virtualMachineClassResource,
  virtualMachineImageResource,
  virtualMachineResource,
  virtualMachineServiceResource,
  virtualMachineSetResourcePolicyResource,
} from './index';

const G = 'vmoperator.vmware.com';
const meta = { name: 'web-1', namespace: 'team-a', uid: 'u-1', resourceVersion: '7', creationTimestamp: '2025-01-01T00:00:00Z', labels: { app: 'web' } };

/** Validates the way the gateway does (ajv, allErrors, unknown fields apart). */
function check(def: ResourceDefinition, version: string, obj: any) {
  const r = validateAgainstSchema(def, version, obj, 'Strict');
  return { causes: r.causes, unknown: r.unknownFields };
}

function expectValid(def: ResourceDefinition, version: string, obj: any): void {
  expect(check(def, version, obj)).toEqual({ causes: [], unknown: [] });
}

const conv = (def: ResourceDefinition) => def.conversion!;

// ------------------------------------------------------------------------------------------------
// Fixtures: v1alpha5 (storage) objects using as many fields as possible.

const vmV5 = {
  apiVersion: `${G}/v1alpha5`,
  kind: 'VirtualMachine',
  metadata: meta,
  spec: {
    className: 'best-effort-small',
    imageName: 'ubuntu-22.04',
    image: { kind: 'VirtualMachineImage', name: 'vmi-0a1b2c' },
    class: { apiVersion: `${G}/v1alpha5`, kind: 'VirtualMachineClassInstance', name: 'best-effort-small-1' },
    storageClass: 'wcp-policy',
    powerState: 'PoweredOn',
    powerOffMode: 'TrySoft',
    suspendMode: 'Hard',
    restartMode: 'Soft',
    nextRestartTime: '2025-01-02T00:00:00Z',
    bootstrap: {
      cloudInit: {
        instanceID: 'iid-1',
        cloudConfig: { users: [{ name: 'ops', passwd: { name: 'pw', key: 'ops' } }], runcmd: ['echo hi'] },
        sshAuthorizedKeys: ['ssh-ed25519 AAAA'],
        useGlobalNameserversAsDefault: true,
        waitOnNetwork4: true,
      },
    },
    network: {
      hostName: 'web-1',
      domainName: 'corp.local',
      nameservers: ['10.0.0.2'],
      interfaces: [
        { name: 'eth0', network: { apiVersion: 'netoperator.vmware.com/v1alpha1', kind: 'Network', name: 'primary' }, addresses: ['10.0.0.10/24'], gateway4: '10.0.0.1', macAddr: '00:50:56:00:00:01', mtu: 1500 },
        { name: 'eth1', network: { apiVersion: 'vmware.com/v1alpha1', kind: 'VirtualNetwork', name: 'backend' }, dhcp4: true },
      ],
    },
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-pvc' }, removable: false, controllerType: 'SCSI' }],
    readinessProbe: { tcpSocket: { port: 22 }, guestInfo: [{ key: 'ready', value: 'true' }], periodSeconds: 10 },
    advanced: { bootDiskCapacity: '20Gi', defaultVolumeProvisioningMode: 'Thin', changeBlockTracking: true },
    reserved: { resourcePolicyName: 'cluster-1-policy' },
    minHardwareVersion: 17,
    crypto: { encryptionClassName: 'default' },
    instanceUUID: 'a8c6b8a2-0000-0000-0000-000000000001',
    biosUUID: 'a8c6b8a2-0000-0000-0000-000000000002',
    guestID: 'ubuntu64Guest',
    promoteDisksMode: 'Online',
    affinity: {
      vmAffinity: { requiredDuringSchedulingPreferredDuringExecution: [{ labelSelector: { matchLabels: { tier: 'web' } }, topologyKey: 'topology.kubernetes.io/zone' }] },
      vmAntiAffinity: {
        requiredDuringSchedulingPreferredDuringExecution: [{ labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] }, topologyKey: 'kubernetes.io/hostname' }],
        preferredDuringSchedulingPreferredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'topology.kubernetes.io/zone' }],
      },
    },
    groupName: 'web',
    cdrom: [{ name: 'cd0', image: { kind: 'ClusterVirtualMachineImage', name: 'tools-iso' }, connected: true }],
  },
  status: {
    nodeName: 'esx-01',
    powerState: 'PoweredOn',
    class: { apiVersion: `${G}/v1alpha5`, kind: 'VirtualMachineClass', name: 'best-effort-small' },
    conditions: [
      { type: 'VirtualMachineCreated', status: 'True', reason: 'True', lastTransitionTime: '2025-01-01T00:00:10Z', observedGeneration: 1 },
      { type: 'Ready', status: 'False', reason: 'NotReady', message: 'waiting', lastTransitionTime: '2025-01-01T00:00:11Z' },
    ],
    network: {
      hostName: 'web-1',
      primaryIP4: '10.0.0.10',
      interfaces: [{ name: 'eth0', deviceKey: 4000, ip: { macAddr: '00:50:56:00:00:01', addresses: [{ address: '10.0.0.10/24', origin: 'manual', state: 'preferred' }] } }],
    },
    uniqueID: 'vm-123',
    biosUUID: 'a8c6b8a2-0000-0000-0000-000000000002',
    instanceUUID: 'a8c6b8a2-0000-0000-0000-000000000001',
    volumes: [{ name: 'data', type: 'Managed', attached: true, diskUUID: 'disk-1', limit: '10Gi', used: '1Gi' }],
    changeBlockTracking: true,
    zone: 'zone-a',
    hardwareVersion: 19,
    guest: { guestID: 'ubuntu64Guest', guestFullName: 'Ubuntu Linux (64-bit)' },
    storage: { total: '30Gi' },
  },
};

const classV5 = {
  apiVersion: `${G}/v1alpha5`,
  kind: 'VirtualMachineClass',
  metadata: { name: 'best-effort-small', namespace: 'team-a' },
  spec: {
    controllerName: 'vmoperator.vmware.com/vsphere',
    hardware: { cpus: 2, memory: '4Gi', devices: { vgpuDevices: [{ profileName: 'grid_t4-4q' }] } },
    policies: { resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: 2, memory: '4Gi' } } },
    description: 'small',
    configSpec: { _typeName: 'VirtualMachineConfigSpec', numCPUs: 2, memoryMB: 4096 },
  },
};

const imageV5 = (kind: string) => ({
  apiVersion: `${G}/v1alpha5`,
  kind,
  metadata: { name: 'vmi-0a1b2c', ...(kind === 'VirtualMachineImage' ? { namespace: 'team-a' } : {}) },
  spec: { providerRef: { apiVersion: 'imageregistry.vmware.com/v1alpha1', kind: 'ContentLibraryItem', name: 'clitem-1' } },
  status: {
    name: 'ubuntu-22.04',
    capabilities: ['cloud-init'],
    firmware: 'efi',
    hardwareVersion: 19,
    osInfo: { id: 'ubuntu64Guest', type: 'ubuntu64Guest', version: '22.04' },
    productInfo: { product: 'Ubuntu', vendor: 'Canonical', version: '22.04', fullVersion: '22.04.3' },
    ovfProperties: [{ key: 'user-data', type: 'string', default: '' }],
    disks: [{ capacity: '20Gi', size: '2Gi' }],
    providerContentVersion: '3',
    providerItemID: 'item-uuid',
    conditions: [{ type: 'Ready', status: 'True', reason: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' }],
    type: 'OVF',
  },
});

const serviceV5 = {
  apiVersion: `${G}/v1alpha5`,
  kind: 'VirtualMachineService',
  metadata: { name: 'web', namespace: 'team-a' },
  spec: {
    type: 'LoadBalancer',
    ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: 8443 }],
    selector: { app: 'web' },
    loadBalancerSourceRanges: ['0.0.0.0/0'],
  },
  status: { loadBalancer: { ingress: [{ ip: '192.168.1.50' }] } },
};

const policyV5 = {
  apiVersion: `${G}/v1alpha5`,
  kind: 'VirtualMachineSetResourcePolicy',
  metadata: { name: 'cluster-1-policy', namespace: 'team-a' },
  spec: {
    resourcePool: { name: 'cluster-1', reservations: { cpu: '1', memory: '1Gi' }, limits: { cpu: 4, memory: '8Gi' } },
    folder: 'cluster-1',
    clusterModuleGroups: ['control-plane', 'workers'],
  },
  status: {
    clustermodules: [{ groupName: 'control-plane', moduleUUID: 'm-1', clusterMoID: 'domain-c8' }],
    resourcePools: [{ clusterMoID: 'domain-c8', childResourcePoolMoID: 'resgroup-9' }],
  },
};

const fixtures: [ResourceDefinition, any][] = [
  [virtualMachineResource, vmV5],
  [virtualMachineClassResource, classV5],
  [virtualMachineImageResource, imageV5('VirtualMachineImage')],
  [clusterVirtualMachineImageResource, imageV5('ClusterVirtualMachineImage')],
  [virtualMachineServiceResource, serviceV5],
  [virtualMachineSetResourcePolicyResource, policyV5],
];

// ------------------------------------------------------------------------------------------------

describe('vmoperator.vmware.com kinds', () => {
  it('are registered with v1alpha5 first and storing, then v1alpha3, v1alpha2, v1alpha1', () => {
    for (const def of vmoperatorResources) {
      expect(resourceDefinitions).toContain(def);
      expect(def.group).toBe(G);
      expect(def.versions.map((v) => v.name)).toEqual([...VMOPERATOR_VERSIONS]);
      expect(def.versions.filter((v) => v.storage).map((v) => v.name)).toEqual(['v1alpha5']);
      expect(def.strategicMergePatch).toBe(false);
      expect(def.subresources.status).toBe(true);
      expect(def.conversion).toBeDefined();
    }
  });

  it('have the names and scopes of the real CRDs', () => {
    const names = vmoperatorResources.map((d) => [d.kind, d.plural, d.scope, d.shortNames]);
    expect(names).toEqual([
      ['VirtualMachine', 'virtualmachines', 'Namespaced', ['vm']],
      ['VirtualMachineClass', 'virtualmachineclasses', 'Namespaced', ['vmclass']],
      ['VirtualMachineImage', 'virtualmachineimages', 'Namespaced', ['vmi', 'vmimage']],
      ['ClusterVirtualMachineImage', 'clustervirtualmachineimages', 'Cluster', ['cvmi', 'cvmimage', 'clustervmi', 'clustervmimage']],
      ['VirtualMachineService', 'virtualmachineservices', 'Namespaced', ['vmservice']],
      ['VirtualMachineSetResourcePolicy', 'virtualmachinesetresourcepolicies', 'Namespaced', []],
      ['VirtualMachinePublishRequest', 'virtualmachinepublishrequests', 'Namespaced', ['vmpub']],
    ]);
  });

  it('show the VM printer columns of each version', () => {
    const cols = (v: string) => virtualMachineResource.versions.find((x) => x.name === v)!.printerColumns.map((c) => `${c.name}=${c.jsonPath}${c.priority ? `/${c.priority}` : ''}`);
    expect(cols('v1alpha5')).toEqual(['Power-State=.status.powerState', 'Class=.spec.className/1', 'Image=.spec.image.name/1', 'Primary-IP4=.status.network.primaryIP4/1', 'Age=.metadata.creationTimestamp']);
    expect(cols('v1alpha3')).toEqual(cols('v1alpha5'));
    expect(cols('v1alpha2')[2]).toBe('Image=.spec.imageName/1');
    expect(cols('v1alpha1')).toEqual(['Power-State=.status.powerState', 'Class=.spec.className', 'Image=.spec.imageName', 'Primary-IP=.status.vmIp', 'Age=.metadata.creationTimestamp']);
  });
});

describe('vmoperator schemas', () => {
  it.each(fixtures.map(([d, o]) => [d.kind, d, o] as const))('accept a full v1alpha5 %s', (_k, def, obj) => {
    expectValid(def, 'v1alpha5', obj);
  });

  it('accept a v1alpha3 VM as the samples write it', () => {
    expectValid(virtualMachineResource, 'v1alpha3', {
      apiVersion: `${G}/v1alpha3`,
      kind: 'VirtualMachine',
      metadata: { name: 'web-1', namespace: 'team-a' },
      spec: {
        className: 'best-effort-small',
        imageName: 'vmi-0a1b2c',
        storageClass: 'wcp-policy',
        powerState: 'PoweredOn',
        bootstrap: { cloudInit: { rawCloudConfig: { name: 'web-1-bootstrap', key: 'user-data' }, instanceID: 'iid-1' } },
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-pvc' } }],
      },
    });
  });

  it('accept a v1alpha1 VM with vmMetadata and networkInterfaces', () => {
    expectValid(virtualMachineResource, 'v1alpha1', {
      apiVersion: `${G}/v1alpha1`,
      kind: 'VirtualMachine',
      metadata: { name: 'legacy', namespace: 'team-a' },
      spec: {
        imageName: 'centos-7',
        className: 'best-effort-xsmall',
        powerState: 'poweredOn',
        storageClass: 'wcp-policy',
        vmMetadata: { configMapName: 'legacy-cloud-init', transport: 'OvfEnv' },
        networkInterfaces: [{ networkType: 'nsx-t', networkName: 'ns-net' }],
      },
    });
  });

  it('accept an image and a LoadBalancer service at every version they share a shape with', () => {
    for (const v of ['v1alpha5', 'v1alpha3', 'v1alpha2']) {
      expectValid(virtualMachineImageResource, v, { ...imageV5('VirtualMachineImage'), apiVersion: `${G}/${v}` });
      expectValid(virtualMachineServiceResource, v, { ...serviceV5, apiVersion: `${G}/${v}` });
    }
    expectValid(virtualMachineServiceResource, 'v1alpha1', { ...serviceV5, apiVersion: `${G}/v1alpha1` });
  });

  it('refuse a service without a type', () => {
    const { type: _t, ...spec } = serviceV5.spec;
    expect(check(virtualMachineServiceResource, 'v1alpha5', { ...serviceV5, spec }).causes).toEqual([expect.objectContaining({ field: 'spec.type', reason: 'FieldValueRequired' })]);
  });

  it('refuse a service port without a name and a string targetPort', () => {
    const spec = { ...serviceV5.spec, ports: [{ protocol: 'TCP', port: 80, targetPort: 'http' }] };
    const causes = check(virtualMachineServiceResource, 'v1alpha5', { ...serviceV5, spec }).causes;
    expect(causes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'spec.ports[0].name', reason: 'FieldValueRequired' }),
        expect.objectContaining({ field: 'spec.ports[0].targetPort', reason: 'FieldValueTypeInvalid' }),
      ]),
    );
  });

  it('refuse an unsupported service type', () => {
    expect(check(virtualMachineServiceResource, 'v1alpha5', { ...serviceV5, spec: { ...serviceV5.spec, type: 'NodePort' } }).causes[0]).toMatchObject({ field: 'spec.type', reason: 'FieldValueNotSupported' });
  });

  it('refuse power states in the other version’s case', () => {
    const upper = { ...vmV5, apiVersion: `${G}/v1alpha1`, spec: { imageName: 'i', className: 'c', powerState: 'PoweredOn' } };
    expect(check(virtualMachineResource, 'v1alpha1', upper).causes[0]).toMatchObject({ field: 'spec.powerState', reason: 'FieldValueNotSupported' });
    const lower = { ...vmV5, spec: { ...vmV5.spec, powerState: 'poweredOn' } };
    expect(check(virtualMachineResource, 'v1alpha5', lower).causes[0]).toMatchObject({ field: 'spec.powerState', reason: 'FieldValueNotSupported' });
    const mode = { ...vmV5, spec: { ...vmV5.spec, powerOffMode: 'Gentle' } };
    expect(check(virtualMachineResource, 'v1alpha5', mode).causes[0]).toMatchObject({ field: 'spec.powerOffMode' });
  });

  it('report unknown spec and status fields (Strict field validation)', () => {
    const obj = { ...vmV5, spec: { ...vmV5.spec, imageNmae: 'x' }, status: { ...vmV5.status, host: 'esx-01' } };
    expect(check(virtualMachineResource, 'v1alpha5', obj).unknown).toEqual(['.spec.imageNmae', '.status.host']);
    // v1alpha2 has neither spec.image nor status.nodeName.
    expect(check(virtualMachineResource, 'v1alpha2', { ...vmV5, apiVersion: `${G}/v1alpha2` }).unknown).toEqual(expect.arrayContaining(['.spec.image', '.status.nodeName']));
  });

  it('give spec.affinity its v1alpha5 structure: terms need a topology key, selectors take label selector operators', () => {
    const withAffinity = (affinity: any) => ({ ...vmV5, spec: { ...vmV5.spec, affinity } });
    const zone = { requiredDuringSchedulingIgnoredDuringExecution: [{ matchExpressions: [{ key: 'zone', operator: 'Gt', values: ['1'] }] }] };
    expectValid(virtualMachineResource, 'v1alpha5', withAffinity({ zoneAffinity: zone, vmAffinity: { requiredDuringSchedulingRequiredDuringExecution: [{ topologyKey: 'topology.kubernetes.io/zone' }] } }));
    expect(check(virtualMachineResource, 'v1alpha5', withAffinity({ vmAntiAffinity: { requiredDuringSchedulingPreferredDuringExecution: [{ labelSelector: {} }] } })).causes[0])
      .toMatchObject({ field: 'spec.affinity.vmAntiAffinity.requiredDuringSchedulingPreferredDuringExecution[0].topologyKey' });
    const badOp = { labelSelector: { matchExpressions: [{ key: 'app', operator: 'Like' }] }, topologyKey: 'kubernetes.io/hostname' };
    expect(check(virtualMachineResource, 'v1alpha5', withAffinity({ vmAntiAffinity: { requiredDuringSchedulingPreferredDuringExecution: [badOp] } })).causes[0].field)
      .toBe('spec.affinity.vmAntiAffinity.requiredDuringSchedulingPreferredDuringExecution[0].labelSelector.matchExpressions[0].operator');
    expect(check(virtualMachineResource, 'v1alpha5', withAffinity({ podAffinity: {} })).unknown).toEqual(['.spec.affinity.podAffinity']);
  });

  it('refuse interface names that are not lower-case alphanumerics', () => {
    const obj = { ...vmV5, spec: { ...vmV5.spec, network: { interfaces: [{ name: 'Eth-0' }] } } };
    expect(check(virtualMachineResource, 'v1alpha5', obj).causes[0]).toMatchObject({ field: 'spec.network.interfaces[0].name' });
  });

  it('accept quantities as strings or integers', () => {
    expectValid(virtualMachineClassResource, 'v1alpha5', { ...classV5, spec: { hardware: { cpus: 1, memory: 2147483648 } } });
    expect(check(virtualMachineClassResource, 'v1alpha5', { ...classV5, spec: { hardware: { cpus: '1', memory: true } } }).causes).toHaveLength(2);
  });
});

describe('vmoperator conversion round trips', () => {
  const cases = fixtures.flatMap(([def, obj]) => VMOPERATOR_VERSIONS.map((v) => [def.kind, v, def, obj] as const));

  it.each(cases)('%s: storage -> %s -> storage gives the stored object back', (_k, v, def, o) => {
    const view = conv(def).fromStorage(o, v);
    expect(view.apiVersion).toBe(`${G}/${v}`);
    expect(conv(def).toStorage(view, v, o)).toStrictEqual(o);
  });

  it.each(cases)('%s: the %s view is valid at that version', (_k, v, def, o) => {
    expectValid(def, v, conv(def).fromStorage(o, v));
  });

  it.each(cases)('%s: conversion leaves its inputs alone (%s)', (_k, v, def, o) => {
    const before = JSON.stringify(o);
    const view = conv(def).fromStorage(o, v);
    const viewBefore = JSON.stringify(view);
    conv(def).toStorage(view, v, o);
    expect(JSON.stringify(o)).toBe(before);
    expect(JSON.stringify(view)).toBe(viewBefore);
  });

  // A read shares what it does not change with the stored object (no copy first): nothing of it may be written.
  it.each(cases)('%s: a stored object frozen all the way down converts to %s as a copy would', (_k, v, def, o) => {
    const deepFreeze = (x: any): any => {
      if (x && typeof x === 'object') {
        Object.values(x).forEach(deepFreeze);
        Object.freeze(x);
      }
      return x;
    };
    const frozen = deepFreeze(JSON.parse(JSON.stringify(o)));
    expect(conv(def).fromStorage(frozen, v)).toStrictEqual(conv(def).fromStorage(JSON.parse(JSON.stringify(o)), v));
  });
});

describe('VirtualMachine v1alpha2 / v1alpha3 <-> v1alpha5', () => {
  const c = conv(virtualMachineResource);

  it('renames status.nodeName to status.host going down and back going up', () => {
    for (const v of ['v1alpha2', 'v1alpha3']) {
      const view = c.fromStorage(vmV5, v);
      expect(view.status.host).toBe('esx-01');
      expect(view.status.nodeName).toBeUndefined();
      const up = c.toStorage({ ...view, status: { host: 'esx-02' } }, v);
      expect(up.status).toEqual({ nodeName: 'esx-02' });
    }
  });

  it('drops fields the old version does not have and restores them from the stored object', () => {
    const v3 = c.fromStorage(vmV5, 'v1alpha3');
    expect(v3.spec.affinity).toBeUndefined();
    expect(v3.spec.bootstrap.cloudInit.waitOnNetwork4).toBeUndefined();
    expect(v3.spec.bootstrap.cloudInit.instanceID).toBe('iid-1');
    expect(v3.spec.network.interfaces[0].macAddr).toBeUndefined();
    expect(v3.status.guest).toBeUndefined();
    const v2 = c.fromStorage(vmV5, 'v1alpha2');
    expect(v2.spec.image).toBeUndefined();
    expect(v2.spec.crypto).toBeUndefined();
    expect(v2.spec.network.domainName).toBeUndefined();

    const updated = c.toStorage({ ...v2, spec: { ...v2.spec, className: 'best-effort-large' } }, 'v1alpha2', vmV5);
    expect(updated).toEqual({ ...vmV5, spec: { ...vmV5.spec, className: 'best-effort-large' } });
  });

  it('keeps one changed interface while restoring the v1alpha5-only fields of all', () => {
    const v3 = c.fromStorage(vmV5, 'v1alpha3');
    v3.spec.network.interfaces[1].mtu = 9000;
    const up = c.toStorage(v3, 'v1alpha3', vmV5);
    expect(up.spec.network.interfaces[0]).toEqual(vmV5.spec.network.interfaces[0]);
    expect(up.spec.network.interfaces[1]).toEqual({ ...vmV5.spec.network.interfaces[1], mtu: 9000 });
  });

  it('takes a removal made at the old version', () => {
    const v3 = c.fromStorage(vmV5, 'v1alpha3');
    delete v3.spec.readinessProbe;
    expect(c.toStorage(v3, 'v1alpha3', vmV5).spec.readinessProbe).toBeUndefined();
  });

  it('shows v1alpha2 the image name when only spec.image is set, and keeps imageName going up', () => {
    const hub = { ...vmV5, spec: { className: 'c', image: { kind: 'VirtualMachineImage', name: 'vmi-1' } } };
    expect(c.fromStorage(hub, 'v1alpha2').spec).toEqual({ className: 'c', imageName: 'vmi-1' });
    // The stored object is shown the name, not given it.
    expect(hub.spec).toEqual({ className: 'c', image: { kind: 'VirtualMachineImage', name: 'vmi-1' } });
    expect(c.toStorage(c.fromStorage(hub, 'v1alpha2'), 'v1alpha2', hub)).toStrictEqual(hub);
    expect(c.toStorage({ apiVersion: `${G}/v1alpha2`, kind: 'VirtualMachine', metadata: meta, spec: { imageName: 'ubuntu' } }, 'v1alpha2').spec).toEqual({ imageName: 'ubuntu' });
    expect(c.fromStorage(vmV5, 'v1alpha3').spec).toMatchObject({ imageName: 'ubuntu-22.04', image: { kind: 'VirtualMachineImage', name: 'vmi-0a1b2c' } });
  });
});

describe('VirtualMachine v1alpha1 <-> v1alpha5 (RESOURCES.md §1.4)', () => {
  const c = conv(virtualMachineResource);
  const v1 = (spec: any, status?: any) => ({ apiVersion: `${G}/v1alpha1`, kind: 'VirtualMachine', metadata: meta, spec: { imageName: 'img', className: 'cls', ...spec }, ...(status ? { status } : {}) });
  const up = (spec: any, status?: any) => c.toStorage(v1(spec, status), 'v1alpha1');
  const down = (spec: any, status?: any) => c.fromStorage({ ...vmV5, spec, ...(status ? { status } : { status: undefined }) }, 'v1alpha1');

  it('changes the case of power states and modes', () => {
    expect(up({ powerState: 'poweredOn', powerOffMode: 'trySoft', suspendMode: 'hard', restartMode: 'soft' }).spec).toMatchObject({ powerState: 'PoweredOn', powerOffMode: 'TrySoft', suspendMode: 'Hard', restartMode: 'Soft' });
    expect(up({ powerState: 'suspended' }).spec.powerState).toBe('Suspended');
    expect(down({ powerState: 'PoweredOff', powerOffMode: 'Soft' }).spec).toMatchObject({ powerState: 'poweredOff', powerOffMode: 'soft' });
    expect(up({}, { powerState: 'poweredOff' }).status.powerState).toBe('PoweredOff');
    expect(down({}, { powerState: 'Suspended' }).status.powerState).toBe('suspended');
  });

  it.each([
    ['CloudInit', { cloudInit: { rawCloudConfig: { name: 'md', key: 'user-data' } } }],
    ['ExtraConfig', { cloudInit: { rawCloudConfig: { name: 'md', key: 'guestinfo.userdata' } } }],
    ['OvfEnv', { linuxPrep: { hardwareClockIsUTC: true }, vAppConfig: { rawProperties: 'md' } }],
    ['vAppConfig', { vAppConfig: { rawProperties: 'md' } }],
    ['Sysprep', { sysprep: { rawSysprep: { name: 'md', key: 'unattend' } } }],
  ])('maps vmMetadata transport %s to bootstrap and back', (transport, bootstrap) => {
    expect(up({ vmMetadata: { secretName: 'md', transport } }).spec.bootstrap).toEqual(bootstrap);
    expect(down({ bootstrap }).spec.vmMetadata).toEqual({ secretName: 'md', transport });
  });

  it('takes the ConfigMap when vmMetadata names no Secret, and gives it back to v1alpha1', () => {
    const obj = v1({ vmMetadata: { configMapName: 'cm-md', transport: 'CloudInit' } });
    const stored = c.toStorage(obj, 'v1alpha1');
    expect(stored.spec.bootstrap).toEqual({ cloudInit: { rawCloudConfig: { name: 'cm-md', key: 'user-data' } } });
    expect(c.fromStorage(stored, 'v1alpha1')).toStrictEqual(obj);
    expect(c.fromStorage(stored, 'v1alpha5').spec.vmMetadata).toBeUndefined();
  });

  it.each([
    ['nsx-t', 'vmware.com/v1alpha1', 'VirtualNetwork'],
    ['nsx-t-subnet', 'crd.nsx.vmware.com/v1alpha1', 'Subnet'],
    ['nsx-t-subnetset', 'crd.nsx.vmware.com/v1alpha1', 'SubnetSet'],
    ['vsphere-distributed', 'netoperator.vmware.com/v1alpha1', 'Network'],
  ])('maps networkType %s to %s %s', (networkType, apiVersion, kind) => {
    expect(up({ networkInterfaces: [{ networkType, networkName: 'n1' }] }).spec.network).toEqual({ interfaces: [{ name: 'eth0', network: { apiVersion, kind, name: 'n1' } }] });
    expect(down({ network: { interfaces: [{ name: 'nic0', network: { apiVersion, kind, name: 'n1' } }] } }).spec.networkInterfaces).toEqual([{ networkType, networkName: 'n1' }]);
  });

  it('names interfaces eth0, eth1… going up', () => {
    const nics = [{ networkType: 'nsx-t' }, { networkType: 'nsx-t', networkName: 'b' }, { networkName: 'c' }];
    expect(up({ networkInterfaces: nics }).spec.network.interfaces.map((i: any) => i.name)).toEqual(['eth0', 'eth1', 'eth2']);
  });

  it('maps resourcePolicyName to reserved.resourcePolicyName and back', () => {
    expect(up({ resourcePolicyName: 'p' }).spec.reserved).toEqual({ resourcePolicyName: 'p' });
    expect(down({ reserved: { resourcePolicyName: 'p' } }).spec.resourcePolicyName).toBe('p');
  });

  it('derives status.phase from the VirtualMachineCreated condition', () => {
    const cond = (status: string) => ({ conditions: [{ type: 'VirtualMachineCreated', status, reason: status }] });
    expect(down({}, cond('True')).status.phase).toBe('Created');
    expect(down({}, cond('False')).status.phase).toBe('Creating');
    expect(down({}, { conditions: [{ type: 'Ready', status: 'True', reason: 'True' }] }).status.phase).toBe('Unknown');
    expect(down({}, { powerState: 'PoweredOn' }).status.phase).toBe('Unknown');
  });

  it('maps vmIp, host and hostName to network.primaryIP4, nodeName and network.hostName', () => {
    expect(up({}, { vmIp: '10.0.0.5', host: 'esx-2', hostName: 'vm1' }).status).toEqual({ nodeName: 'esx-2', network: { hostName: 'vm1', primaryIP4: '10.0.0.5' } });
    expect(down({}, { nodeName: 'esx-2', network: { hostName: 'vm1', primaryIP4: '10.0.0.5' } }).status).toMatchObject({ host: 'esx-2', hostName: 'vm1', vmIp: '10.0.0.5' });
  });

  it('converts CAPI-style conditions to metav1 conditions and back', () => {
    const capi = { type: 'Ready', status: 'False', severity: 'Warning', reason: 'Booting', message: 'm', lastTransitionTime: 't' };
    expect(up({}, { conditions: [capi, { type: 'X', status: 'True' }] }).status.conditions).toEqual([
      { type: 'Ready', status: 'False', reason: 'Booting', message: 'm', lastTransitionTime: 't' },
      { type: 'X', status: 'True', reason: 'True' },
    ]);
    expect(down({}, { conditions: [{ type: 'Ready', status: 'True', reason: 'R', observedGeneration: 3, lastTransitionTime: 't' }] }).status.conditions).toEqual([{ type: 'Ready', status: 'True', reason: 'R', lastTransitionTime: 't' }]);
  });

  it('maps volumes, readiness probe and advanced options', () => {
    const stored = up({
      volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'pvc' } }],
      readinessProbe: { tcpSocket: { port: 22 }, periodSeconds: 5 },
      advancedOptions: { defaultVolumeProvisioningOptions: { thinProvisioned: true }, changeBlockTracking: true },
    });
    expect(stored.spec).toMatchObject({
      volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'pvc' } }],
      readinessProbe: { tcpSocket: { port: 22 }, periodSeconds: 5 },
      advanced: { defaultVolumeProvisioningMode: 'Thin', changeBlockTracking: true },
    });
    expect(down({ advanced: { defaultVolumeProvisioningMode: 'ThickEagerZero' } }).spec.advancedOptions).toEqual({ defaultVolumeProvisioningOptions: { eagerZeroed: true } });
  });

  it('gives a v1alpha1 object back as written, v1alpha1-only fields included', () => {
    const obj = v1(
      {
        powerState: 'poweredOn',
        powerOffMode: 'hard',
        storageClass: 'wcp-policy',
        vmMetadata: { secretName: 'md', transport: 'CloudInit' },
        networkInterfaces: [{ networkType: 'vsphere-distributed', networkName: 'primary', ethernetCardType: 'vmxnet3' }, { networkType: 'nsx-t', networkName: 'b' }],
        ports: [{ port: 22, ip: '0.0.0.0', name: 'ssh', protocol: 'TCP' }],
        volumes: [{ name: 'scratch', vSphereVolume: { capacity: { 'ephemeral-storage': '1Gi' } } }],
        resourcePolicyName: 'p',
      },
      {
        powerState: 'poweredOn',
        phase: 'Created',
        host: 'esx-1',
        vmIp: '10.0.0.3',
        conditions: [{ type: 'VirtualMachineCreated', status: 'True', severity: '' }],
        networkInterfaces: [{ connected: true, macAddress: '00:50:56:aa', ipAddresses: ['10.0.0.3/24'] }],
      },
    );
    expectValid(virtualMachineResource, 'v1alpha1', obj);
    const stored = c.toStorage(obj, 'v1alpha1');
    expect(stored.apiVersion).toBe(`${G}/v1alpha5`);
    expectValid(virtualMachineResource, 'v1alpha5', { ...stored, metadata: { ...stored.metadata, annotations: undefined } });
    expect(c.fromStorage(stored, 'v1alpha1')).toStrictEqual(obj);
    // The same after an unchanged update.
    expect(c.fromStorage(c.toStorage(obj, 'v1alpha1', stored), 'v1alpha1')).toStrictEqual(obj);
    expect(c.toStorage(obj, 'v1alpha1', stored)).toStrictEqual(stored);
  });

  it('does not wipe v1alpha5-only fields on a v1alpha1 update', () => {
    const view = c.fromStorage(vmV5, 'v1alpha1');
    expect(view.spec.networkInterfaces).toEqual([
      { networkType: 'vsphere-distributed', networkName: 'primary' },
      { networkType: 'nsx-t', networkName: 'backend' },
    ]);
    const updated = c.toStorage({ ...view, spec: { ...view.spec, powerState: 'poweredOff' } }, 'v1alpha1', vmV5);
    expect(updated).toEqual({ ...vmV5, spec: { ...vmV5.spec, powerState: 'PoweredOff' } });
  });

  it('does not let stashed v1alpha1 fields override a later edit at v1alpha5', () => {
    const stored = c.toStorage(v1({ vmMetadata: { configMapName: 'old', transport: 'CloudInit' } }), 'v1alpha1');
    expect(Object.keys(stored.metadata.annotations)).toEqual([`${CONVERSION_STASH_ANNOTATION_PREFIX}v1alpha1`]);
    const edited = { ...stored, spec: { ...stored.spec, bootstrap: { cloudInit: { rawCloudConfig: { name: 'new', key: 'user-data' } } } } };
    expect(c.fromStorage(edited, 'v1alpha1').spec.vmMetadata).toEqual({ secretName: 'new', transport: 'CloudInit' });
    expect(c.fromStorage(edited, 'v1alpha1').metadata.annotations).toBeUndefined();
  });

  it('drops the stash once a v1alpha1 update loses nothing', () => {
    const stored = c.toStorage(v1({ vmMetadata: { configMapName: 'old', transport: 'CloudInit' } }), 'v1alpha1');
    const again = c.toStorage(v1({ vmMetadata: { secretName: 'new', transport: 'CloudInit' } }), 'v1alpha1', stored);
    expect(again.metadata.annotations).toBeUndefined();
    expect(again.spec.bootstrap.cloudInit.rawCloudConfig.name).toBe('new');
  });
});

describe('other kinds at v1alpha1', () => {
  it('VirtualMachineSetResourcePolicy uses lower-case keys and folder{name}', () => {
    const c = conv(virtualMachineSetResourcePolicyResource);
    const view = c.fromStorage(policyV5, 'v1alpha1');
    expect(view.spec).toEqual({
      resourcepool: policyV5.spec.resourcePool,
      folder: { name: 'cluster-1' },
      clustermodules: [{ groupname: 'control-plane' }, { groupname: 'workers' }],
    });
    expect(view.status).toEqual({ clustermodules: [{ groupname: 'control-plane', moduleUUID: 'm-1', clusterMoID: 'domain-c8' }] });
    const written = { apiVersion: `${G}/v1alpha1`, kind: 'VirtualMachineSetResourcePolicy', metadata: { name: 'p', namespace: 'n' }, spec: { resourcepool: { name: 'rp' }, folder: { name: 'f' }, clustermodules: [{ groupname: 'g' }] } };
    const stored = c.toStorage(written, 'v1alpha1');
    expect(stored.spec).toEqual({ resourcePool: { name: 'rp' }, folder: 'f', clusterModuleGroups: ['g'] });
    expect(c.fromStorage(stored, 'v1alpha1')).toStrictEqual(written);
  });

  it('VirtualMachineImage v1alpha1 maps productInfo, osInfo and imageName', () => {
    const c = conv(virtualMachineImageResource);
    const view = c.fromStorage(imageV5('VirtualMachineImage'), 'v1alpha1');
    expect(view.spec).toMatchObject({ type: 'OVF', imageID: 'item-uuid', productInfo: imageV5('x').status.productInfo, osInfo: { type: 'ubuntu64Guest', version: '22.04' }, hwVersion: 19 });
    expect(view.status).toMatchObject({ imageName: 'ubuntu-22.04', firmware: 'efi', contentVersion: '3' });
    const written = {
      apiVersion: `${G}/v1alpha1`,
      kind: 'VirtualMachineImage',
      metadata: { name: 'old-image', namespace: 'n' },
      spec: { type: 'OVF', imageSourceType: 'Content Library', imageID: 'id-1', providerRef: { apiVersion: 'v1', kind: 'ContentLibraryItem', name: 'clitem' }, productInfo: { version: '1.0' }, osInfo: { type: 'centos7_64Guest' } },
      status: { imageName: 'centos-7', imageSupported: true, conditions: [{ type: 'Ready', status: 'True', severity: 'Info' }] },
    };
    expectValid(virtualMachineImageResource, 'v1alpha1', written);
    const stored = c.toStorage(written, 'v1alpha1');
    expect(stored.status).toMatchObject({ name: 'centos-7', productInfo: { version: '1.0' }, osInfo: { type: 'centos7_64Guest' }, providerItemID: 'id-1', type: 'OVF' });
    expect(c.fromStorage(stored, 'v1alpha1')).toStrictEqual(written);
  });

  it('kinds of one shape only change apiVersion', () => {
    expect(conv(virtualMachineServiceResource).fromStorage(serviceV5, 'v1alpha1')).toEqual({ ...serviceV5, apiVersion: `${G}/v1alpha1` });
    expect(conv(virtualMachineClassResource).toStorage({ ...classV5, apiVersion: `${G}/v1alpha2` }, 'v1alpha2')).toEqual(classV5);
  });

  it('refuses an unknown version', () => {
    expect(() => conv(virtualMachineResource).fromStorage(vmV5, 'v1alpha4')).toThrow(/no served version/);
  });
});

describe('image printer columns', () => {
  it('follow the CRD: display name, versions and capabilities from status; v1alpha1 from spec', () => {
    const cols = (v: string) => virtualMachineImageResource.versions.find((x) => x.name === v)!.printerColumns.map((c) => `${c.name}=${c.jsonPath}`);
    expect(cols('v1alpha5')).toEqual([
      'Image Name=.status.name',
      'Image Version=.status.productInfo.version',
      'OS Name=.status.osInfo.type',
      'OS Version=.status.osInfo.version',
      'Hardware Version=.status.hardwareVersion',
      'Capabilities=.status.capabilities',
      'Age=.metadata.creationTimestamp',
    ]);
    expect(cols('v1alpha1')).toContain('Image-Name=.status.imageName');
    expect(clusterVirtualMachineImageResource.versions.map((v) => v.printerColumns)).toEqual(virtualMachineImageResource.versions.map((v) => v.printerColumns));
  });
});
