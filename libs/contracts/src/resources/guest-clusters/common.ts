import { objectSchema } from '../object-meta.schema';
import { JsonSchema, PrinterColumn, ResourceDefinition } from '../resource-definition';
import { capiCondition, freeForm, int, list, obj, str, strMap } from '../vmoperator/schema-helpers';

export const RUN_GROUP = 'run.tanzu.vmware.com';
export const CAPI_GROUP = 'cluster.x-k8s.io';
export const CONTROLPLANE_GROUP = 'controlplane.cluster.x-k8s.io';
export const CAPV_VMWARE_GROUP = 'vmware.infrastructure.cluster.x-k8s.io';
export const CAPI_VERSION = 'v1beta1';

/** corev1.ObjectReference. */
export const objectReference: JsonSchema = obj({ apiVersion: str, kind: str, name: str, namespace: str, uid: str, resourceVersion: str, fieldPath: str });
export const localObjectReference: JsonSchema = obj({ name: str });
export const conditions: JsonSchema = list(capiCondition);
/** metav1.Duration as written: `10m`, `300s`. */
export const duration: JsonSchema = str;
/** Any JSON value (ClusterClass variable values). */
export const anyValue: JsonSchema = { 'x-kubernetes-preserve-unknown-fields': true };
export const labelSelector: JsonSchema = obj({
  matchLabels: strMap,
  matchExpressions: list(obj({ key: str, operator: str, values: list(str) }, ['key', 'operator'])),
});
/** clusterv1.ObjectMeta: only labels and annotations. */
export const templateMeta: JsonSchema = obj({ labels: strMap, annotations: strMap });
export const apiEndpoint: JsonSchema = obj({ host: str, port: int }, ['host', 'port']);
export const readinessGates: JsonSchema = list(obj({ conditionType: str, polarity: str }, ['conditionType']));
export const machineNamingStrategy: JsonSchema = obj({ template: str });
/** The v1beta2 status block CAPI v1.10 adds beside the v1beta1 one: not modelled field by field. */
export const v1beta2Status: JsonSchema = freeForm;

export const ageColumn: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

export function conditionColumn(name: string, type: string, field = 'status'): PrinterColumn {
  return { name, type: 'string', jsonPath: `.status.conditions[?(@.type=="${type}")].${field}` };
}

export function kindSchema(spec: JsonSchema, status: JsonSchema, required: string[] = []): JsonSchema {
  return objectSchema({ spec, status }, required);
}

export interface SingleVersionKind {
  group: string;
  kind: string;
  plural: string;
  shortNames: string[];
  scope?: 'Namespaced' | 'Cluster';
  categories?: string[];
  schema: JsonSchema;
  columns: PrinterColumn[];
  /** `spec.replicas` / `status.replicas` behind `<object>/scale`. */
  scale?: boolean;
}

/** A kind served at CAPI's v1beta1 only, with a status subresource. */
export function v1beta1Resource(k: SingleVersionKind): ResourceDefinition {
  return {
    group: k.group,
    kind: k.kind,
    listKind: `${k.kind}List`,
    plural: k.plural,
    singular: k.kind.toLowerCase(),
    shortNames: k.shortNames,
    categories: k.categories ?? ['cluster-api'],
    scope: k.scope ?? 'Namespaced',
    versions: [{ name: CAPI_VERSION, served: true, storage: true, schema: k.schema, printerColumns: k.columns }],
    subresources: { status: true, ...(k.scale ? { scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } } : {}) },
    strategicMergePatch: false,
    nameFormat: 'dns1123-subdomain',
  };
}
