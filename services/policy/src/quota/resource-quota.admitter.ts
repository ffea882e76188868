import type { AdmissionRequest } from '@openpacific/contracts';
import type { ReadModel } from '@openpacific/objects';
import type { AdmissionVerdict, Admitter } from '../admission/admitter';
import type { PolicyState } from '../state/policy-state';
import { PerKeyQueue } from './per-key-queue';
import { QuotaLedger, Reservation } from './quota-ledger';
import { quotaMatches, scopeFactsOf, scopesKey } from './quota-scopes';
import { addUsage, exceededMessage, hardOf, podMissingCompute, Usage, usageDelta, usageOf } from './quota-usage';

export const QUOTAS_RESOURCE = 'resourcequotas';

/** The log's name of the request's resource: `pods`, `virtualmachines.vmoperator.vmware.com`. */
export function qualifiedOf(request: AdmissionRequest): string {
  return request.resource.group ? `${request.resource.resource}.${request.resource.group}` : request.resource.resource;
}

/** What the objects of a namespace use, as the read model has them; of a scoped quota, only the pods it matches. */
export function objectsUsage(model: ReadModel, namespace: string, quota?: any): Usage {
  const used: Usage = {};
  for (const resource of model.resources()) {
    for (const s of model.list(resource, namespace)) {
      if (!quota || quotaMatches(quota, scopeFactsOf(resource, s.object))) addUsage(used, usageOf(resource, s.object));
    }
  }
  return used;
}

/**
 * What reservations not yet visible as objects add: a create's reservation until its object's uid has been
 * seen (after that the object counts, or its deletion released it); an update's while the object is still at
 * the version the update was based on. Of a scoped quota, only reservations of pods it matches.
 */
export function pendingUsage(reservations: Reservation[], model: ReadModel, seenUids: Set<string>, quota?: any): Usage {
  const pending: Usage = {};
  for (const r of reservations) {
    if (quota && !quotaMatches(quota, r.scopes)) continue;
    if (r.basedOn === undefined) {
      if (!seenUids.has(r.uid)) addUsage(pending, r.usage);
    } else if (model.findByUid(r.uid)?.stored.object.metadata.resourceVersion === r.basedOn) {
      addUsage(pending, r.usage);
    }
  }
  return pending;
}

const forbidden = (message: string): AdmissionVerdict => ({ allowed: false, status: { code: 403, reason: 'Forbidden', message } });

/**
 * ResourceQuota: a create or update that would take a namespace's usage beyond a quota's `spec.hard` is
 * refused with kube-apiserver's message. Usage = objects in the read model + reservations of writes admitted
 * but not yet in it; an admitted write reserves its usage in the namespace's ledger stream at the version
 * the decision read, so concurrent decisions (in this process or in other replicas) serialize. Runs last in
 * the chain, after every other admitter (and LimitRange's defaults) passed.
 */
export class ResourceQuotaAdmitter implements Admitter {
  readonly name = 'ResourceQuota';
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
    const obj = request.object as any;
    const uid = obj?.metadata?.uid;
    if (!uid || this.state.model.list(QUOTAS_RESOURCE, ns).length === 0) return { allowed: true };
    return this.queue.run(ns, () => this.decide(request, ns, obj, uid));
  }

  /** What each quota counts (objects + pending reservations), computed once per distinct set of scopes. */
  private usageOfQuotas(ns: string, reservations: Reservation[]): (quota: any) => Usage {
    const byScopes = new Map<string, Usage>();
    return (quota) => {
      const key = scopesKey(quota);
      let used = byScopes.get(key);
      if (!used) {
        used = addUsage(objectsUsage(this.state.model, ns, quota), pendingUsage(reservations, this.state.model, this.state.seenUids, quota));
        byScopes.set(key, used);
      }
      return used;
    };
  }

  private async decide(request: AdmissionRequest, ns: string, obj: any, uid: string): Promise<AdmissionVerdict> {
    const resource = qualifiedOf(request);
    const after = usageOf(resource, obj);
    const requested = request.operation === 'CREATE' ? after : usageDelta(usageOf(resource, request.oldObject), after);
    const basedOn = request.operation === 'UPDATE' ? (request.oldObject as any)?.metadata?.resourceVersion : undefined;
    const key = basedOn ? `${uid}@${basedOn}` : uid;
    const scopes = scopeFactsOf(resource, obj);
    let refreshed = false;
    for (let attempt = 0; attempt < 100; attempt++) {
      // A quota whose scopes do not match the object neither limits nor counts it.
      const quotas = this.state.model.list(QUOTAS_RESOURCE, ns).map((s) => s.object).filter((q) => quotaMatches(q, scopes));
      const relevant = quotas.filter((q) => Object.keys(requested).some((k) => requested[k] > 0 && q.spec?.hard?.[k] !== undefined));
      if (resource === 'pods' && request.operation === 'CREATE') {
        for (const q of quotas) {
          const missing = podMissingCompute(obj, Object.keys(q.spec?.hard ?? {}));
          if (missing.length > 0) return forbidden(`${resource} "${obj.metadata.name}" is forbidden: failed quota: ${q.metadata.name}: must specify ${missing.join(',')}`);
        }
      }
      if (relevant.length === 0) return { allowed: true };
      const { version, reservations } = await this.ledger.read(ns);
      if (reservations.some((r) => r.key === key)) return { allowed: true }; // the same write admitted again (a retry)
      const usedBy = this.usageOfQuotas(ns, reservations);
      const message = relevant.map((q) => exceededMessage(q.metadata.name, hardOf(q), usedBy(q), requested)).find((m) => m !== undefined);
      if (message) {
        if (refreshed) return forbidden(`${resource} "${obj.metadata.name}" is forbidden: ${message}`);
        refreshed = true; // decide again on the freshest read model before refusing
        await this.state.fresh();
        continue;
      }
      if (request.dryRun) return { allowed: true };
      const reservation: Reservation = {
        key, uid, resource, name: obj.metadata.name, usage: requested, at: this.now(), ...(basedOn ? { basedOn } : {}), ...(scopes ? { scopes } : {}),
      };
      if (await this.ledger.reserve(ns, version, reservation)) return { allowed: true };
      // Another replica reserved in this namespace meanwhile: read its reservation and decide again.
    }
    return { allowed: false, status: { code: 409, reason: 'Conflict', message: `Operation cannot be fulfilled on resourcequotas: too many concurrent reservations in namespace "${ns}", please retry` } };
  }
}
