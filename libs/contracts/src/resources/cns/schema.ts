import type { JsonSchema } from '../resource-definition';
import { obj, quantity, str } from '../vmoperator/schema-helpers';

/** A resource.Quantity as the CRDs declare one: an integer or a string of the quantity pattern. */
export { quantity };

/** A string of at most `max` characters. */
export const bounded = (max: number): JsonSchema => ({ ...str, maxLength: max });

/** A field its CRD makes immutable (`self == oldSelf`), with the CRD's message. */
export const immutable = (schema: JsonSchema, message: string): JsonSchema => ({ ...schema, 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message }] });

/** QuotaUsageDetails: storage reserved for what is being provisioned, and used by what has been. */
export const quotaUsageDetails = obj({ reserved: quantity, used: quantity });

/** SCLevelQuotaStatus: the usage of one StorageClass. */
export const storageClassQuotaStatus = obj({ storageClassName: bounded(64), scQuotaUsage: quotaUsageDetails }, ['storageClassName']);
