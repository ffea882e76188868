import { CRDS_RESOURCE } from '@openpacific/contracts';
import type { ObjectChange } from '@openpacific/objects';
import { createLogger } from '@openpacific/service-kit';
import { ResourceRegistry } from '../registry/registry';
import { CustomResourceKinds } from './custom-resource-kinds';

const established = { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' };
const crd = (openAPIV3Schema: any, conditions: any[] = [], shortNames: string[] = []) => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget', shortNames }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema } }] },
  status: { conditions, acceptedNames: conditions.length ? { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' } : undefined },
});
const change = (type: ObjectChange['type'], object: any, previous?: any): ObjectChange => ({
  type, resource: CRDS_RESOURCE, position: { txid: '1', position: '1' } as any, resourceVersion: '1', object, previous,
});

describe('the kinds of the CustomResourceDefinitions in the log', () => {
  const warnings: string[] = [];
  const logger = createLogger('test', 'warn', 'test', (line) => warnings.push(line));
  const schema = { type: 'object', properties: { spec: { type: 'object' } } };

  it('serves a kind once its CRD is established, under the names it accepted, until the CRD is gone', () => {
    const registry = new ResourceRegistry();
    const kinds = new CustomResourceKinds(registry, logger);
    const created = crd(schema);
    kinds.apply(change('ADDED', created));
    expect(registry.lookup('example.com', 'v1', 'widgets')).toBeUndefined();
    // The spec asks for a short name another CRD holds: served without it.
    const accepted = crd(schema, [established], ['wd']);
    kinds.apply(change('MODIFIED', accepted, created));
    expect(registry.lookup('example.com', 'v1', 'widgets')?.def.shortNames).toEqual([]);
    const served = registry.customDefinition('widgets.example.com');
    kinds.apply(change('MODIFIED', { ...accepted, metadata: { ...accepted.metadata, labels: { a: 'b' } } }, accepted));
    expect(registry.customDefinition('widgets.example.com')).toBe(served);
    kinds.apply(change('DELETED', accepted, accepted));
    expect(registry.lookup('example.com', 'v1', 'widgets')).toBeUndefined();
  });

  it('leaves a CRD whose schema cannot be compiled unserved, with a warning, instead of failing', () => {
    const registry = new ResourceRegistry();
    const kinds = new CustomResourceKinds(registry, logger);
    kinds.apply(change('ADDED', crd({ type: 'object', properties: { n: { type: 'integer', minimum: 'x' } } }, [established])));
    expect(registry.customDefinition('widgets.example.com')).toBeUndefined();
    expect(warnings.join('\n')).toContain('a CustomResourceDefinition cannot be served');
  });
});
