import { JsonSchema } from '../resource-definition';

export const str: JsonSchema = { type: 'string' };
export const int: JsonSchema = { type: 'integer' };
export const bool: JsonSchema = { type: 'boolean' };
/**
 * resource.Quantity as VM Operator's CRDs declare one: an integer, or a string of the quantity pattern (`2Gi`, `500m`);
 * `memory: x` was taken, and a VM of the class ran with 1 GiB.
 */
export const quantity: JsonSchema = {
  type: ['string', 'integer'],
  'x-kubernetes-int-or-string': true,
  pattern: '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$',
};
export const intOrString: JsonSchema = { type: ['string', 'integer'] };
export const strMap: JsonSchema = { type: 'object', additionalProperties: str };
export const strList: JsonSchema = { type: 'array', items: str };
/** Raw JSON the API does not model field by field (cloud-config, vSphere ConfigSpec...). */
export const freeForm: JsonSchema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

/** A structural object: unknown fields are reported (Strict) or pruned. */
export function obj(properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema {
  return required.length ? { type: 'object', additionalProperties: false, required, properties } : { type: 'object', additionalProperties: false, properties };
}

export function list(items: JsonSchema): JsonSchema {
  return { type: 'array', items };
}

export function oneOfStrings(...values: string[]): JsonSchema {
  return { type: 'string', enum: values };
}

/** The properties of `base` without `drop`, plus `add`: versions differ by a few fields. */
export function fields(base: Record<string, JsonSchema>, add: Record<string, JsonSchema> = {}, drop: string[] = []): Record<string, JsonSchema> {
  const out = { ...base, ...add };
  for (const k of drop) delete out[k];
  return out;
}

export const secretKeySelector: JsonSchema = obj({ name: str, key: str }, ['name', 'key']);
export const typedRef: JsonSchema = obj({ apiVersion: str, kind: str, name: str });
export const localKindRef: JsonSchema = obj({ kind: str, name: str }, ['name']);

/** VirtualMachineSnapshotReference: a snapshot in a VM's tree (`Unmanaged` ones were taken outside the Supervisor). */
export const snapshotReference: JsonSchema = obj({ type: oneOfStrings('Managed', 'Unmanaged'), name: str }, ['type']);

/** metav1.Condition (v1alpha2 and later). */
export const metaCondition: JsonSchema = obj(
  {
    type: str,
    status: oneOfStrings('True', 'False', 'Unknown'),
    observedGeneration: int,
    lastTransitionTime: str,
    reason: str,
    message: str,
  },
  ['type', 'status'],
);

/** The Cluster API style condition of v1alpha1 (`severity` instead of `observedGeneration`). */
export const capiCondition: JsonSchema = obj(
  {
    type: str,
    status: oneOfStrings('True', 'False', 'Unknown'),
    severity: str,
    lastTransitionTime: str,
    reason: str,
    message: str,
  },
  ['type', 'status'],
);
