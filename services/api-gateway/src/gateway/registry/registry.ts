import { apiVersionOf, qualifiedResource, ResourceDefinition, resourceDefinitions, ResourceVersionDefinition, storageVersion } from '@openpacific/contracts';

/** A kind as served at one version: what a request path resolves to. */
export interface ServedResource {
  def: ResourceDefinition;
  version: ResourceVersionDefinition;
  /** `v1`, `infrastructure.openpacific.io/v1alpha1`. */
  apiVersion: string;
  /**
   * Where the objects live: `namespaces`, `hosts.infrastructure.openpacific.io`; the name used in streams
   * and the read model. For a view kind (Node) it is the viewed resource (hosts).
   */
  resource: string;
}

/**
 * Looks kinds up by the parts of a request path: the contracts' registry, and the kinds of established
 * CustomResourceDefinitions, which come and go as the log says (customresources/custom-resource-kinds.ts). Lookups are Map reads;
 * the maps are rebuilt only when a custom kind changes.
 */
export class ResourceRegistry {
  private byPath = new Map<string, ServedResource>();
  private byResource = new Map<string, ResourceDefinition>();
  /** `group/version` of every served version: asked on every request path. */
  private groupVersions = new Set<string>();
  private readonly custom = new Map<string, ResourceDefinition>();
  private all: ResourceDefinition[];

  constructor(private readonly builtin: ResourceDefinition[] = resourceDefinitions) {
    this.all = builtin;
    this.index();
  }

  /** Every kind served now, built-in ones first. */
  get definitions(): ResourceDefinition[] {
    return this.all;
  }

  /** The contracts' kinds alone (the bootstrap roles grant these, never custom kinds). */
  get builtinDefinitions(): ResourceDefinition[] {
    return this.builtin;
  }

  /** Serves (or, with undefined, stops serving) the kind of a CustomResourceDefinition, by the CRD's name. */
  setCustom(crdName: string, def: ResourceDefinition | undefined): void {
    if (def) this.custom.set(crdName, def);
    else if (!this.custom.delete(crdName)) return;
    this.all = [...this.builtin, ...this.custom.values()];
    this.index();
  }

  customDefinition(crdName: string): ResourceDefinition | undefined {
    return this.custom.get(crdName);
  }

  private index(): void {
    const byPath = new Map<string, ServedResource>();
    const byResource = new Map<string, ResourceDefinition>();
    const groupVersions = new Set<string>();
    for (const def of this.all) {
      if (!def.viewOf) byResource.set(qualifiedResource(def), def);
      for (const version of def.versions.filter((v) => v.served)) {
        groupVersions.add(`${def.group}/${version.name}`);
        byPath.set(`${def.group}/${version.name}/${def.plural}`, {
          def,
          version,
          apiVersion: apiVersionOf(def, version.name),
          resource: def.viewOf?.resource ?? qualifiedResource(def),
        });
      }
    }
    this.byPath = byPath;
    this.byResource = byResource;
    this.groupVersions = groupVersions;
  }

  lookup(group: string, version: string, plural: string): ServedResource | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  /** Is `group/version` served at all (for 404s on unknown versions)? */
  hasGroupVersion(group: string, version: string): boolean {
    return this.groupVersions.has(`${group}/${version}`);
  }

  definition(resource: string): ResourceDefinition | undefined {
    return this.byResource.get(resource);
  }

  /** The served form at the storage version, which is what the log holds. */
  storage(resource: string): ServedResource {
    const def = this.byResource.get(resource);
    if (!def) throw new Error(`unknown resource ${resource}`);
    const version = def.versions.find((v) => v.storage)!;
    return { def, version, apiVersion: apiVersionOf(def, version.name), resource };
  }

  namespacedResources(): ResourceDefinition[] {
    return this.definitions.filter((d) => d.scope === 'Namespaced' && !d.viewOf);
  }
}

/**
 * Objects are stored at their kind's storage version; reading at another served
 * version converts with the kind's converters (VirtualMachine's v1alpha1 has
 * another shape); kinds without them differ only in apiVersion.
 */
export function convertObject(obj: any, target: ServedResource, stored?: any): any {
  if (obj.apiVersion === target.apiVersion && obj.kind === target.def.kind) return obj;
  const view = target.def.viewOf;
  if (view) return view.toView(obj);
  // Back from a view to the stored kind (Node -> Host, events.k8s.io Event -> core Event): the view's changes onto
  // the stored object, or a new object for a view that creates.
  const source = VIEW_SOURCES.find((d) => d.kind === obj.kind && d.viewOf!.resource === target.resource && d.versions.some((v) => apiVersionOf(d, v.name) === obj.apiVersion));
  if (source && (stored || source.viewOf!.creates)) return source.viewOf!.fromView(obj, stored);
  const conversion = target.def.conversion;
  if (conversion && obj.kind === target.def.kind) {
    const from = versionOf(obj.apiVersion);
    // Into storage (a write at another version): fields the old version cannot express come from `stored`.
    if (target.version.storage) return conversion.toStorage(obj, from, stored);
    const atStorage = from === storageVersion(target.def).name ? obj : conversion.toStorage(obj, from, undefined);
    return conversion.fromStorage(atStorage, target.version.name);
  }
  return { ...obj, apiVersion: target.apiVersion };
}

function versionOf(apiVersion: string): string {
  return apiVersion.slice(apiVersion.lastIndexOf('/') + 1);
}

const VIEW_SOURCES = resourceDefinitions.filter((d) => d.viewOf);
