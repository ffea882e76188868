import type { StatusCause } from '@openpacific/kube-api';
import { defaultTemplate, validateTemplateSpec } from './apps.strategy';
import type { KindStrategy } from './kind-strategies';

/**
 * core/v1 PodTemplate as kube-apiserver takes it: the pod defaults on its template (on create and update) and the
 * template validated as a pod's, any restart policy; the template may change.
 */
export function defaultPodTemplate(pt: any): any {
  defaultTemplate(pt.template);
  return pt;
}

export function validatePodTemplate(pt: any): StatusCause[] {
  return validateTemplateSpec({ ...(pt.template ?? {}), spec: pt.template?.spec ?? {} }, 'template', ['Always', 'OnFailure', 'Never']);
}

export const podTemplateKindStrategies: Record<string, KindStrategy> = {
  '/PodTemplate': { defaults: defaultPodTemplate, validate: validatePodTemplate, prepareUpdate: (_old, next) => defaultPodTemplate(next) },
};
