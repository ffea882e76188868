import { objectSchema } from '../object-meta.schema';
import { JsonSchema, PrinterColumn, ResourceDefinition } from '../resource-definition';
import { versionedConversion, VersionMapping } from '../vmoperator/conversion';
import { clone } from '../vmoperator/json-patch3';
import { defined, mapSection } from '../vmoperator/mapping-helpers';
import { list, obj, str } from '../vmoperator/schema-helpers';
import { ageColumn, conditionColumn, conditions, localObjectReference, objectReference, RUN_GROUP } from './common';

/**
 * TanzuKubernetesRelease, tanzu-framework `apis/run/v1alpha3` (storage) and `apis/run/v1alpha1`. OpenPacific
 * reads `spec.osImages[].name` as the VirtualMachineImage the nodes boot from (v1alpha1: `nodeImageRef`).
 */
const TKR_HUB = 'v1alpha3';
const TKR_VERSIONS = ['v1alpha3', 'v1alpha1'] as const;
/** The v1alpha3 `kubernetes` fields that v1alpha1 lists as `images[]` by name. */
const COMPONENT_IMAGES = ['etcd', 'pause', 'coredns', 'kube-vip'];

const imageInfo = obj({ imageRepository: str, imageTag: str });

const v1alpha3Schema: JsonSchema = objectSchema({
  spec: obj(
    {
      version: str,
      kubernetes: obj({ version: str, imageRepository: str, ...Object.fromEntries(COMPONENT_IMAGES.map((c) => [c, imageInfo])) }, ['version']),
      osImages: list(localObjectReference),
      bootstrapPackages: list(localObjectReference),
    },
    ['version', 'kubernetes'],
  ),
  status: obj({ conditions }),
});

const v1alpha1Schema: JsonSchema = objectSchema({
  spec: obj(
    { version: str, kubernetesVersion: str, repository: str, images: list(obj({ repository: str, name: str, tag: str }, ['name'])), nodeImageRef: objectReference },
    ['version'],
  ),
  status: obj({ conditions }),
});

function imagesUp(images: any[] | undefined): Record<string, any> {
  const out: Record<string, any> = {};
  for (const i of images ?? []) {
    if (COMPONENT_IMAGES.includes(i?.name)) out[i.name] = defined({ imageRepository: i.repository, imageTag: i.tag }) ?? {};
  }
  return out;
}

function imagesDown(k: any): any[] | undefined {
  const out = COMPONENT_IMAGES.filter((c) => k?.[c]).map((c) => defined({ repository: k[c].imageRepository, name: c, tag: k[c].imageTag }));
  return out.length ? out : undefined;
}

function specUp(s: any): any {
  const kubernetes = defined({ version: s.kubernetesVersion, imageRepository: s.repository, ...imagesUp(s.images) });
  const osImages = s.nodeImageRef?.name ? [{ name: s.nodeImageRef.name }] : undefined;
  return defined({ version: s.version, kubernetes, osImages }) ?? {};
}

function specDown(h: any): any {
  const image = h.osImages?.[0]?.name;
  return defined({
    version: h.version,
    kubernetesVersion: h.kubernetes?.version,
    repository: h.kubernetes?.imageRepository,
    images: imagesDown(h.kubernetes),
    nodeImageRef: image ? { apiVersion: 'vmoperator.vmware.com/v1alpha1', kind: 'VirtualMachineImage', name: image } : undefined,
  }) ?? {};
}

const v1alpha1Mapping: VersionMapping = {
  up: (o) => mapSection(clone(o), 'spec', specUp),
  down: (h) => mapSection(clone(h), 'spec', specDown),
};

const columns: PrinterColumn[] = [
  { name: 'Version', type: 'string', jsonPath: '.spec.version' },
  conditionColumn('Ready', 'Ready'),
  conditionColumn('Compatible', 'Compatible'),
  { ...ageColumn, name: 'Created' },
];

const schemas: Record<(typeof TKR_VERSIONS)[number], JsonSchema> = { v1alpha3: v1alpha3Schema, v1alpha1: v1alpha1Schema };

export const tanzuKubernetesReleaseResource: ResourceDefinition = {
  group: RUN_GROUP,
  kind: 'TanzuKubernetesRelease',
  listKind: 'TanzuKubernetesReleaseList',
  plural: 'tanzukubernetesreleases',
  singular: 'tanzukubernetesrelease',
  shortNames: ['tkr'],
  categories: [],
  scope: 'Cluster',
  versions: TKR_VERSIONS.map((name) => ({ name, served: true, storage: name === TKR_HUB, schema: schemas[name], printerColumns: columns })),
  subresources: { status: true },
  strategicMergePatch: false,
  nameFormat: 'dns1123-subdomain',
  conversion: versionedConversion({ group: RUN_GROUP, hubVersion: TKR_HUB, schemas, mappings: { v1alpha1: v1alpha1Mapping } }),
};
