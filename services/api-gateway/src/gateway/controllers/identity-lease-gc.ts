import type { Logger } from '@openpacific/service-kit';
import { APISERVER_PEER_ENDPOINT_ANNOTATION, LEASES_RESOURCE, leaseLive } from '@openpacific/contracts';
import type { ObjectChange } from '@openpacific/objects';
import { GatewayCore } from '../core';
import { deleteObject } from '../handlers/delete';
import { Actor } from '../store/object-writer';
import { expiredIdentityLeases, IDENTITY_LEASE_NAMESPACE, isIdentityLease, nextIdentityLeaseExpiryMs } from './apiserver-endpoints';

const ACTOR: Actor = { username: 'system:apiserver', groups: ['system:masters'] };
/** A pass due at a Lease's expiry runs this much after it, so that the Lease is seen expired. */
const EXPIRY_MARGIN_MS = 50;

/**
 * Whether a change of a Lease can change the `kubernetes` endpoints: an identity Lease added or deleted, its endpoint
 * or holder changed, or renewed after it had run out. A plain renewal (the usual one, every 10 s per replica) changes
 * nothing the endpoints show, and starts no pass.
 */
export function identityLeaseConcerns(change: ObjectChange, nowMs: number): boolean {
  const { object, previous } = change;
  if (!isIdentityLease(object) && !isIdentityLease(previous)) return false;
  if (change.type !== 'MODIFIED' || !previous) return true;
  const endpoint = (l: any) => l?.metadata?.annotations?.[APISERVER_PEER_ENDPOINT_ANNOTATION];
  return endpoint(object) !== endpoint(previous) || object.spec?.holderIdentity !== previous.spec?.holderIdentity || !leaseLive(previous, nowMs) || !isIdentityLease(object);
}

/**
 * The elected gateway's part in the replicas' identity Leases: it deletes those that ran out, as kube-apiserver's
 * identity-lease garbage collector does (a replica that comes back makes its Lease again), and asks for a pass of the
 * `kubernetes` endpoints when the first live one runs out, so that a replica that stopped renewing leaves them then.
 */
export class IdentityLeaseCollector {
  private timer?: NodeJS.Timeout;
  private dueAt?: number;

  constructor(
    private readonly core: GatewayCore,
    private readonly logger: Logger,
    private readonly onExpiry: () => void,
  ) {}

  identityLeases(): any[] {
    return this.core.readModel.list(LEASES_RESOURCE, IDENTITY_LEASE_NAMESPACE).map((s) => s.object).filter(isIdentityLease);
  }

  /** Deletes the Leases expired at `nowMs` (each only at the version seen expired) and arms the next expiry's pass. */
  async collect(leases: any[], nowMs: number): Promise<void> {
    this.arm(nextIdentityLeaseExpiryMs(leases, nowMs));
    const served = this.core.registry.storage(LEASES_RESOURCE);
    for (const lease of expiredIdentityLeases(leases, nowMs)) {
      const { name, resourceVersion } = lease.metadata;
      try {
        await deleteObject(this.core, served, IDENTITY_LEASE_NAMESPACE, name, { preconditions: { resourceVersion } }, ACTOR, false);
        this.logger.info('expired identity lease deleted', { lease: name, holder: lease.spec?.holderIdentity });
      } catch (err) {
        // Renewed or deleted meanwhile: nothing to collect.
        const code = (err as { code?: number }).code;
        if (code !== 409 && code !== 404) throw err;
      }
    }
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(expiresAt: number | undefined): void {
    if (expiresAt === undefined || expiresAt === this.dueAt) return;
    clearTimeout(this.timer);
    this.dueAt = expiresAt;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.dueAt = undefined;
      this.onExpiry();
    }, Math.max(0, expiresAt - Date.now()) + EXPIRY_MARGIN_MS);
  }
}
