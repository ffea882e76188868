import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@openpacific/service-kit';
import { ResourceRegistry } from './registry/registry';
import { ResourceTarget } from './http/resource-path';
import { LogFollower } from '@openpacific/objects';
import { Actor, ObjectWriter } from './store/object-writer';
import type { AllocationLedger } from '@openpacific/objects';
import { ReadModel } from '@openpacific/objects';
import { WatchHub } from '@openpacific/objects';
import type { EventStore } from '@openpacific/event-store';
import type { HostMetricsCache } from '@openpacific/messaging';
import type { NatsConnection } from 'nats';
import type { NodeLeaseView } from './node-leases/node-lease-view';
import type { ServiceAccountSigner } from '../pki';

/** What every request handler works with. */
export interface GatewayCore {
  registry: ResourceRegistry;
  readModel: ReadModel;
  hub: WatchHub;
  follower: LogFollower;
  writer: ObjectWriter;
  /** The allocation streams' versions (cluster IPs, node ports) at the read model's point of the log. */
  allocations: AllocationLedger;
  store: EventStore;
  logger: Logger;
  /** For requests that go to a host's runtime (pod logs). */
  nats: NatsConnection;
  natsPrefix: string;
  /** The /16 cluster IPs are allocated from (SERVICE_CIDR). */
  serviceCIDR: string;
  /** The hosts' latest usage samples, which metrics.k8s.io is served from (none: every pod and node is without metrics). */
  metrics?: HostMetricsCache;
  /** kube-node-lease's Leases, made from the hosts' heartbeats this replica hears (none: that namespace has no Leases). */
  nodeLeases?: NodeLeaseView;
  /** What ServiceAccount tokens are signed with (TokenRequest); tokens are not served without it. */
  serviceAccountKey?: ServiceAccountSigner;
  /** The URL clients reach this gateway at (kubeconfigs' server), known once it listens: the issuer's jwks_uri is under it. */
  publicUrl?: string;
}

/** One authenticated request for objects of one kind. */
export interface ResourceRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  query: URLSearchParams;
  target: ResourceTarget;
  user: Actor;
  requestId: string;
  /** Raw body, read for writes only. */
  body?: Buffer;
}

/** A write's `?dryRun=All` (a DELETE reads its own options: delete-options.ts). */
export function isDryRun(query: URLSearchParams): boolean {
  return query.getAll('dryRun').includes('All');
}
