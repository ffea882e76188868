import { fieldForbidden, StatusCause } from '@openpacific/kube-api';

/**
 * TanzuKubernetesCluster rules of the real admission webhook, on the stored (v1alpha3) shape: a control
 * plane needs an odd number of machines (etcd quorum), and a release may only move forward.
 */
export function validateTanzuKubernetesCluster(tkc: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const replicas = tkc.spec?.topology?.controlPlane?.replicas;
  if (replicas !== undefined && (!Number.isInteger(replicas) || replicas < 1 || replicas % 2 === 0)) {
    causes.push({ field: 'spec.topology.controlPlane.replicas', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(replicas)}: the control plane needs an odd number of replicas (1, 3, 5…) for etcd quorum` });
  }
  const pools: any[] = tkc.spec?.topology?.nodePools ?? [];
  const seen = new Set<string>();
  pools.forEach((p, i) => {
    if (seen.has(p.name)) causes.push({ field: `spec.topology.nodePools[${i}].name`, reason: 'FieldValueDuplicate', message: `Duplicate value: "${p.name}"` });
    seen.add(p.name);
    // The schema says integer; a pool cannot have fewer than no machines.
    if (typeof p.replicas === 'number' && p.replicas < 0) {
      causes.push({ field: `spec.topology.nodePools[${i}].replicas`, reason: 'FieldValueInvalid', message: `Invalid value: ${p.replicas}: must be greater than or equal to 0` });
    }
  });
  return causes;
}

export function validateTanzuKubernetesClusterUpdate(old: any, next: any): StatusCause[] {
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
