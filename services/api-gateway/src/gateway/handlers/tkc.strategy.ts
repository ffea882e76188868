import { ZONES_RESOURCE } from '@openpacific/contracts';
import { fieldForbidden, goQuote, KubeApiError, StatusCause } from '@openpacific/kube-api';
import type { ReadModel } from '@openpacific/objects';
import type { StrategyContext } from './kind-strategies';

/** The name the TKG service registers its TanzuKubernetesCluster validating webhook under: kube-apiserver names it in a refusal. */
const TKC_VALIDATING_WEBHOOK = 'default.validating.tanzukubernetescluster.run.vmware.com';

/** The webhook decodes replicas as Go's int32: 1e21 was taken, and cluster-api ran out of memory making its machines. */
const INT32_MAX = 2 ** 31 - 1;
const notInt32 = (field: string, value: number): StatusCause => ({ field, reason: 'FieldValueInvalid', message: `Invalid value: ${value}: must be a 32-bit integer, at most ${INT32_MAX}` });

/**
 * TanzuKubernetesCluster rules of the real admission webhook, on the stored (v1alpha3) shape: a control
 * plane needs an odd number of machines (etcd quorum), and a release may only move forward.
 */
export function validateTanzuKubernetesCluster(tkc: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const replicas = tkc.spec?.topology?.controlPlane?.replicas;
  if (replicas !== undefined && (!Number.isInteger(replicas) || replicas < 1 || replicas % 2 === 0)) {
    causes.push({ field: 'spec.topology.controlPlane.replicas', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(replicas)}: the control plane needs an odd number of replicas (1, 3, 5…) for etcd quorum` });
  } else if (typeof replicas === 'number' && replicas > INT32_MAX) causes.push(notInt32('spec.topology.controlPlane.replicas', replicas));
  const pools: any[] = tkc.spec?.topology?.nodePools ?? [];
  const seen = new Set<string>();
  pools.forEach((p, i) => {
    if (seen.has(p.name)) causes.push({ field: `spec.topology.nodePools[${i}].name`, reason: 'FieldValueDuplicate', message: `Duplicate value: "${p.name}"` });
    seen.add(p.name);
    // The schema says integer; a pool cannot have fewer than no machines.
    if (typeof p.replicas === 'number' && p.replicas < 0) {
      causes.push({ field: `spec.topology.nodePools[${i}].replicas`, reason: 'FieldValueInvalid', message: `Invalid value: ${p.replicas}: must be greater than or equal to 0` });
    }
    if (typeof p.replicas === 'number' && p.replicas > INT32_MAX) causes.push(notInt32(`spec.topology.nodePools[${i}].replicas`, p.replicas));
  });
  return causes;
}

/**
 * The TKG webhook's failure-domain rule on a zonal Supervisor: a node pool's `failureDomain` must be a zone of the
 * namespace (one of its Zones not being deleted), else the webhook denies the request (403, its words as the Status
 * reason, `failure domain is not valid for nodepool <name>: "<zone>"` for each such pool, joined by commas). `old`: on an
 * update only a pool whose failureDomain is new or changed is judged. A namespace without Zones is not checked.
 */
export function failureDomainRefusal(tkc: any, old: any | undefined, readModel: ReadModel | undefined): KubeApiError | undefined {
  if (!readModel) return undefined;
  const zones = readModel.list(ZONES_RESOURCE, tkc.metadata?.namespace).filter((z) => !z.object.metadata.deletionTimestamp).map((z) => z.object.metadata.name);
  if (zones.length === 0) return undefined;
  const before = new Map<string, unknown>((old?.spec?.topology?.nodePools ?? []).map((p: any) => [p?.name, p?.failureDomain]));
  const invalid = (tkc.spec?.topology?.nodePools ?? [])
    .filter((p: any) => typeof p?.failureDomain === 'string' && p.failureDomain !== '' && !zones.includes(p.failureDomain) && (!old || before.get(p.name) !== p.failureDomain))
    .map((p: any) => `failure domain is not valid for nodepool ${p.name}: ${goQuote(p.failureDomain)}`);
  if (invalid.length === 0) return undefined;
  const reason = invalid.join(', ');
  return new KubeApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason, message: `admission webhook ${goQuote(TKC_VALIDATING_WEBHOOK)} denied the request: ${reason}`, code: 403 });
}

/** On create: the webhook's failure-domain rule (a refusal is thrown: it is a 403, not a 422 of causes). */
export function validateTanzuKubernetesClusterCreate(tkc: any, ctx: StrategyContext): StatusCause[] {
  const refusal = failureDomainRefusal(tkc, undefined, ctx.readModel);
  if (refusal) throw refusal;
  return [];
}

export function validateTanzuKubernetesClusterUpdate(old: any, next: any, _subresource?: string, ctx?: StrategyContext): StatusCause[] {
  const refusal = failureDomainRefusal(next, old, ctx?.readModel);
  if (refusal) throw refusal;
  const before = releaseVersion(old.spec?.topology?.controlPlane?.tkr?.reference?.name);
  const after = releaseVersion(next.spec?.topology?.controlPlane?.tkr?.reference?.name);
  if (before && after && compareVersions(after, before) < 0) {
    return [fieldForbidden('spec.topology.controlPlane.tkr.reference.name', `downgrading from ${before.join('.')} to ${after.join('.')} is not supported`)];
  }
  return [];
}

/** `v1.29.4---vmware.3-fips.1-tkg.1` → [1, 29, 4]; undefined for a name that carries no version. */
export function releaseVersion(name: string | undefined): number[] | undefined {
  const m = /v?(\d+)[.-](\d+)[.-](\d+)/.exec(name ?? '');
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}
