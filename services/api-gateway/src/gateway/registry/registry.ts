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

/** Looks kinds up by the parts of a request path. Built once from the contracts' registry. */
export class ResourceRegistry {
  private readonly byPath = new Map<string, ServedResource>();
  private readonly byResource = new Map<string, ResourceDefinition>();
  /** `group/version` of every served version: asked on every request path. */
  private readonly groupVersions = new Set<string>();

  constructor(readonly definitions: ResourceDefinition[] = resourceDefinitions) {
    for (const def of definitions) {
      if (!def.viewOf) this.byResource.set(qualifiedResource(def), def);
      for (const version of def.versions.filter((v) => v.served)) {
        this.groupVersions.add(`${def.group}/${version.name}`);
        this.byPath.set(`${def.group}/${version.name}/${def.plural}`, {
          def,
          version,
          apiVersion: apiVersionOf(def, version.name),
          resource: def.viewOf?.resource ?? qualifiedResource(def),
        });
      }
    }
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
  if (obj.kind !== target.def.kind) {
    // Back from a view to the stored kind (Node -> Host): the view's changes onto the stored object.
    const source = [...VIEW_SOURCES].find((d) => d.kind === obj.kind && d.viewOf?.resource === target.resource);
    if (source && stored) return source.viewOf!.fromView(obj, stored);
  }
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

const VIEW_SOURCES = new Set(resourceDefinitions.filter((d) => d.viewOf));
