import { fieldForbidden, fieldInvalid, fieldRequired, goRendered, StatusCause } from '@openpacific/kube-api';
import { defaultTemplate, goMap, validateTemplateSpec } from './apps.strategy';
import type { KindStrategy } from './kind-strategies';

/**
 * core/v1 ReplicationController as kube-apiserver 1.32 defaults and validates it: the selector and the object's
 * labels default to the template's labels, replicas to 1; the selector is a label map that may not be empty and must
 * match the template's labels, the template is required, its pods restart Always and carry no activeDeadlineSeconds.
 * Unlike apps/v1's, the selector may change.
 */

const empty = (m: Record<string, string> | undefined): boolean => Object.keys(m ?? {}).length === 0;

export function defaultReplicationController(rc: any): any {
  const spec = (rc.spec ??= {});
  const labels = spec.template?.metadata?.labels;
  if (labels) {
    if (empty(spec.selector)) spec.selector = { ...labels };
    rc.metadata ??= {};
    if (empty(rc.metadata.labels)) rc.metadata.labels = { ...labels };
  }
  spec.replicas ??= 1;
  defaultTemplate(spec.template);
  return rc;
}

export function validateReplicationController(rc: any): StatusCause[] {
  const spec = rc.spec ?? {};
  const causes: StatusCause[] = [];
  if (empty(spec.selector)) causes.push(fieldRequired('spec.selector'));
  const template = spec.template;
  if (!template) return [...causes, fieldRequired('spec.template')];
  const labels: Record<string, string> = template.metadata?.labels ?? {};
  if (!empty(spec.selector) && !Object.entries<string>(spec.selector).every(([k, v]) => labels[k] === v)) {
    causes.push(fieldInvalid('spec.template.metadata.labels', goRendered(goMap(labels)), '`selector` does not match template `labels`'));
  }
  causes.push(...validateTemplateSpec(template, 'spec.template', ['Always']));
  if (template.spec?.activeDeadlineSeconds !== undefined) {
    causes.push(fieldForbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicationController is not Supported'));
  }
  return causes;
}

/** The status a writer (the replication controller) may set: counts of at least 0, none above `replicas`, available ones ready. */
export function validateReplicationControllerStatus(_old: any, next: any): StatusCause[] {
  const s = next.status ?? {};
  const causes: StatusCause[] = [];
  for (const f of ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration']) {
    if ((s[f] ?? 0) < 0) causes.push(fieldInvalid(`status.${f}`, s[f], 'must be greater than or equal to 0'));
  }
  const [replicas, ready, available] = [s.replicas ?? 0, s.readyReplicas ?? 0, s.availableReplicas ?? 0];
  if ((s.fullyLabeledReplicas ?? 0) > replicas) causes.push(fieldInvalid('status.fullyLabeledReplicas', s.fullyLabeledReplicas, 'cannot be greater than status.replicas'));
  if (ready > replicas) causes.push(fieldInvalid('status.readyReplicas', ready, 'cannot be greater than status.replicas'));
  if (available > replicas) causes.push(fieldInvalid('status.availableReplicas', available, 'cannot be greater than status.replicas'));
  if (available > ready) causes.push(fieldInvalid('status.availableReplicas', available, 'cannot be greater than readyReplicas'));
  return causes;
}

export const replicationControllerKindStrategies: Record<string, KindStrategy> = {
  '/ReplicationController': {
    defaults: defaultReplicationController,
    validate: validateReplicationController,
    prepareUpdate: (_old, next) => defaultReplicationController(next),
    validateStatusUpdate: validateReplicationControllerStatus,
  },
};
