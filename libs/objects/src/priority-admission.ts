import { globalDefaultClassOf, PREEMPT_LOWER_PRIORITY, PRIORITY_CLASSES_RESOURCE } from '@openpacific/contracts';
import type { ReadModel } from './read-model';

/** The PriorityClasses a pod's admission consults: one by name, and the cluster's default class if there is one. */
export interface PriorityClassLookup {
  get(name: string): any | undefined;
  globalDefault(): any | undefined;
}

export function readModelPriorityClasses(readModel: ReadModel): PriorityClassLookup {
  return {
    get: (name) => readModel.get(PRIORITY_CLASSES_RESOURCE, undefined, name)?.object,
    // A handful of classes at most: the walk costs less than keeping an index of them.
    globalDefault: () => globalDefaultClassOf(readModel.list(PRIORITY_CLASSES_RESOURCE).map((s) => s.object)),
  };
}

/**
 * The Priority admission plugin on a new pod, in place: `spec.priorityClassName` (or the global default class, else
 * none and priority 0) sets `spec.priority` and `spec.preemptionPolicy`. Returns why kube-apiserver refuses the pod
 * (a 403 under `pods "p" is forbidden: `), or undefined when it is admitted.
 */
export function admitPriority(pod: any, classes: PriorityClassLookup): string | undefined {
  const spec = pod?.spec;
  if (!spec || typeof spec !== 'object') return undefined;
  let priority = 0;
  let preemptionPolicy: string | undefined;
  if (!spec.priorityClassName) {
    const pc = classes.globalDefault();
    if (pc) {
      spec.priorityClassName = pc.metadata.name;
      priority = pc.value ?? 0;
      preemptionPolicy = pc.preemptionPolicy;
    }
  } else {
    const pc = classes.get(spec.priorityClassName);
    if (!pc) return `no PriorityClass with name ${spec.priorityClassName} was found`;
    priority = pc.value ?? 0;
    preemptionPolicy = pc.preemptionPolicy;
  }
  if (spec.priority !== undefined && spec.priority !== null && spec.priority !== priority) {
    return `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`;
  }
  spec.priority = priority;
  if (preemptionPolicy && spec.preemptionPolicy && spec.preemptionPolicy !== preemptionPolicy) {
    return `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${preemptionPolicy} from the given PriorityClass name`;
  }
  spec.preemptionPolicy = preemptionPolicy ?? spec.preemptionPolicy ?? PREEMPT_LOWER_PRIORITY;
  return undefined;
}
