import { storagePolicyQuotaResource } from './storagepolicyquota.resource';
import { storagePolicyUsageResource } from './storagepolicyusage.resource';

export * from './common';
export * from './storagepolicyquota.resource';
export * from './storagepolicyusage.resource';
export * from './storage-usage';

/** cns.vmware.com/v1alpha1: StoragePolicyQuota and StoragePolicyUsage. */
export const cnsResources = [storagePolicyQuotaResource, storagePolicyUsageResource];
