import { CRDS_RESOURCE, definitionFromCrd, ResourceDefinition } from '@openpacific/contracts';
import { compiledRulesOf, releaseSchemas, schemaCompileError } from '@openpacific/kube-api';
import type { ObjectChange } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import { ResourceRegistry } from '../registry/registry';
import { deepEqual } from '../handlers/object-rules';
import { isEstablished } from './crd.status';

/**
 * Follows the CustomResourceDefinitions of the log into the registry, on every gateway replica: a CRD's kind is
 * served once the CRD is established (under the names it has accepted) and until the CRD is gone. Fed every change
 * the read model applies, including those of the rebuild at start, so a restarted gateway serves the kinds of
 * existing CRDs before it answers any request.
 */
export class CustomResourceKinds {
  constructor(private readonly registry: ResourceRegistry, private readonly logger: Logger) {}

  apply(change: ObjectChange): void {
    if (change.resource !== CRDS_RESOURCE) return;
    const crd = change.object;
    const name = crd.metadata.name;
    const served = this.registry.customDefinition(name);
    if (change.type === 'DELETED') {
      this.registry.setCustom(name, undefined);
      if (served) releaseSchemas(served);
      return;
    }
    if (!isEstablished(crd)) return;
    // Most changes of a served CRD (its status, its labels) leave its kind as it is.
    const previous = change.previous;
    if (served && previous && deepEqual(previous.spec, crd.spec) && deepEqual(previous.status?.acceptedNames, crd.status?.acceptedNames)) return;
    const def = this.definitionOf(crd);
    if (!def) return;
    this.registry.setCustom(name, def);
    if (served) releaseSchemas(served);
  }

  /** The kind to serve, or undefined (the kind served before, if any, stays) when the CRD cannot be served. */
  private definitionOf(crd: any): ResourceDefinition | undefined {
    let def: ResourceDefinition | undefined;
    try {
      const accepted = crd.status?.acceptedNames;
      // The names accepted, not those asked for (a short name another CRD holds is not served).
      def = definitionFromCrd(accepted?.kind ? { ...crd, spec: { ...crd.spec, names: accepted } } : crd);
      for (const v of def.versions) {
        const error = v.served ? schemaCompileError(v.schema) : undefined;
        if (error) throw new Error(`version ${v.name}: ${error}`);
        // Its CEL rules compiled now rather than on the first object's write.
        if (v.served) compiledRulesOf(v.schema);
      }
      return def;
    } catch (err) {
      if (def) releaseSchemas(def);
      this.logger.warn('a CustomResourceDefinition cannot be served', { name: crd.metadata.name, error: (err as Error).message });
      return undefined;
    }
  }
}
