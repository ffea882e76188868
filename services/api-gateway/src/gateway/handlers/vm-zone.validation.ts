import { ZONE_LABEL, ZONE_LABEL_FIELD, ZONES_RESOURCE, zoneUseRefusal } from '@openpacific/contracts';
import { fieldInvalid, StatusCause } from '@openpacific/kube-api';
import type { ReadModel } from '@openpacific/objects';

/**
 * VM Operator's webhook rule for a VM's zone label (`validateAvailabilityZone`, with workload domain isolation): a
 * zone asked for must be a Zone of the VM's namespace that is not being deleted, and once the label is set (by its
 * author, or by the placement that put the VM in its host's zone) it may not change. `old`: the stored VM on an update.
 */
export function validateVmZone(vm: any, old: any | undefined, readModel: ReadModel | undefined): StatusCause[] {
  const zone: string = vm.metadata?.labels?.[ZONE_LABEL] ?? '';
  const was: string | undefined = old?.metadata?.labels?.[ZONE_LABEL];
  if (was) return zone === was ? [] : [fieldInvalid(ZONE_LABEL_FIELD, zone, 'field is immutable')];
  if (!zone || !readModel) return [];
  const refused = zoneUseRefusal(zone, readModel.get(ZONES_RESOURCE, vm.metadata.namespace, zone)?.object);
  return refused ? [fieldInvalid(ZONE_LABEL_FIELD, zone, refused)] : [];
}
