import { objectSchema } from '../object-meta.schema';
import { ResourceDefinition } from '../resource-definition';
import { ageColumn, VMOPERATOR_GROUP, VMOPERATOR_HUB } from './common';
import { versionedConversion } from './conversion';
import { int, list, metaCondition, obj, oneOfStrings, str, strList } from './schema-helpers';

export const VIRTUAL_MACHINE_GROUPS_RESOURCE = 'virtualmachinegroups.vmoperator.vmware.com';
/** Set by the mutating webhook when the group's power state changes or a sync is forced: the boot order counts from it. */
export const VMG_LAST_UPDATED_POWER_STATE_ANNOTATION = 'vmoperator.vmware.com.protected/last-updated-power-state-time';
/** Put on a member by its group: when the group's power-on reached it (the group's time plus the boot order's delays). */
export const VMG_APPLY_POWER_STATE_ANNOTATION = 'vmoperator.vmware.com.protected/apply-power-state-time';

/**
 * The last-updated-power-state-time for a new power state (or a forced sync), RFC3339Nano as Go formats it (no
 * trailing zeros in the fraction). The group's `status.lastUpdatedPowerStateTime` records which stamp it applied in
 * whole seconds, as metav1.Time keeps it, so a stamp in the same second as the previous one would look applied
 * already: such a stamp moves to the start of the next second (the boot order then starts up to a second later).
 */
export function powerStateStamp(previous: string | undefined, now = Date.now()): string {
  const before = previous ? Date.parse(previous) : NaN;
  const second = (ms: number) => Math.floor(ms / 1000);
  return nanoTime(!Number.isNaN(before) && second(before) >= second(now) ? (second(before) + 1) * 1000 : now);
}

/** time.Time.Format(time.RFC3339Nano) of a millisecond time: the fraction without its trailing zeros. */
export function nanoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z');
}

const memberKind = { ...oneOfStrings('VirtualMachine', 'VirtualMachineGroup'), default: 'VirtualMachine' };
const powerState = oneOfStrings('PoweredOn', 'PoweredOff', 'Suspended');
const powerOpMode = oneOfStrings('Hard', 'Soft', 'TrySoft');

const groupSchema = objectSchema({
  spec: obj({
    groupName: str,
    bootOrder: list(obj({ members: list(obj({ name: str, kind: memberKind }, ['name'])), powerOnDelay: str })),
    powerState,
    nextForcePowerStateSyncTime: str,
    powerOffMode: powerOpMode,
    suspendMode: powerOpMode,
  }),
  status: obj({
    members: list(
      obj(
        {
          name: str,
          kind: oneOfStrings('VirtualMachine', 'VirtualMachineGroup'),
          uid: str,
          placement: obj({ name: str, zoneID: str, node: str, pool: str, datastores: list(obj({ name: str, id: str, url: str, supportedDiskFormats: strList, diskKey: int }, ['name'])) }, ['name']),
          powerState,
          conditions: list(metaCondition),
        },
        ['name', 'kind'],
      ),
    ),
    lastUpdatedPowerStateTime: str,
    conditions: list(metaCondition),
  }),
});

/**
 * VirtualMachineGroup (`api/v1alpha5/virtualmachinegroup_types.go`): VMs and groups powered together, on in boot
 * order. Served at v1alpha5 (the storage version) only; the CRD declares no printer columns: NAME and AGE.
 */
export const virtualMachineGroupResource: ResourceDefinition = {
  group: VMOPERATOR_GROUP,
  kind: 'VirtualMachineGroup',
  listKind: 'VirtualMachineGroupList',
  plural: 'virtualmachinegroups',
  singular: 'virtualmachinegroup',
  shortNames: ['vmg'],
  categories: ['vmoperator', 'all'],
  scope: 'Namespaced',
  versions: [{ name: VMOPERATOR_HUB, served: true, storage: true, schema: groupSchema, printerColumns: [ageColumn] }],
  subresources: { status: true },
  strategicMergePatch: false,
  nameFormat: 'dns1123-subdomain',
  conversion: versionedConversion({ group: VMOPERATOR_GROUP, hubVersion: VMOPERATOR_HUB, schemas: { [VMOPERATOR_HUB]: groupSchema }, mappings: {} }),
};
