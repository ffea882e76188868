import { objectSchema } from '../object-meta.schema';
import { ResourceDefinition } from '../resource-definition';

export const PRIORITY_CLASSES_RESOURCE = 'priorityclasses.scheduling.k8s.io';
/** The highest value a user's PriorityClass may have; above it are the system's. */
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
export const SYSTEM_PRIORITY_CLASS_PREFIX = 'system-';
export const PREEMPT_LOWER_PRIORITY = 'PreemptLowerPriority';
export const PREEMPT_NEVER = 'Never';

/** The classes kube-apiserver makes at start and keeps: they cannot be deleted, nor take another value. */
export const SYSTEM_PRIORITY_CLASSES: ReadonlyArray<{ name: string; value: number; description: string }> = [
  { name: 'system-node-critical', value: 2_000_001_000, description: 'Used for system critical pods that must not be moved from their current node.' },
  { name: 'system-cluster-critical', value: 2_000_000_000, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
];

export function systemPriorityClass(name: string): { name: string; value: number; description: string } | undefined {
  return SYSTEM_PRIORITY_CLASSES.find((c) => c.name === name);
}

/** A system class as the bootstrap writes it. */
export function systemPriorityClassObject(c: { name: string; value: number; description: string }): any {
  return {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: c.name },
    value: c.value,
    globalDefault: false,
    description: c.description,
    preemptionPolicy: PREEMPT_LOWER_PRIORITY,
  };
}

/**
 * scheduling.k8s.io/v1 PriorityClass: a name for a pod priority. The gateway's Priority admission resolves a pod's
 * `spec.priorityClassName` into `spec.priority` and `spec.preemptionPolicy`; the scheduler orders and preempts by them.
 */
export const priorityClassResource: ResourceDefinition = {
  group: 'scheduling.k8s.io',
  kind: 'PriorityClass',
  listKind: 'PriorityClassList',
  plural: 'priorityclasses',
  singular: 'priorityclass',
  shortNames: ['pc'],
  categories: [],
  scope: 'Cluster',
  strategicMergePatch: true,
  nameFormat: 'dns1123-subdomain',
  subresources: {},
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      schema: objectSchema({
        value: { type: 'integer', minimum: -2147483648, maximum: 2147483647 },
        globalDefault: { type: 'boolean' },
        description: { type: 'string' },
        preemptionPolicy: { type: 'string' },
      }),
      // As kube-apiserver's table printer has them (the name first, added by the table).
      printerColumns: [
        { name: 'Value', type: 'integer', jsonPath: '.value', value: (pc) => pc.value ?? 0 },
        { name: 'Global-Default', type: 'boolean', jsonPath: '.globalDefault', value: (pc) => pc.globalDefault === true },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        { name: 'PreemptionPolicy', type: 'string', jsonPath: '.preemptionPolicy', value: (pc) => pc.preemptionPolicy ?? '<unset>' },
      ],
    },
  ],
};

/** The class marked globalDefault; with several (written before admission refused a second one), the lowest value, as kube-apiserver picks it. */
export function globalDefaultClassOf(classes: any[]): any | undefined {
  let chosen: any;
  for (const pc of classes) if (pc.globalDefault === true && (!chosen || (pc.value ?? 0) < (chosen.value ?? 0))) chosen = pc;
  return chosen;
}
