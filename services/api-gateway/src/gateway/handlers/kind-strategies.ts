import { ResourceDefinition } from '@openpacific/contracts';
import { StatusCause } from '@openpacific/kube-api';
import { defaultPod, validatePod, validatePodUpdate } from './pod.strategy';

/** What a kind adds to the generic create/update rules: defaults and validation the schema cannot express. */
export interface KindStrategy {
  defaults?(obj: any): any;
  validate?(obj: any): StatusCause[];
  validateUpdate?(old: any, next: any): StatusCause[];
}

const strategies: Record<string, KindStrategy> = {
  '/Pod': { defaults: defaultPod, validate: validatePod, validateUpdate: validatePodUpdate },
};

export function strategyFor(def: ResourceDefinition): KindStrategy {
  return strategies[`${def.group}/${def.kind}`] ?? {};
}
