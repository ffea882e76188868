import { leaseResource } from './lease.resource';

export * from './lease.resource';
export * from './micro-time';
export * from './lease-liveness';

/** coordination.k8s.io/v1: Lease (users' leader election, the api-gateway replicas' identity Leases). */
export const coordinationResources = [leaseResource];
