import { conditionSchema, objectSchema } from '../object-meta.schema';
import { ResourceDefinition } from '../resource-definition';
import { intOrPercentSchema, labelSelectorSchema } from '../apps/apps-schema';

export const PDBS_RESOURCE = 'poddisruptionbudgets.policy';

const count = { type: 'integer' };
const intOrPercentText = (v: unknown) => (v === undefined || v === null ? 'N/A' : String(v));

/**
 * policy/v1 PodDisruptionBudget: how many of a selector's pods a voluntary disruption (an eviction, `kubectl drain`)
 * must leave running. Its status is kept by the disruption controller (scheduler service); the gateway's
 * `pods/eviction` honours it.
 */
export const podDisruptionBudgetResource: ResourceDefinition = {
  group: 'policy',
  kind: 'PodDisruptionBudget',
  listKind: 'PodDisruptionBudgetList',
  plural: 'poddisruptionbudgets',
  singular: 'poddisruptionbudget',
  shortNames: ['pdb'],
  categories: [],
  scope: 'Namespaced',
  strategicMergePatch: true,
  nameFormat: 'dns1123-subdomain',
  subresources: { status: true },
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      schema: objectSchema({
        spec: {
          type: 'object',
          additionalProperties: false,
          properties: {
            minAvailable: intOrPercentSchema,
            maxUnavailable: intOrPercentSchema,
            selector: labelSelectorSchema,
            unhealthyPodEvictionPolicy: { type: 'string', enum: ['IfHealthyBudget', 'AlwaysAllow'] },
          },
        },
        status: {
          type: 'object',
          additionalProperties: false,
          properties: {
            observedGeneration: count,
            disruptedPods: { type: 'object', additionalProperties: { type: 'string' } },
            disruptionsAllowed: count,
            currentHealthy: count,
            desiredHealthy: count,
            expectedPods: count,
            conditions: { type: 'array', items: conditionSchema },
          },
        },
      }),
      printerColumns: [
        { name: 'Min Available', type: 'string', jsonPath: '.spec.minAvailable', value: (p) => intOrPercentText(p.spec?.minAvailable) },
        { name: 'Max Unavailable', type: 'string', jsonPath: '.spec.maxUnavailable', value: (p) => intOrPercentText(p.spec?.maxUnavailable) },
        { name: 'Allowed Disruptions', type: 'integer', jsonPath: '.status.disruptionsAllowed', value: (p) => p.status?.disruptionsAllowed ?? 0 },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
  ],
};
