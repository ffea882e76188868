import { objectSchema } from '../object-meta.schema';
import { JsonSchema } from '../resource-definition';
import {
  bool,
  capiCondition,
  fields,
  freeForm,
  int,
  intOrString,
  list,
  localKindRef,
  metaCondition,
  obj,
  oneOfStrings,
  quantity,
  snapshotReference,
  secretKeySelector,
  str,
  strList,
  typedRef,
} from './schema-helpers';

type Version = 'v1alpha2' | 'v1alpha3' | 'v1alpha5';
const atLeast = (v: Version, min: Version) => v >= min;

const powerState = oneOfStrings('PoweredOn', 'PoweredOff', 'Suspended');
const powerOpMode = oneOfStrings('Hard', 'Soft', 'TrySoft');
const valueOrSecret = obj({ value: str, from: secretKeySelector });

function cloudInitSchema(v: Version): JsonSchema {
  const base = { cloudConfig: freeForm, rawCloudConfig: secretKeySelector, sshAuthorizedKeys: strList };
  const v3 = { instanceID: str, useGlobalNameserversAsDefault: bool, useGlobalSearchDomainsAsDefault: bool };
  const v5 = { waitOnNetwork4: bool, waitOnNetwork6: bool };
  return obj({ ...base, ...(atLeast(v, 'v1alpha3') ? v3 : {}), ...(atLeast(v, 'v1alpha5') ? v5 : {}) });
}

function bootstrapSchema(v: Version): JsonSchema {
  return obj({
    cloudInit: cloudInitSchema(v),
    linuxPrep: obj({
      hardwareClockIsUTC: bool,
      timeZone: str,
      expirePasswordAfterNextLogin: bool,
      password: secretKeySelector,
      scriptText: valueOrSecret,
      customizeAtNextPowerOn: bool,
    }),
    sysprep: obj({ sysprep: freeForm, rawSysprep: secretKeySelector, customizeAtNextPowerOn: bool }),
    vAppConfig: obj({ properties: list(obj({ key: str, value: valueOrSecret }, ['key'])), rawProperties: str }),
  });
}

const labelSelector = obj({
  matchLabels: { type: 'object', additionalProperties: str },
  matchExpressions: list(obj({ key: str, operator: oneOfStrings('In', 'NotIn', 'Exists', 'DoesNotExist'), values: strList }, ['key', 'operator'])),
});
const vmAffinityTerms = list(obj({ labelSelector, topologyKey: str }, ['topologyKey']));
/** `VMAffinitySpec` / `VMAntiAffinitySpec`: the same three lists of terms. */
const vmAffinitySpec = obj({
  requiredDuringSchedulingPreferredDuringExecution: vmAffinityTerms,
  preferredDuringSchedulingPreferredDuringExecution: vmAffinityTerms,
  requiredDuringSchedulingRequiredDuringExecution: vmAffinityTerms,
});
const zoneRequirements = list(obj({ key: str, operator: oneOfStrings('In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'), values: strList }, ['key', 'operator']));
const zoneSelectorTerms = list(obj({ matchExpressions: zoneRequirements, matchFields: zoneRequirements }));
const zoneAffinitySpec = obj({ requiredDuringSchedulingIgnoredDuringExecution: zoneSelectorTerms, preferredDuringSchedulingIgnoredDuringExecution: zoneSelectorTerms });
/** v1alpha5 `AffinitySpec`; the zone rules of earlier v1alpha5 releases are still accepted (and not used). */
const affinitySchema = obj({ vmAffinity: vmAffinitySpec, vmAntiAffinity: vmAffinitySpec, zoneAffinity: zoneAffinitySpec, zoneAntiAffinity: zoneAffinitySpec });

function interfaceSpecSchema(v: Version): JsonSchema {
  const props = {
    name: { type: 'string', pattern: '^[a-z0-9]{2,}$' },
    network: typedRef,
    guestDeviceName: str,
    addresses: strList,
    dhcp4: bool,
    dhcp6: bool,
    gateway4: str,
    gateway6: str,
    mtu: int,
    nameservers: strList,
    routes: list(obj({ to: str, via: str, metric: int }, ['to', 'via'])),
    searchDomains: strList,
  };
  return obj(atLeast(v, 'v1alpha5') ? { ...props, macAddr: str } : props, ['name']);
}

