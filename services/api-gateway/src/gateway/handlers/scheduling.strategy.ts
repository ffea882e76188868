import {
  globalDefaultClassOf, HIGHEST_USER_DEFINABLE_PRIORITY, PREEMPT_LOWER_PRIORITY, PREEMPT_NEVER, SYSTEM_PRIORITY_CLASS_PREFIX, systemPriorityClass,
} from '@openpacific/contracts';
import { fieldForbidden, forbidden, StatusCause } from '@openpacific/kube-api';
import type { KindStrategy } from './kind-strategies';

/**
 * PriorityClass as kube-apiserver serves it: its validation, its registry's refusal to delete a system class, and
 * the Priority admission plugin's rule of one global default.
 */

const RESOURCE = 'priorityclasses.scheduling.k8s.io';

/** The cluster's PriorityClasses; the gateway sets it to read its read model (a second default class is refused). */
export type PriorityClassesLookup = () => any[];
let priorityClasses: PriorityClassesLookup = () => [];

export function setPriorityClassesLookup(lookup: PriorityClassesLookup): void {
  priorityClasses = lookup;
}

export function defaultPriorityClass(pc: any): any {
  pc.preemptionPolicy ??= PREEMPT_LOWER_PRIORITY;
  return pc;
}

/** Why a `system-` name is not one of the system's classes as it is, as kube-apiserver says it; undefined when it is. */
function unknownSystemClass(pc: any): string | undefined {
  const name = pc.metadata?.name;
  const known = systemPriorityClass(name);
  if (!known) return `${name} is not a known system priority class`;
  if ((pc.value ?? 0) !== known.value) return `value of ${name} PriorityClass must be ${known.value}`;
  if ((pc.globalDefault ?? false) !== false) return `globalDefault of ${name} PriorityClass must be false`;
  return undefined;
}

export function validatePriorityClass(pc: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const name: string = pc.metadata?.name ?? '';
  if (name.startsWith(SYSTEM_PRIORITY_CLASS_PREFIX)) {
    const why = unknownSystemClass(pc);
    if (why) causes.push(fieldForbidden('metadata.name', `priority class names with '${SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only. error: ${why}`));
  } else if ((pc.value ?? 0) > HIGHEST_USER_DEFINABLE_PRIORITY) {
    causes.push(fieldForbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  const policy = pc.preemptionPolicy;
  if (policy !== undefined && policy !== PREEMPT_LOWER_PRIORITY && policy !== PREEMPT_NEVER) {
    causes.push({ field: 'preemptionPolicy', reason: 'FieldValueNotSupported', message: `Unsupported value: "${policy}": supported values: "${PREEMPT_NEVER}", "${PREEMPT_LOWER_PRIORITY}"` });
  }
  return causes;
}

export function validatePriorityClassUpdate(old: any, next: any): StatusCause[] {
  const causes: StatusCause[] = [];
  if ((next.value ?? 0) !== (old.value ?? 0)) causes.push(fieldForbidden('value', 'may not be changed in an update.'));
  if (next.preemptionPolicy !== old.preemptionPolicy) {
    causes.push({ field: 'preemptionPolicy', reason: 'FieldValueInvalid', message: `Invalid value: "${next.preemptionPolicy ?? ''}": field is immutable` });
  }
  return causes;
}

/** The Priority admission plugin: a class may become the global default only while no other class is. Throws its 403. */
function admitGlobalDefault(pc: any): void {
  if (pc.globalDefault !== true) return;
  const other = globalDefaultClassOf(priorityClasses().filter((c) => c.metadata.name !== pc.metadata.name));
  if (other) throw forbidden(`${RESOURCE} "${pc.metadata.name}" is forbidden: PriorityClass ${other.metadata.name} is already marked as default. Only one default can exist`);
}

export const schedulingKindStrategies: Record<string, KindStrategy> = {
  'scheduling.k8s.io/PriorityClass': {
    defaults: defaultPriorityClass,
    prepareUpdate: (_old, next) => defaultPriorityClass(next),
    validate: validatePriorityClass,
    // Admission runs after validation: the 403 only for an object that is valid.
    validateCreate: (pc) => {
      if (validatePriorityClass(pc).length === 0) admitGlobalDefault(pc);
      return [];
    },
    validateUpdate: (old, next) => {
      const causes = validatePriorityClassUpdate(old, next);
      if (causes.length === 0 && validatePriorityClass(next).length === 0) admitGlobalDefault(next);
      return causes;
    },
    validateDelete: (pc) => (systemPriorityClass(pc.metadata.name) ? `${RESOURCE} "${pc.metadata.name}" is forbidden: this is a system priority class and cannot be deleted` : undefined),
  },
};
