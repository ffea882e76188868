import { ObjectEventTypes, objectStreamId } from '@openpacific/contracts';
import { PassLoop, sameJson } from '@openpacific/objects';
import type { Logger, ServiceContext } from '@openpacific/service-kit';
import type { PolicyState } from '../state/policy-state';
import { QUOTA_ACTOR } from './quota-ledger';
import { objectsUsage, QUOTAS_RESOURCE } from './resource-quota.admitter';
import { scopesKey } from './quota-scopes';
import { usedStatus } from './quota-usage';

/**
 * Keeps every ResourceQuota's status true: `hard` as the spec says, `used` what the namespace's objects use
 * (of a scoped quota, only the pods it matches).
 * Runs on the elected policy replica; writes only when the status differs, at the quota's stream version.
 */
export class QuotaStatusController {
  private readonly loop: PassLoop;

  constructor(
    private readonly ctx: Pick<ServiceContext, 'store'>,
    private readonly state: PolicyState,
    private readonly logger: Logger,
    resyncMs = 2000,
  ) {
    this.loop = new PassLoop(() => this.pass(), {
      resyncMs,
      onError: (err) => logger.warn('quota status pass failed; retrying', { error: (err as Error).message }),
    });
  }

  start(): void {
    this.loop.start();
    this.loop.schedule();
  }

  stop(): void {
    this.loop.stop();
  }

  kick(): void {
    this.loop.schedule();
  }

  private async pass(): Promise<void> {
    // Quotas of one namespace and equal scopes count the same objects: compute that once.
    const byScopes = new Map<string, ReturnType<typeof objectsUsage>>();
    for (const stored of this.state.model.list(QUOTAS_RESOURCE)) {
      const quota = stored.object;
      if (quota.metadata.deletionTimestamp) continue;
      const ns = quota.metadata.namespace;
      const key = `${ns} ${scopesKey(quota)}`;
      if (!byScopes.has(key)) byScopes.set(key, objectsUsage(this.state.model, ns, quota));
      const hard = quota.spec?.hard ?? {};
      const status = { hard, used: usedStatus(hard, byScopes.get(key)!) };
      if (sameJson(quota.status, status)) continue;
      const next = { ...quota, status, metadata: { ...quota.metadata } };
      delete next.metadata.resourceVersion;
      try {
        await this.ctx.store.append(
          objectStreamId(QUOTAS_RESOURCE, ns, quota.metadata.name),
          [{ type: ObjectEventTypes.statusUpdated, data: { resource: QUOTAS_RESOURCE, object: next }, metadata: QUOTA_ACTOR }],
          { expectedVersion: stored.streamVersion },
        );
      } catch (err) {
        // A concurrent change of the quota: the next pass sees it.
        this.logger.debug('quota status write skipped', { quota: `${ns}/${quota.metadata.name}`, error: (err as Error).message });
      }
    }
  }
}