function networkSpecSchema(v: Version): JsonSchema {
  const props = { hostName: str, disabled: bool, nameservers: strList, searchDomains: strList, interfaces: list(interfaceSpecSchema(v)) };
  return obj(atLeast(v, 'v1alpha3') ? { ...props, domainName: str } : props);
}

const pvcSchema = obj(
  { claimName: str, readOnly: bool, instanceVolumeClaim: obj({ storageClass: str, size: quantity }, ['storageClass', 'size']) },
  ['claimName'],
);

function volumeSpecSchema(v: Version): JsonSchema {
  const props = { name: str, persistentVolumeClaim: pvcSchema };
  const v5 = {
    removable: bool,
    applicationType: oneOfStrings('OracleRAC', 'MicrosoftWSFC'),
    controllerType: str,
    controllerBusNumber: int,
    unitNumber: int,
    diskMode: str,
    sharingMode: str,
  };
  return obj(atLeast(v, 'v1alpha5') ? { ...props, ...v5 } : props, ['name']);
}

const tcpSocket = obj({ port: intOrString, host: str }, ['port']);
const guestHeartbeat = obj({ thresholdStatus: oneOfStrings('green', 'yellow') });

/** As the CRDs bound them (kubebuilder markers of `virtualmachine_readiness_types.go`). */
const timeoutSeconds: JsonSchema = { type: 'integer', minimum: 1, maximum: 60 };
const periodSeconds: JsonSchema = { type: 'integer', minimum: 1 };

const readinessProbe = obj({
  tcpSocket,
  guestHeartbeat,
  guestInfo: list(obj({ key: str, value: str }, ['key'])),
  timeoutSeconds,
  periodSeconds,
});

const cdromSchema = obj({ name: str, image: localKindRef, connected: bool, allowGuestControl: bool }, ['name', 'image']);

function specFields(v: Version): Record<string, JsonSchema> {
  const v2: Record<string, JsonSchema> = {
    imageName: str,
    className: str,
    storageClass: str,
    bootstrap: bootstrapSchema(v),
    network: networkSpecSchema(v),
    powerState,
    powerOffMode: powerOpMode,
    suspendMode: powerOpMode,
    nextRestartTime: str,
    restartMode: powerOpMode,
    volumes: list(volumeSpecSchema(v)),
    readinessProbe,
    advanced: obj({ bootDiskCapacity: quantity, defaultVolumeProvisioningMode: oneOfStrings('Thin', 'Thick', 'ThickEagerZero'), changeBlockTracking: bool }),
    reserved: obj({ resourcePolicyName: str }),
    minHardwareVersion: { type: 'integer', minimum: 13 },
  };
  const v3 = {
    cdrom: list(cdromSchema),
    image: localKindRef,
    crypto: obj({ encryptionClassName: str, useDefaultKeyProvider: bool, vTPMMode: str }),
    instanceUUID: str,
    biosUUID: str,
    guestID: str,
  };
  const v5 = {
    affinity: affinitySchema,
    class: typedRef,
    promoteDisksMode: oneOfStrings('Disabled', 'Online', 'Offline'),
    bootOptions: freeForm,
    currentSnapshotName: str,
    groupName: str,
    hardware: freeForm,
    policies: list(typedRef),
  };
  return { ...v2, ...(atLeast(v, 'v1alpha3') ? v3 : {}), ...(atLeast(v, 'v1alpha5') ? v5 : {}) };
}

const interfaceStatusSchema = obj(
  {
    name: str,
    deviceKey: int,
    ip: obj({
      addresses: list(obj({ address: str, origin: str, state: str, lifetime: str }, ['address'])),
      dhcp: freeForm,
      macAddr: str,
      autoConfigurationEnabled: bool,
    }),
    dns: freeForm,
  },
  ['name'],
);

const networkStatusSchema = obj({
  config: freeForm,
  hostName: str,
  interfaces: list(interfaceStatusSchema),
  ipStacks: list(freeForm),
  primaryIP4: str,
  primaryIP6: str,
});

