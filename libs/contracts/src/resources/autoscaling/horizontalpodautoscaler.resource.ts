import { PrinterColumn, ResourceDefinition } from '../resource-definition';
import { hpaReference, hpaTargets } from './hpa-columns';
import { AUTOSCALING_GROUP, hpaConversion } from './hpa.conversion';
import { hpaV1Schema, hpaV2Schema } from './hpa.schema';

export const HPAS_RESOURCE = 'horizontalpodautoscalers.autoscaling';

/** Both versions print the stored (v2) object, as kube-apiserver's table printer does. */
const columns: PrinterColumn[] = [
  { name: 'Reference', type: 'string', jsonPath: '.spec.scaleTargetRef.name', value: hpaReference },
  { name: 'Targets', type: 'string', jsonPath: '.spec.metrics', value: hpaTargets },
  { name: 'MinPods', type: 'string', jsonPath: '.spec.minReplicas', value: (h) => (h.spec?.minReplicas === undefined ? '<unset>' : String(h.spec.minReplicas)) },
  { name: 'MaxPods', type: 'integer', jsonPath: '.spec.maxReplicas', value: (h) => h.spec?.maxReplicas ?? 0 },
  { name: 'Replicas', type: 'integer', jsonPath: '.status.currentReplicas', value: (h) => h.status?.currentReplicas ?? 0 },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

/**
 * autoscaling/v2 HorizontalPodAutoscaler (v1 served and converted): the replicas of a scalable object (Deployment,
 * ReplicaSet, StatefulSet) from its pods' resource usage, kept by the HPA controller in the scheduler service.
 */
export const horizontalPodAutoscalerResource: ResourceDefinition = {
  group: AUTOSCALING_GROUP,
  kind: 'HorizontalPodAutoscaler',
  listKind: 'HorizontalPodAutoscalerList',
  plural: 'horizontalpodautoscalers',
  singular: 'horizontalpodautoscaler',
  shortNames: ['hpa'],
  categories: ['all'],
  scope: 'Namespaced',
  strategicMergePatch: true,
  nameFormat: 'dns1123-subdomain',
  subresources: { status: true },
  versions: [
    { name: 'v2', served: true, storage: true, schema: hpaV2Schema, printerColumns: columns },
    { name: 'v1', served: true, storage: false, schema: hpaV1Schema, printerColumns: columns },
  ],
  conversion: hpaConversion,
  mergeKeys: { 'status.conditions': 'type' },
};
