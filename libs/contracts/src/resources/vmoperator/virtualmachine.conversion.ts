import { VersionMapping } from './conversion';
import { clone, isPlainObject } from './json-patch3';
import { defined, lowerFirst, mapSection, pick, rename, upperFirst } from './mapping-helpers';

// v1alpha2 / v1alpha3 <-> v1alpha5 ------------------------------------------------------------------

/** v1alpha2 and v1alpha3 call the node `status.host`; the rest is a subset of v1alpha5 (pruned by schema). */
export function hostRenamingMapping(fillImageName: boolean): VersionMapping {
  return {
    up: (obj) => mapSection(obj, 'status', (s) => (rename(s, 'host', 'nodeName'), s)),
    // The read path of every VM at v1alpha2/3: only the two fields that move are copied (see VersionMapping.down).
    down: (hub) => {
      if (!isPlainObject(hub)) return hub;
      const out = { ...hub };
      if (isPlainObject(hub.status) && 'nodeName' in hub.status) {
        out.status = { ...hub.status };
        rename(out.status, 'nodeName', 'host');
      }
      // v1alpha2 only has imageName: show the resolved image there when the client gave `image` only.
      if (fillImageName && isPlainObject(hub.spec) && hub.spec.imageName === undefined && hub.spec.image?.name) out.spec = { ...hub.spec, imageName: hub.spec.image.name };
      return out;
    },
  };
}

// v1alpha1 <-> v1alpha5 (RESOURCES.md §1.4) --------------------------------------------------------

/** v1alpha1 networkType and the network kind it stands for. */
export const NETWORK_TYPES: Record<string, { apiVersion: string; kind: string }> = {
  'nsx-t': { apiVersion: 'vmware.com/v1alpha1', kind: 'VirtualNetwork' },
  'nsx-t-subnet': { apiVersion: 'crd.nsx.vmware.com/v1alpha1', kind: 'Subnet' },
  'nsx-t-subnetset': { apiVersion: 'crd.nsx.vmware.com/v1alpha1', kind: 'SubnetSet' },
  'vsphere-distributed': { apiVersion: 'netoperator.vmware.com/v1alpha1', kind: 'Network' },
};

function networkTypeOf(ref: any): string | undefined {
  return Object.entries(NETWORK_TYPES).find(([, t]) => t.apiVersion === ref?.apiVersion && t.kind === ref?.kind)?.[0];
}

/** vmMetadata -> bootstrap; the source object is the Secret, falling back to the ConfigMap. */
export function bootstrapFromVmMetadata(md: any): any {
  const name = md?.secretName ?? md?.configMapName;
  switch (md?.transport) {
    case 'CloudInit':
      return { cloudInit: { rawCloudConfig: { name, key: 'user-data' } } };
    case 'ExtraConfig':
      return { cloudInit: { rawCloudConfig: { name, key: 'guestinfo.userdata' } } };
    case 'OvfEnv':
      return { linuxPrep: { hardwareClockIsUTC: true }, vAppConfig: { rawProperties: name } };
    case 'vAppConfig':
      return { vAppConfig: { rawProperties: name } };
    case 'Sysprep':
      return { sysprep: { rawSysprep: { name, key: 'unattend' } } };
    default:
      return undefined;
  }
}

export function vmMetadataFromBootstrap(b: any): any {
  const raw = b?.cloudInit?.rawCloudConfig;
  if (raw) return { secretName: raw.name, transport: raw.key === 'guestinfo.userdata' ? 'ExtraConfig' : 'CloudInit' };
  if (b?.vAppConfig?.rawProperties) return { secretName: b.vAppConfig.rawProperties, transport: b.linuxPrep ? 'OvfEnv' : 'vAppConfig' };
  if (b?.sysprep?.rawSysprep) return { secretName: b.sysprep.rawSysprep.name, transport: 'Sysprep' };
  return undefined;
}

function interfacesUp(nics: any[]): any[] {
  return nics.map((n, i) => {
    const network = defined({ ...NETWORK_TYPES[n.networkType], name: n.networkName });
    return { name: `eth${i}`, ...(network ? { network } : {}) };
  });
}

function interfacesDown(ifaces: any[]): any[] {
  return ifaces.map((i) => defined({ networkType: networkTypeOf(i.network), networkName: i.network?.name }) ?? {});
}

function provisioningUp(o: any): string | undefined {
  if (!o) return undefined;
  if (o.eagerZeroed) return 'ThickEagerZero';
  if (o.thinProvisioned === true) return 'Thin';
  if (o.thinProvisioned === false) return 'Thick';
  return undefined;
}

function provisioningDown(mode: unknown): any {
  if (mode === 'Thin') return { thinProvisioned: true };
  if (mode === 'Thick') return { thinProvisioned: false };
  if (mode === 'ThickEagerZero') return { eagerZeroed: true };
  return undefined;
}

const PROBE_KEYS = ['tcpSocket', 'guestHeartbeat', 'timeoutSeconds', 'periodSeconds'];
const COPIED_SPEC_KEYS = ['imageName', 'className', 'storageClass', 'nextRestartTime', 'minHardwareVersion'];

