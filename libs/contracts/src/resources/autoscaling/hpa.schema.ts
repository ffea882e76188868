import { conditionSchema, objectSchema } from '../object-meta.schema';
import { labelSelectorSchema } from '../apps/apps-schema';
import { JsonSchema } from '../resource-definition';

/**
 * The shapes of autoscaling/v2 (storage) and autoscaling/v1 HorizontalPodAutoscaler. Enumerations (metric and
 * target types, policies) are left to the gateway's validation, which words its refusals as kube-apiserver does.
 */
const str: JsonSchema = { type: 'string' };
const int: JsonSchema = { type: 'integer', format: 'int32' };
const quantity: JsonSchema = { type: ['string', 'number'] };
const object = (properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema => ({ type: 'object', additionalProperties: false, required, properties });

const crossVersionObjectReference = object({ apiVersion: str, kind: str, name: str });
const metricIdentifier = object({ name: str, selector: labelSelectorSchema });
const metricTarget = object({ type: str, value: quantity, averageValue: quantity, averageUtilization: int });
const metricValueStatus = object({ value: quantity, averageValue: quantity, averageUtilization: int });

/** A metric in a spec (its `target`) or in a status (its `current` value): the same sources either way. */
const metricOf = (key: 'target' | 'current', value: JsonSchema): JsonSchema =>
  object({
    type: str,
    object: object({ describedObject: crossVersionObjectReference, metric: metricIdentifier, [key]: value }),
    pods: object({ metric: metricIdentifier, [key]: value }),
    resource: object({ name: str, [key]: value }),
    containerResource: object({ name: str, container: str, [key]: value }),
    external: object({ metric: metricIdentifier, [key]: value }),
  });
const metricSpec = metricOf('target', metricTarget);
const metricStatus = metricOf('current', metricValueStatus);

const scalingRules = object({
  stabilizationWindowSeconds: int,
  selectPolicy: str,
  policies: { type: 'array', items: object({ type: str, value: int, periodSeconds: int }) },
});

export const hpaV2Schema = objectSchema({
  spec: object({
    scaleTargetRef: crossVersionObjectReference,
    minReplicas: int,
    maxReplicas: int,
    metrics: { type: 'array', items: metricSpec },
    behavior: object({ scaleUp: scalingRules, scaleDown: scalingRules }),
  }),
  status: object({
    observedGeneration: int,
    lastScaleTime: str,
    currentReplicas: int,
    desiredReplicas: int,
    currentMetrics: { type: 'array', items: metricStatus },
    conditions: { type: 'array', items: conditionSchema },
  }),
});

export const hpaV1Schema = objectSchema({
  spec: object({ scaleTargetRef: crossVersionObjectReference, minReplicas: int, maxReplicas: int, targetCPUUtilizationPercentage: int }),
  status: object({ observedGeneration: int, lastScaleTime: str, currentReplicas: int, desiredReplicas: int, currentCPUUtilizationPercentage: int }),
});
