import { objectMetaSchema } from '../object-meta.schema';
import { podSpecSchema } from '../pod.schema';
import { JsonSchema, PrinterColumn } from '../resource-definition';

export const APPS_GROUP = 'apps';
export const DEPLOYMENTS_RESOURCE = 'deployments.apps';
export const REPLICASETS_RESOURCE = 'replicasets.apps';
/** The label a Deployment adds to its ReplicaSets' selector and template, and so to their pods. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
/** The revision of a Deployment (and of each of its ReplicaSets), as kube-controller-manager writes it. */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';

const str: JsonSchema = { type: 'string' };
// apps/v1's integers are int32: the bound is part of the schema (withIntegerBounds), as Go's decoding is kube-apiserver's.
const int: JsonSchema = { type: 'integer', format: 'int32' };
const strMap: JsonSchema = { type: 'object', additionalProperties: { type: 'string' } };

export const labelSelectorSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    matchLabels: strMap,
    matchExpressions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'operator'],
        additionalProperties: false,
        properties: { key: str, operator: { type: 'string', enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] }, values: { type: 'array', items: str } },
      },
    },
  },
};

/** core/v1 PodTemplateSpec. */
export const podTemplateSpecSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { metadata: objectMetaSchema, spec: podSpecSchema },
};

/** apps/v1 DeploymentCondition / ReplicaSetCondition. */
export const workloadConditionSchema: JsonSchema = {
  type: 'object',
  required: ['type', 'status'],
  additionalProperties: false,
  properties: {
    type: str,
    status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
    lastUpdateTime: str,
    lastTransitionTime: str,
    reason: str,
    message: str,
  },
};

export const replicasSchema: JsonSchema = { type: 'integer', format: 'int32', minimum: 0 };
export const countSchema: JsonSchema = int;


/** `app=web,tier in (a,b)` as kubectl prints a selector (the wide SELECTOR column). */
export function selectorText(sel: any): string {
  const parts: string[] = Object.entries<string>(sel?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel?.matchExpressions ?? []) {
    if (e.operator === 'In') parts.push(`${e.key} in (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.length ? parts.join(',') : '<none>';
}

/** A label map as kubectl prints one (`app=web,tier=fe`, keys sorted), or `<none>`: a node selector, pod labels, a ReplicationController's selector. */
export function labelMapText(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length ? keys.map((k) => `${k}=${labels![k]}`).join(',') : '<none>';
}

const containers = (o: any): any[] => o.spec?.template?.spec?.containers ?? [];

/** CONTAINERS and IMAGES of a workload's pod template (`spec.template`), wide columns. */
export const templateContainerColumns: PrinterColumn[] = [
  { name: 'Containers', type: 'string', jsonPath: '.spec.template.spec.containers[*].name', priority: 1, value: (o) => containers(o).map((c) => c.name).join(',') },
  { name: 'Images', type: 'string', jsonPath: '.spec.template.spec.containers[*].image', priority: 1, value: (o) => containers(o).map((c) => c.image).join(',') },
];

/** CONTAINERS, IMAGES, SELECTOR: the wide columns kubectl shows for Deployments and ReplicaSets. */
export const workloadWideColumns: PrinterColumn[] = [
  ...templateContainerColumns,
  { name: 'Selector', type: 'string', jsonPath: '.spec.selector', priority: 1, value: (o) => selectorText(o.spec?.selector) },
];

/** Strategic merge patch keys of a pod template at `prefix` (`spec.template`). */
export function templateMergeKeys(prefix: string): Record<string, string> {
  return {
    [`${prefix}.spec.containers`]: 'name',
    [`${prefix}.spec.initContainers`]: 'name',
    [`${prefix}.spec.containers[].env`]: 'name',
    [`${prefix}.spec.initContainers[].env`]: 'name',
    [`${prefix}.spec.containers[].ports`]: 'containerPort',
    [`${prefix}.spec.containers[].volumeMounts`]: 'mountPath',
    [`${prefix}.spec.volumes`]: 'name',
  };
}

export const DAEMONSETS_RESOURCE = 'daemonsets.apps';
export const STATEFULSETS_RESOURCE = 'statefulsets.apps';
export const CONTROLLER_REVISIONS_RESOURCE = 'controllerrevisions.apps';
/**
 * The label on a DaemonSet's or StatefulSet's pods naming the template revision they were made from: the hash for a
 * DaemonSet's pods, the whole ControllerRevision name for a StatefulSet's (as kube-controller-manager writes them).
 */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';
/** The DaemonSet's generation a pod was made at. */
export const POD_TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
export const STATEFULSET_POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

const intOrString: JsonSchema = { type: ['integer', 'string'] };

/** apps/v1 DaemonSetUpdateStrategy and StatefulSetUpdateStrategy: RollingUpdate or OnDelete, and the rolling knobs. */
export function updateStrategySchema(rolling: Record<string, JsonSchema>): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      type: { type: 'string', enum: ['RollingUpdate', 'OnDelete'] },
      rollingUpdate: { type: 'object', additionalProperties: false, properties: rolling },
    },
  };
}
export const intOrPercentSchema = intOrString;
