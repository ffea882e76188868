import { objectMetaSchema } from '../object-meta.schema';
import { JsonSchema, PrinterColumn, ResourceDefinition, ResourceVersionDefinition } from '../resource-definition';

const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

/** A CRD's names with kube-apiserver's defaults: singular the lower-cased kind, listKind the kind + `List`. */
export function crdNames(crd: any): { plural: string; singular: string; kind: string; listKind: string; shortNames: string[]; categories: string[] } {
  const n = crd.spec?.names ?? {};
  const kind = String(n.kind ?? '');
  return {
    plural: String(n.plural ?? ''),
    singular: n.singular || kind.toLowerCase(),
    kind,
    listKind: n.listKind || `${kind}List`,
    shortNames: n.shortNames ?? [],
    categories: n.categories ?? [],
  };
}

/**
 * Kubernetes' version priority (the first is the preferred version): GA before beta before alpha, higher
 * numbers first (v2, v1, v1beta2, v1beta1, v1alpha1), then versions of other shapes by name.
 */
export function compareKubeVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    return [m[2] === 'alpha' ? 0 : m[2] === 'beta' ? 1 : 2, Number(m[1]), Number(m[3] ?? 0)];
  };
  const ra = rank(a);
  const rb = rank(b);
  if (!ra || !rb) return ra ? -1 : rb ? 1 : a.localeCompare(b);
  for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return rb[i] - ra[i];
  return 0;
}

/**
 * An OpenAPI 3.0 schema as the JSON Schema validator reads it: an int-or-string field takes an integer or a string
 * (`x-kubernetes-int-or-string` alone says nothing to it), and OpenAPI's boolean `exclusiveMinimum` /
 * `exclusiveMaximum` become the bounds themselves. A keyword given as null is left out, as kube-apiserver decodes it
 * (`properties: null` is no properties), but for `default` and `example`, whose null is a value.
 */
function forValidation(schema: unknown): unknown {
  if (typeof schema !== 'object' || schema === null) return schema;
  if (Array.isArray(schema)) return schema.map(forValidation);
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(schema)) {
    if (v === null && k !== 'default' && k !== 'example') continue;
    if (k === 'properties' || k === 'patternProperties') out[k] = Object.fromEntries(Object.entries(v as object).map(([name, s]) => [name, forValidation(s)]));
    else if (k === 'default' || k === 'enum' || k === 'example') out[k] = v;
    else out[k] = forValidation(v);
  }
  if (out['x-kubernetes-int-or-string'] === true && out.type === undefined) {
    out.type = ['integer', 'string'];
    delete out.anyOf;
  }
  for (const [exclusive, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']]) {
    if (typeof out[exclusive] !== 'boolean') continue;
    if (out[exclusive] && typeof out[bound] === 'number') {
      out[exclusive] = out[bound];
      delete out[bound];
    } else delete out[exclusive];
  }
  return out;
}

/** The whole object's schema: the CRD's openAPIV3Schema with apiVersion, kind and metadata as for every kind. */
export function customResourceSchema(openAPIV3Schema: JsonSchema): JsonSchema {
  const root = forValidation(openAPIV3Schema) as JsonSchema;
  return {
    ...root,
    type: 'object',
    properties: { ...(root.properties ?? {}), apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: objectMetaSchema },
  };
}

function printerColumns(version: any): PrinterColumn[] {
  const columns: any[] = version.additionalPrinterColumns ?? [];
  // kube-apiserver shows an Age column only when the version declares none of its own.
  if (columns.length === 0) return [AGE];
  return columns.map((c) => ({
    name: c.name,
    type: c.type,
    jsonPath: c.jsonPath,
    ...(c.description ? { description: c.description } : {}),
    ...(c.priority ? { priority: c.priority } : {}),
    ...(c.format ? { format: c.format } : {}),
  }));
}

/**
 * kube-apiserver's warning for a deprecated version of a custom kind that gives none of its own: `<group>/<version>
 * <Kind> is deprecated`, then `; use <group>/<version> <Kind>` naming the served, not deprecated version of the highest
 * priority above it, if there is one. `versions` in priority order.
 */
function defaultDeprecationWarning(version: string, group: string, kind: string, versions: any[]): string {
  const message = `${group}/${version} ${kind} is deprecated`;
  const newer = versions.find((v) => v.served === true && v.deprecated !== true && compareKubeVersions(v.name, version) < 0);
  return newer ? `${message}; use ${group}/${newer.name} ${kind}` : message;
}

/**
 * The kind a CustomResourceDefinition (already validated) adds, as the gateway serves it: versions in
 * Kubernetes' priority order, the storage version's subresources (kube-apiserver allows them per version),
 * merge and JSON patches only, pruning and defaulting as for a structural schema.
 */
export function definitionFromCrd(crd: any): ResourceDefinition {
  const names = crdNames(crd);
  const specVersions: any[] = [...(crd.spec.versions ?? [])].sort((a, b) => compareKubeVersions(a.name, b.name));
  const versions: ResourceVersionDefinition[] = specVersions.map((v) => ({
    name: v.name,
    served: v.served === true,
    storage: v.storage === true,
    schema: customResourceSchema(v.schema?.openAPIV3Schema ?? { type: 'object' }),
    printerColumns: printerColumns(v),
    ...(v.selectableFields?.length ? { selectableFields: v.selectableFields.map((f: any) => String(f.jsonPath).replace(/^\./, '')) } : {}),
    ...(v.deprecated === true ? { deprecationWarning: v.deprecationWarning ?? defaultDeprecationWarning(v.name, crd.spec.group, names.kind, specVersions) } : {}),
  }));
  const storage = specVersions.find((v) => v.storage) ?? specVersions[0];
  const scale = storage?.subresources?.scale;
  const webhook = crd.spec.conversion?.strategy === 'Webhook' ? crd.spec.conversion.webhook : undefined;
  return {
    group: crd.spec.group,
    kind: names.kind,
    listKind: names.listKind,
    plural: names.plural,
    singular: names.singular,
    shortNames: names.shortNames,
    categories: names.categories,
    scope: crd.spec.scope,
    versions,
    subresources: {
      ...(storage?.subresources?.status ? { status: true } : {}),
      ...(scale ? {
        scale: { specReplicasPath: scale.specReplicasPath, statusReplicasPath: scale.statusReplicasPath, ...(scale.labelSelectorPath ? { labelSelectorPath: scale.labelSelectorPath } : {}) },
      } : {}),
    },
    strategicMergePatch: false,
    nameFormat: 'dns1123-subdomain',
    structural: true,
    ...(webhook ? { conversionWebhook: { clientConfig: webhook.clientConfig ?? {}, reviewVersions: webhook.conversionReviewVersions ?? [] } } : {}),
  };
}
