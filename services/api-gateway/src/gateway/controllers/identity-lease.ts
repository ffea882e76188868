import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '@openpacific/service-kit';
import { APISERVER_IDENTITY_LABEL, APISERVER_IDENTITY_VALUE, APISERVER_PEER_ENDPOINT_ANNOTATION, LEASES_RESOURCE, microTime, ObjectEventTypes } from '@openpacific/contracts';
import { PassLoop } from '@openpacific/objects';
import { GatewayCore } from '../core';
import { deleteObject } from '../handlers/delete';
import { prepareForCreate } from '../handlers/object-rules';
import { Actor } from '../store/object-writer';
import { IDENTITY_LEASE_NAMESPACE } from './apiserver-endpoints';
import { commitUpdateInternal } from './internal-update';
import type { GatewayEndpoint } from './kubernetes-service';

const ACTOR: Actor = { username: 'system:apiserver', groups: ['system:masters'] };
const HOSTNAME_LABEL = 'kubernetes.io/hostname';
/** kube-apiserver renews its identity Lease every 10 s. */
const RENEW_MS = 10_000;

/**
 * A replica's identity, as kube-apiserver names its own (`apiserver-` and a hash of its host name): a hash of the host
 * name and INSTANCE_ID, so that replicas sharing a machine differ and a restarted replica takes up its Lease again.
 */
export function apiserverIdentity(instanceId: string, host = hostname()): string {
  const digest = createHash('sha256').update(`${host}/${instanceId}`).digest().subarray(0, 16);
  return `apiserver-${base32(digest)}`;
}

function base32(bytes: Uint8Array): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return bits > 0 ? out + alphabet[(value << (5 - bits)) & 31] : out;
}

/** How often a Lease of this duration is renewed: every 10 s as kube-apiserver, at least three times per duration. */
export function renewIntervalMs(durationSeconds: number): number {
  return Math.min(RENEW_MS, Math.floor((durationSeconds * 1000) / 3));
}

/** The identity Lease's labels, annotation and spec as this replica renews it at `now` (holder and transitions kept right). */
export function renewedIdentityLease(lease: any, holder: string, endpoint: GatewayEndpoint, durationSeconds: number, now: string): any {
  lease.metadata.labels = { ...(lease.metadata.labels ?? {}), [APISERVER_IDENTITY_LABEL]: APISERVER_IDENTITY_VALUE, [HOSTNAME_LABEL]: hostname() };
  lease.metadata.annotations = { ...(lease.metadata.annotations ?? {}), [APISERVER_PEER_ENDPOINT_ANNOTATION]: `${endpoint.address}:${endpoint.port}` };
  const spec = (lease.spec ??= {});
  if (spec.holderIdentity !== holder) {
    if (spec.holderIdentity) spec.leaseTransitions = (spec.leaseTransitions ?? 0) + 1;
    spec.holderIdentity = holder;
    spec.acquireTime = now;
  }
  spec.leaseDurationSeconds = durationSeconds;
  spec.renewTime = now;
  return lease;
}

/**
 * This replica's identity Lease in kube-system (every replica keeps its own, as every kube-apiserver does): named
 * `apiserverIdentity(INSTANCE_ID)`, held by `<name>_<uuid of this process>`, annotated with where the replica serves,
 * renewed every `renewIntervalMs(duration)`. The elected replica lists the replicas whose Leases are live in the
 * `kubernetes` Service's endpoints and deletes the Leases that ran out (kubernetes-service.ts). A renewal is one
 * event in the log; a renewal lost to another writer is tried again a second later.
 */
export class IdentityLease {
  readonly name: string;
  readonly holder: string;
  private readonly loop: PassLoop;

  constructor(
    private readonly core: GatewayCore,
    logger: Logger,
    instanceId: string,
    private readonly endpoint: GatewayEndpoint,
    private readonly durationSeconds: number,
  ) {
    this.name = apiserverIdentity(instanceId);
    this.holder = `${this.name}_${randomUUID()}`;
    this.loop = new PassLoop(() => this.renew(), {
      debounceMs: 0, resyncMs: renewIntervalMs(durationSeconds), retryMs: 1000,
      onError: (err) => logger.warn('identity lease renewal failed', { lease: this.name, error: (err as Error).message }),
    });
  }

  start(): void {
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
  }

  /**
   * Stops renewing and deletes the Lease while this process still holds it (at the version seen), so that a replica
   * that stops gracefully leaves the endpoints at once, as kube-apiserver takes itself out of them when it shuts down.
   * Given up after `timeoutMs` (Postgres gone, say): the Lease then runs out as a crashed replica's does.
   */
  async release(timeoutMs = 2000): Promise<void> {
    this.loop.stop();
    const stored = this.core.readModel.get(LEASES_RESOURCE, IDENTITY_LEASE_NAMESPACE, this.name);
    if (!stored || stored.object.spec?.holderIdentity !== this.holder) return;
    const served = this.core.registry.storage(LEASES_RESOURCE);
    const preconditions = { resourceVersion: stored.object.metadata.resourceVersion };
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      deleteObject(this.core, served, IDENTITY_LEASE_NAMESPACE, this.name, { preconditions }, ACTOR, false).catch(() => undefined),
      new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }

  private async renew(): Promise<void> {
    const { readModel, registry, writer } = this.core;
    const now = microTime();
    const stored = readModel.get(LEASES_RESOURCE, IDENTITY_LEASE_NAMESPACE, this.name);
    const renew = (lease: any) => renewedIdentityLease(lease, this.holder, this.endpoint, this.durationSeconds, now);
    let written: boolean;
    if (stored && !stored.object.metadata.deletionTimestamp) {
      written = await commitUpdateInternal(this.core, LEASES_RESOURCE, stored, renew, ACTOR);
    } else {
      const served = registry.storage(LEASES_RESOURCE);
      const manifest = renew({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.name, namespace: IDENTITY_LEASE_NAMESPACE } });
      written = await writer.write({
        served, operation: 'CREATE', eventType: ObjectEventTypes.created, object: prepareForCreate(served.def, manifest, IDENTITY_LEASE_NAMESPACE),
        expectedVersion: readModel.streamVersion(LEASES_RESOURCE, IDENTITY_LEASE_NAMESPACE, this.name), actor: ACTOR, dryRun: false, skipAdmission: true,
      }).then(() => true, (err: { code?: string }) => {
        if (err?.code === 'EVENTSTORE.VERSION_CONFLICT') return false;
        throw err;
      });
    }
    // Lost to another writer: the log has a newer Lease (or a deleted one); try again on it.
    if (!written) throw Object.assign(new Error('the identity lease changed meanwhile'), { code: 'GATEWAY.LEASE_CONFLICT' });
  }
}
