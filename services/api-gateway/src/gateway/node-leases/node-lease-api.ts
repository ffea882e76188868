import { COORDINATION_GROUP, HOSTS_RESOURCE, LEASES_RESOURCE } from '@openpacific/contracts';
import type { LogPosition } from '@openpacific/event-store';
import type { ObjectChange } from '@openpacific/objects';
import { KubeApiError, statusError } from '@openpacific/kube-api';
import type { ResourceTarget } from '../http/resource-path';
import { NODE_LEASE_NAMESPACE } from './node-lease-object';
import type { NodeLeaseChange, NodeLeaseView } from './node-lease-view';

const isLeases = (target: ResourceTarget) => target.served.resource === LEASES_RESOURCE;

/** A request for Leases of kube-node-lease itself: the view answers it, and refuses writes. */
export function inNodeLeaseNamespace(target: ResourceTarget): boolean {
  return isLeases(target) && target.namespace === NODE_LEASE_NAMESPACE;
}

/** A list or watch whose Leases include the node Leases (kube-node-lease's, or every namespace's). */
export function includesNodeLeases(target: ResourceTarget): boolean {
  return isLeases(target) && (target.namespace === undefined || target.namespace === NODE_LEASE_NAMESPACE);
}

/** A stored Lease in kube-node-lease (from before the view): left out, the view's Lease of that name is the one served. */
export function shadowedByNodeLeases(obj: any): boolean {
  return obj?.kind === 'Lease' && obj.metadata?.namespace === NODE_LEASE_NAMESPACE;
}

/**
 * What a watch resuming at `from` gets of the node Leases, beside the log's `changes` since: each Lease renewed since,
 * as it is now, and the Leases of the Hosts deleted since.
 */
export function nodeLeaseReplay(view: NodeLeaseView, changes: ObjectChange[], from: LogPosition): NodeLeaseChange[] {
  const ended = changes.filter((c) => c.resource === HOSTS_RESOURCE && c.type === 'DELETED').map((c) => ({ type: 'DELETED' as const, object: view.deletedLease(c) }));
  return [...ended, ...view.changedSince(from).map((object) => ({ type: 'MODIFIED' as const, object }))];
}

/** A list's or bookmark's resourceVersion: the log's, or the newest node Lease renewal when that came after it. */
export function versionAfterRenewals(view: NodeLeaseView | undefined, logged: string): string {
  const renewed = view?.newestVersion();
  return renewed !== undefined && BigInt(renewed) > BigInt(logged) ? renewed : logged;
}

/** 403 for any write to kube-node-lease's Leases: the hosts' heartbeats keep them, and they are never stored. */
export function nodeLeaseWriteRefused(target: ResourceTarget): KubeApiError {
  const what = target.name ? `leases.${COORDINATION_GROUP} "${target.name}"` : `leases.${COORDINATION_GROUP}`;
  return statusError(
    403,
    'Forbidden',
    `${what} is forbidden: the Leases in ${NODE_LEASE_NAMESPACE} are kept by the hosts' heartbeats and cannot be written`,
    { name: target.name, group: COORDINATION_GROUP, kind: 'leases' },
  );
}
