import { createHash } from 'node:crypto';
import { COORDINATION_GROUP, microTime } from '@openpacific/contracts';

/** Where Kubernetes keeps its nodes' Leases (one per node, named as the node). */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** kubelet's node Lease lasts 40 s (nodeLeaseDurationSeconds) and is renewed every quarter of that. */
export const NODE_LEASE_DURATION_SECONDS = 40;
export const NODE_LEASE_RENEW_INTERVAL_MS = 10_000;

/** What a replica knows of one host's Lease: when it last renewed it (a heartbeat heard), when its run began. */
export interface NodeLeaseState {
  resourceVersion: string;
  /** The epoch the last heartbeat heard was of. */
  epoch?: number;
  renewedAt?: number;
  acquiredAt?: number;
}

/**
 * A host's node Lease as kubelet keeps it: named as its Node, held by it, owned by it (so it goes with the Node), with
 * the time it was last renewed; acquireTime only when this replica saw the host's current run begin.
 */
export function nodeLeaseObject(host: any, state: NodeLeaseState): any {
  const name = host.metadata.name;
  const uid = host.metadata.uid ?? name;
  return {
    apiVersion: `${COORDINATION_GROUP}/v1`,
    kind: 'Lease',
    metadata: {
      name,
      namespace: NODE_LEASE_NAMESPACE,
      uid: derivedUid(`node-lease/${uid}`),
      resourceVersion: state.resourceVersion,
      creationTimestamp: host.metadata.creationTimestamp,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid }],
    },
    spec: {
      holderIdentity: name,
      leaseDurationSeconds: NODE_LEASE_DURATION_SECONDS,
      ...(state.acquiredAt !== undefined ? { acquireTime: microTime(new Date(state.acquiredAt)) } : {}),
      ...(state.renewedAt !== undefined ? { renewTime: microTime(new Date(state.renewedAt)) } : {}),
    },
  };
}

/** A UUID-shaped uid that every replica derives alike from the Node's (the Lease is never stored). */
function derivedUid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