const volumeStatusSchema = obj(
  {
    name: str,
    type: oneOfStrings('Managed', 'Classic'),
    attached: bool,
    diskUUID: str,
    error: str,
    limit: quantity,
    requested: quantity,
    used: quantity,
    crypto: freeForm,
    controllerType: str,
    controllerBusNumber: int,
    unitNumber: int,
    diskMode: str,
    sharingMode: str,
  },
  ['name'],
);

function statusFields(v: Version): Record<string, JsonSchema> {
  const v2: Record<string, JsonSchema> = {
    image: typedRef,
    class: typedRef,
    host: str,
    powerState,
    conditions: list(metaCondition),
    network: networkStatusSchema,
    uniqueID: str,
    biosUUID: str,
    instanceUUID: str,
    volumes: list(volumeStatusSchema),
    changeBlockTracking: bool,
    zone: str,
    lastRestartTime: str,
    hardwareVersion: int,
  };
  const v3 = { crypto: freeForm, storage: freeForm };
  const v5 = { nodeName: str, currentSnapshot: snapshotReference, rootSnapshots: list(snapshotReference), guest: obj({ guestID: str, guestFullName: str }), hardware: freeForm, policies: list(freeForm) };
  if (v === 'v1alpha2') return v2;
  if (v === 'v1alpha3') return { ...v2, ...v3 };
  return fields({ ...v2, ...v3, ...v5 }, {}, ['host']);
}

export function virtualMachineSchema(v: Version): JsonSchema {
  return objectSchema({ spec: obj(specFields(v)), status: obj(statusFields(v)) });
}

// v1alpha1 ---------------------------------------------------------------------------------------

const lowerPowerState = oneOfStrings('poweredOn', 'poweredOff', 'suspended');
const lowerPowerOpMode = oneOfStrings('hard', 'soft', 'trySoft');

const v1alpha1Spec = obj(
  {
    imageName: str,
    className: str,
    powerState: lowerPowerState,
    powerOffMode: lowerPowerOpMode,
    suspendMode: lowerPowerOpMode,
    restartMode: lowerPowerOpMode,
    nextRestartTime: str,
    ports: list(obj({ port: int, ip: str, name: str, protocol: str }, ['port', 'ip', 'name', 'protocol'])),
    vmMetadata: obj({ configMapName: str, secretName: str, transport: oneOfStrings('ExtraConfig', 'OvfEnv', 'vAppConfig', 'CloudInit', 'Sysprep') }),
    storageClass: str,
    networkInterfaces: list(
      obj({
        networkType: oneOfStrings('nsx-t', 'nsx-t-subnet', 'nsx-t-subnetset', 'vsphere-distributed', ''),
        networkName: str,
        providerRef: obj({ apiGroup: str, apiVersion: str, kind: str, name: str }, ['apiGroup', 'kind', 'name']),
        ethernetCardType: str,
      }),
    ),
    resourcePolicyName: str,
    volumes: list(obj({ name: str, persistentVolumeClaim: pvcSchema, vSphereVolume: obj({ capacity: { type: 'object', additionalProperties: quantity }, deviceKey: int }) }, ['name'])),
    readinessProbe: obj({ tcpSocket, guestHeartbeat, timeoutSeconds, periodSeconds }),
    advancedOptions: obj({ defaultVolumeProvisioningOptions: obj({ thinProvisioned: bool, eagerZeroed: bool }), changeBlockTracking: bool }),
    minHardwareVersion: int,
  },
  ['imageName', 'className'],
);

const v1alpha1Status = obj({
  host: str,
  hostName: str,
  powerState: lowerPowerState,
  phase: oneOfStrings('Creating', 'Created', 'Deleting', 'Deleted', 'Unknown'),
  conditions: list(capiCondition),
  vmIp: str,
  uniqueID: str,
  biosUUID: str,
  instanceUUID: str,
  volumes: list(obj({ name: str, attached: bool, diskUUID: str, error: str }, ['name'])),
  changeBlockTracking: bool,
  networkInterfaces: list(obj({ connected: bool, macAddress: str, ipAddresses: strList })),
  zone: str,
  lastRestartTime: str,
  hardwareVersion: int,
});

export const virtualMachineV1alpha1Schema: JsonSchema = objectSchema({ spec: v1alpha1Spec, status: v1alpha1Status });
