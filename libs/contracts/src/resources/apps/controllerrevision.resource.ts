import { objectSchema } from '../object-meta.schema';
import { ResourceDefinition } from '../resource-definition';
import { APPS_GROUP } from './apps-schema';

/** `daemonset.apps/fluentd`: the revision's controller as kubectl prints it (kind and group, then name). */
function controllerName(rev: any): string {
  const ref = (rev.metadata?.ownerReferences ?? []).find((r: any) => r.controller);
  if (!ref) return '<none>';
  const group = String(ref.apiVersion ?? '').includes('/') ? String(ref.apiVersion).split('/')[0] : '';
  return `${String(ref.kind).toLowerCase()}${group ? `.${group}` : ''}/${ref.name}`;
}

/**
 * apps/v1 ControllerRevision: one revision of a DaemonSet's or StatefulSet's pod template, written by their
 * controllers (`data` is the strategic merge patch that puts the template back, which is how `kubectl rollout undo`
 * uses it; `revision` orders them for `kubectl rollout history`).
 */
export const controllerRevisionResource: ResourceDefinition = {
  group: APPS_GROUP,
  kind: 'ControllerRevision',
  listKind: 'ControllerRevisionList',
  plural: 'controllerrevisions',
  singular: 'controllerrevision',
  shortNames: [],
  categories: [],
  scope: 'Namespaced',
  strategicMergePatch: true,
  nameFormat: 'dns1123-subdomain',
  subresources: {},
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      schema: objectSchema({ data: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, revision: { type: 'integer', minimum: 0 } }, ['revision']),
      printerColumns: [
        { name: 'Controller', type: 'string', jsonPath: '.metadata.ownerReferences', value: controllerName },
        { name: 'Revision', type: 'integer', jsonPath: '.revision', value: (r) => r.revision },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
  ],
};
