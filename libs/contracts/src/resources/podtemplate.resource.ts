import { labelMapText, podTemplateSpecSchema, templateMergeKeys } from './apps/apps-schema';
import { objectSchema } from './object-meta.schema';
import { ResourceDefinition } from './resource-definition';

export const POD_TEMPLATES_RESOURCE = 'podtemplates';

const containers = (o: any): any[] => o.template?.spec?.containers ?? [];

/** core/v1 PodTemplate: a pod template kept as an object of its own, for tools and controllers to copy pods from. */
export const podTemplateResource: ResourceDefinition = {
  group: '',
  kind: 'PodTemplate',
  listKind: 'PodTemplateList',
  plural: 'podtemplates',
  singular: 'podtemplate',
  shortNames: [],
  categories: [],
  scope: 'Namespaced',
  strategicMergePatch: true,
  returnsDeletedObject: true,
  nameFormat: 'dns1123-subdomain',
  subresources: {},
  mergeKeys: { ...templateMergeKeys('template') },
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      schema: objectSchema({ template: podTemplateSpecSchema }),
      printerColumns: [
        { name: 'Containers', type: 'string', jsonPath: '.template.spec.containers[*].name', value: (o) => containers(o).map((c) => c.name).join(',') },
        { name: 'Images', type: 'string', jsonPath: '.template.spec.containers[*].image', value: (o) => containers(o).map((c) => c.image).join(',') },
        { name: 'Pod Labels', type: 'string', jsonPath: '.template.metadata.labels', value: (o) => labelMapText(o.template?.metadata?.labels) },
      ],
    },
  ],
};
