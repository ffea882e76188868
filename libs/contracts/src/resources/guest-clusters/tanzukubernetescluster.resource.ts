import { PrinterColumn, ResourceDefinition } from '../resource-definition';
import { ageColumn, conditionColumn, RUN_GROUP } from './common';
import { tkcConversion, TKC_HUB } from './tanzukubernetescluster.conversion';
import { TKC_VERSIONS, TkcVersion, tkcSchemas } from './tanzukubernetescluster.schema';

const columns: PrinterColumn[] = [
  { name: 'Control Plane', type: 'integer', jsonPath: '.spec.topology.controlPlane.replicas' },
  { name: 'Worker', type: 'integer', jsonPath: '.status.totalWorkerReplicas' },
  { name: 'TKR Name', type: 'string', jsonPath: '.spec.topology.controlPlane.tkr.reference.name' },
  ageColumn,
  conditionColumn('Ready', 'Ready'),
  conditionColumn('TKR Compatible', 'TanzuKubernetesReleaseCompatible'),
  conditionColumn('Updates Available', 'UpdatesAvailable', 'message'),
];

const v1alpha1Columns: PrinterColumn[] = [
  { name: 'Control Plane', type: 'integer', jsonPath: '.spec.topology.controlPlane.count' },
  { name: 'Worker', type: 'integer', jsonPath: '.spec.topology.workers.count' },
  { name: 'Distribution', type: 'string', jsonPath: '.spec.distribution.fullVersion' },
  ageColumn,
  { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
];

const columnsOf: Record<TkcVersion, PrinterColumn[]> = { v1alpha3: columns, v1alpha2: columns, v1alpha1: v1alpha1Columns };

export const tanzuKubernetesClusterResource: ResourceDefinition = {
  group: RUN_GROUP,
  kind: 'TanzuKubernetesCluster',
  listKind: 'TanzuKubernetesClusterList',
  plural: 'tanzukubernetesclusters',
  singular: 'tanzukubernetescluster',
  shortNames: ['tkc'],
  categories: [],
  scope: 'Namespaced',
  versions: TKC_VERSIONS.map((name) => ({ name, served: true, storage: name === TKC_HUB, schema: tkcSchemas[name], printerColumns: columnsOf[name] })),
  subresources: { status: true },
  strategicMergePatch: false,
  nameFormat: 'dns1123-subdomain',
  conversion: tkcConversion(),
};
