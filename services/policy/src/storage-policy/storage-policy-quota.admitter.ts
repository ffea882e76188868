import { policyUsageBytes, STORAGE_POLICY_QUOTAS_RESOURCE, type AdmissionRequest } from '@openpacific/contracts';
import { parseQuantity } from '@openpacific/kube-api';
import type { AdmissionVerdict, Admitter } from '../admission/admitter';
import { PerKeyQueue } from '../quota/per-key-queue';
import { QuotaLedger, Reservation } from '../quota/quota-ledger';
import { pendingUsage, qualifiedOf } from '../quota/resource-quota.admitter';
import type { PolicyState } from '../state/policy-state';
import { modelObjects } from '../usage/namespace-usage';
import { limitOf, StorageAsk, storageAsk, storagePolicyQuotaExceeded } from './storage-policy-quota';

const RESOURCES = new Set(['persistentvolumeclaims', 'virtualmachines.vmoperator.vmware.com']);

/**
 * The ledger's name of what a write reserved of a storage policy. Not a name a ResourceQuota can hold (the `:`),
 * so quota never counts it; and its reservations' keys (`spq:<uid>`) are not quota's (`<uid>`), so each admitter
 * finds only its own when a write is admitted again.
 */
export const policyUsageKey = (policyId: string) => `storagepolicyquotas.cns.vmware.com:${policyId}`;

/**
 * StoragePolicyQuota: a claim (create, or growth) or a VM (create, its image's disks) that would take its storage
 * policy's usage in the namespace beyond a StoragePolicyQuota's `spec.limit` is refused. Usage = what the claims and
 * VMs of the policy's classes reserve and use in the read model + what writes admitted but not yet in it reserved,
 * kept in the namespace's quota ledger beside ResourceQuota's reservations, so concurrent decisions (any replica)
 * serialize as quota's do. A namespace without a limited StoragePolicyQuota of the policy is not looked at.
 */
export class StoragePolicyQuotaAdmitter implements Admitter {
  readonly name = 'StoragePolicyQuota';
  /** Decisions on one namespace run one at a time in this process; other replicas are serialized by the ledger. */
  private readonly queue = new PerKeyQueue();

  constructor(
    private readonly state: PolicyState,
    private readonly ledger: QuotaLedger,
    private readonly now: () => number = Date.now,
  ) {}

  async admit(request: AdmissionRequest): Promise<AdmissionVerdict> {
    const ns = request.namespace;
    if (!ns || request.subResource || (request.operation !== 'CREATE' && request.operation !== 'UPDATE')) return { allowed: true };
    const resource = qualifiedOf(request);
    const obj = request.object as any;
    if (!RESOURCES.has(resource) || !obj?.metadata?.uid || !this.limitedQuotas(ns).length) return { allowed: true };
    const ask = storageAsk(resource, request.operation, obj, request.oldObject, modelObjects(this.state.model));
    if (!ask || !this.limitedQuotas(ns, ask.policyId).length) return { allowed: true };
    return this.queue.run(ns, () => this.decide(request, ns, resource, obj, ask));
  }

  /** The namespace's StoragePolicyQuotas that set a limit (of one policy). */
  private limitedQuotas(ns: string, policyId?: string): any[] {
    return this.state.model.list(STORAGE_POLICY_QUOTAS_RESOURCE, ns).map((s) => s.object)
      .filter((q) => limitOf(q) !== undefined && (policyId === undefined || q.spec?.storagePolicyId === policyId));
  }

  private async decide(request: AdmissionRequest, ns: string, resource: string, obj: any, ask: StorageAsk): Promise<AdmissionVerdict> {
    const uid: string = obj.metadata.uid;
    const basedOn = request.operation === 'UPDATE' ? (request.oldObject as any)?.metadata?.resourceVersion : undefined;
    const key = `spq:${basedOn ? `${uid}@${basedOn}` : uid}`;
    const usageKey = policyUsageKey(ask.policyId);
    let refreshed = false;
    for (let attempt = 0; attempt < 100; attempt++) {
      const { version, reservations } = await this.ledger.read(ns);
      if (reservations.some((r) => r.key === key)) return { allowed: true }; // the same write admitted again (a retry)
      const model = this.state.model;
      const used = policyUsageBytes(ns, ask.policyId, modelObjects(model), parseQuantity) + (pendingUsage(reservations, model, this.state.seenUids)[usageKey] ?? 0);
      const message = this.limitedQuotas(ns, ask.policyId).map((q) => storagePolicyQuotaExceeded(q, used, ask)).find((m) => m !== undefined);
      if (message) {
        if (refreshed) return { allowed: false, status: { code: 403, reason: 'Forbidden', message: `${resource} "${obj.metadata.name}" is forbidden: ${message}` } };
        refreshed = true; // decide again on the freshest read model before refusing
        await this.state.fresh();
        continue;
      }
      if (request.dryRun) return { allowed: true };
      const reservation: Reservation = { key, uid, resource, name: obj.metadata.name, usage: { [usageKey]: ask.bytes }, at: this.now(), ...(basedOn ? { basedOn } : {}) };
      if (await this.ledger.reserve(ns, version, reservation)) return { allowed: true };
    }
    return { allowed: false, status: { code: 409, reason: 'Conflict', message: `Operation cannot be fulfilled on storagepolicyquotas.cns.vmware.com: too many concurrent reservations in namespace "${ns}", please retry` } };
  }
}
