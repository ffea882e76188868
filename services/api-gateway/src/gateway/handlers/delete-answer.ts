import type { ResourceDefinition } from '@openpacific/contracts';
import type { Status } from '@openpacific/kube-api';

/** kube-apiserver's answer to a deletion that is done: Success, no code (it leaves it 0, so JSON omits it). */
export type DeletedStatus = Omit<Status, 'code'> & { status: 'Success' };

/**
 * The Status a DELETE answers with, as kube-apiserver's generic registry writes it, or undefined where the answer
 * is the object: a deletion still under way (the object has its deletionTimestamp and stays for finalizers, a
 * graceful pod or a terminating namespace), or a kind that returns the deleted object. `details` name the resource
 * as the request did: `kind` is its plural (kube-apiserver puts the resource there, not the Kind), `group` is left
 * out for the core group, and `uid` is the deleted object's, which is how kubectl waits for what it deleted.
 */
export function deletedStatus(def: Pick<ResourceDefinition, 'group' | 'plural' | 'returnsDeletedObject'>, deleted: any): DeletedStatus | undefined {
  if (def.returnsDeletedObject || deleted.metadata.deletionTimestamp) return undefined;
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name: deleted.metadata.name, ...(def.group ? { group: def.group } : {}), kind: def.plural, uid: deleted.metadata.uid },
  };
}
