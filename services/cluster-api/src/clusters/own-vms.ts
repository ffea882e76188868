import { ObjectEventTypes } from '@openpacific/contracts';
import type { KeepEvent } from '@openpacific/objects';
import { CR, LABELS } from './objects';

/**
 * Of the VirtualMachines, only those cluster-api made for machines (they carry the cluster label from their
 * first event on) are parsed and kept; every other VM of the system passes by as text, never parsed. A VM kept once
 * stays followed until it is deleted, label or not, so a later change to it is never missed.
 */
export function ownVirtualMachines(): KeepEvent {
  const prefix = `${CR.vms}/`;
  const marker = `"${LABELS.vmCluster}"`;
  const own = new Set<string>();
  return ({ streamId, type, data }) => {
    if (!streamId.startsWith(prefix)) return true;
    if (own.has(streamId)) {
      if (type === ObjectEventTypes.deleted) own.delete(streamId);
      return true;
    }
    if (type === ObjectEventTypes.deleted || !data.includes(marker)) return false;
    own.add(streamId);
    return true;
  };
}
