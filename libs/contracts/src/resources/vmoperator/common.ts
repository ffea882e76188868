import { JsonSchema, PrinterColumn, ResourceDefinition, ResourceVersionDefinition } from '../resource-definition';
import { versionedConversion, VersionMapping } from './conversion';

export const VMOPERATOR_GROUP = 'vmoperator.vmware.com';
export const VMOPERATOR_HUB = 'v1alpha5';
/** Newest first: the registry takes the first served version as the preferred one. */
export const VMOPERATOR_VERSIONS = ['v1alpha5', 'v1alpha3', 'v1alpha2', 'v1alpha1'] as const;
export type VmopVersion = (typeof VMOPERATOR_VERSIONS)[number];

export const ageColumn: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

export interface VmopKind {
  kind: string;
  plural: string;
  shortNames?: string[];
  scope?: 'Namespaced' | 'Cluster';
  schemas: Record<VmopVersion, JsonSchema>;
  columns: Record<VmopVersion, PrinterColumn[]>;
  /** Versions whose shape differs from the hub's beyond unknown fields. */
  mappings?: Partial<Record<VmopVersion, VersionMapping>>;
}

/** A vmoperator.vmware.com kind serving v1alpha5 (storage) down to v1alpha1. */
export function vmopResource(k: VmopKind): ResourceDefinition {
  const versions: ResourceVersionDefinition[] = VMOPERATOR_VERSIONS.map((name) => ({
    name,
    served: true,
    storage: name === VMOPERATOR_HUB,
    schema: k.schemas[name],
    printerColumns: k.columns[name],
  }));
  return {
    group: VMOPERATOR_GROUP,
    kind: k.kind,
    listKind: `${k.kind}List`,
    plural: k.plural,
    singular: k.kind.toLowerCase(),
    shortNames: k.shortNames ?? [],
    categories: ['vmoperator', 'all'],
    scope: k.scope ?? 'Namespaced',
    versions,
    subresources: { status: true },
    strategicMergePatch: false,
    nameFormat: 'dns1123-subdomain',
    conversion: versionedConversion({ group: VMOPERATOR_GROUP, hubVersion: VMOPERATOR_HUB, schemas: k.schemas, mappings: k.mappings ?? {} }),
  };
}

/** The same value for every version. */
export function sameForAll<T>(value: T): Record<VmopVersion, T> {
  return Object.fromEntries(VMOPERATOR_VERSIONS.map((v) => [v, value])) as Record<VmopVersion, T>;
}
