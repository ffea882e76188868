/**
 * What a StoragePolicyQuota's status shows, as the Supervisor's storage quota service aggregates the namespace's
 * StoragePolicyUsages of the quota's policy: `total`, per StorageClass, and `extensions`, per extension (kind of
 * storage object) and StorageClass, each a `scQuotaUsage {reserved, used}`. Pure functions.
 */
import { bytesIn, memoryQuantity, type QuotaUsageBytes } from '@openpacific/contracts';
import { parseQuantity } from '@openpacific/kube-api';

/** `status.quotaUsage` of a StoragePolicyUsage: quantities as canonical as Go's (`0`, `5Gi`). */
export function quotaUsageStatus(u: QuotaUsageBytes): { reserved: string; used: string } {
  return { reserved: memoryQuantity(u.reserved), used: memoryQuantity(u.used) };
}

function usageOf(spu: any): QuotaUsageBytes {
  const q = spu?.status?.quotaUsage;
  return { reserved: bytesIn(q?.reserved, parseQuantity), used: bytesIn(q?.used, parseQuantity) };
}

type PerClass = Map<string, QuotaUsageBytes>;
const add = (m: PerClass, sc: string, u: QuotaUsageBytes) => {
  const was = m.get(sc) ?? { reserved: 0, used: 0 };
  m.set(sc, { reserved: was.reserved + u.reserved, used: was.used + u.used });
};
const list = (m: PerClass) => [...m.keys()].sort().map((storageClassName) => ({ storageClassName, scQuotaUsage: quotaUsageStatus(m.get(storageClassName)!) }));

/** The status of a StoragePolicyQuota given the StoragePolicyUsages of its namespace (those of other policies are passed over). */
export function storagePolicyQuotaStatus(spq: any, usages: any[]): any {
  const total: PerClass = new Map();
  const byExtension = new Map<string, PerClass>();
  for (const spu of usages) {
    if (spu?.spec?.storagePolicyId !== spq.spec?.storagePolicyId || spu.metadata?.deletionTimestamp) continue;
    const sc = spu.spec.storageClassName;
    const ext = spu.spec.resourceExtensionName;
    const u = usageOf(spu);
    add(total, sc, u);
    if (!byExtension.has(ext)) byExtension.set(ext, new Map());
    add(byExtension.get(ext)!, sc, u);
  }
  if (total.size === 0) return {};
  return {
    total: list(total),
    extensions: [...byExtension.keys()].sort().map((extensionName) => ({ extensionName, extensionQuotaUsage: list(byExtension.get(extensionName)!) })),
  };
}