function specUp(s: any): any {
  const probe = s.readinessProbe ? pick(s.readinessProbe, PROBE_KEYS) : undefined;
  const advanced = defined({ defaultVolumeProvisioningMode: provisioningUp(s.advancedOptions?.defaultVolumeProvisioningOptions), changeBlockTracking: s.advancedOptions?.changeBlockTracking });
  return defined({
    ...pick(s, COPIED_SPEC_KEYS),
    powerState: upperFirst(s.powerState),
    powerOffMode: upperFirst(s.powerOffMode),
    suspendMode: upperFirst(s.suspendMode),
    restartMode: upperFirst(s.restartMode),
    bootstrap: bootstrapFromVmMetadata(s.vmMetadata),
    network: Array.isArray(s.networkInterfaces) ? { interfaces: interfacesUp(s.networkInterfaces) } : undefined,
    reserved: s.resourcePolicyName !== undefined ? { resourcePolicyName: s.resourcePolicyName } : undefined,
    volumes: Array.isArray(s.volumes) ? s.volumes.map((v: any) => pick(v, ['name', 'persistentVolumeClaim'])) : undefined,
    readinessProbe: probe,
    advanced,
  }) ?? {};
}

function specDown(h: any): any {
  const probe = h.readinessProbe ? pick(h.readinessProbe, PROBE_KEYS) : undefined;
  const advancedOptions = defined({ defaultVolumeProvisioningOptions: provisioningDown(h.advanced?.defaultVolumeProvisioningMode), changeBlockTracking: h.advanced?.changeBlockTracking });
  return defined({
    ...pick(h, COPIED_SPEC_KEYS),
    imageName: h.imageName ?? h.image?.name,
    powerState: lowerFirst(h.powerState),
    powerOffMode: lowerFirst(h.powerOffMode),
    suspendMode: lowerFirst(h.suspendMode),
    restartMode: lowerFirst(h.restartMode),
    vmMetadata: vmMetadataFromBootstrap(h.bootstrap),
    networkInterfaces: Array.isArray(h.network?.interfaces) ? interfacesDown(h.network.interfaces) : undefined,
    resourcePolicyName: h.reserved?.resourcePolicyName,
    volumes: Array.isArray(h.volumes) ? h.volumes.map((v: any) => pick(v, ['name', 'persistentVolumeClaim'])) : undefined,
    readinessProbe: probe,
    advancedOptions,
  }) ?? {};
}

/** The metav1.Condition reason is required; v1alpha1 reasons could be empty (upstream uses the status). */
export function conditionUp(c: any): any {
  return { ...pick(c, ['type', 'status', 'lastTransitionTime', 'message']), reason: c.reason || c.status };
}

export function conditionDown(c: any): any {
  return pick(c, ['type', 'status', 'lastTransitionTime', 'reason', 'message']);
}

/** v1alpha1 phase, derived from the VirtualMachineCreated condition. */
export function phaseOf(conditions: any[] | undefined): string {
  const created = (conditions ?? []).find((c) => c.type === 'VirtualMachineCreated');
  if (!created) return 'Unknown';
  return created.status === 'True' ? 'Created' : 'Creating';
}

const COPIED_STATUS_KEYS = ['uniqueID', 'biosUUID', 'instanceUUID', 'zone', 'lastRestartTime', 'hardwareVersion', 'changeBlockTracking'];
const VOLUME_STATUS_KEYS = ['name', 'attached', 'diskUUID', 'error'];

function nicStatusUp(nics: any[]): any[] {
  return nics.map((n, i) => {
    const ip = defined({ macAddr: n.macAddress, addresses: Array.isArray(n.ipAddresses) ? n.ipAddresses.map((address: string) => ({ address })) : undefined });
    return { name: `eth${i}`, ...(ip ? { ip } : {}) };
  });
}

function nicStatusDown(ifaces: any[]): any[] {
  return ifaces.map((i) => ({
    connected: true,
    ...pick({ macAddress: i.ip?.macAddr, ipAddresses: i.ip?.addresses?.map((a: any) => a.address) }, ['macAddress', 'ipAddresses']),
  }));
}

function statusUp(s: any): any {
  const network = defined({
    hostName: s.hostName,
    primaryIP4: s.vmIp,
    interfaces: Array.isArray(s.networkInterfaces) ? nicStatusUp(s.networkInterfaces) : undefined,
  });
  return defined({
    ...pick(s, COPIED_STATUS_KEYS),
    nodeName: s.host,
    powerState: upperFirst(s.powerState),
    conditions: Array.isArray(s.conditions) ? s.conditions.map(conditionUp) : undefined,
    volumes: Array.isArray(s.volumes) ? s.volumes.map((v: any) => pick(v, VOLUME_STATUS_KEYS)) : undefined,
    network,
  }) ?? {};
}

function statusDown(h: any): any {
  return defined({
    ...pick(h, COPIED_STATUS_KEYS),
    host: h.nodeName,
    hostName: h.network?.hostName,
    vmIp: h.network?.primaryIP4,
    powerState: lowerFirst(h.powerState),
    phase: phaseOf(h.conditions),
    conditions: Array.isArray(h.conditions) ? h.conditions.map(conditionDown) : undefined,
    volumes: Array.isArray(h.volumes) ? h.volumes.map((v: any) => pick(v, VOLUME_STATUS_KEYS)) : undefined,
    networkInterfaces: Array.isArray(h.network?.interfaces) ? nicStatusDown(h.network.interfaces) : undefined,
  }) ?? {};
}

export const virtualMachineV1alpha1Mapping: VersionMapping = {
  up: (obj) => mapSection(mapSection(clone(obj), 'spec', specUp), 'status', statusUp),
  down: (hub) => mapSection(mapSection(clone(hub), 'spec', specDown), 'status', statusDown),
};
