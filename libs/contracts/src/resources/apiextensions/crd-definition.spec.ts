import { compareKubeVersions, crdNames, definitionFromCrd } from './crd-definition';

const crd = (versions: any[], names: any = { plural: 'widgets', kind: 'Widget' }) => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: { group: 'example.com', scope: 'Namespaced', names, versions },
});
const schema = (openAPIV3Schema: any) => ({ openAPIV3Schema });

describe('a CustomResourceDefinition as the kind it adds', () => {
  it('defaults the singular to the lower-cased kind and the list kind to kind + List', () => {
    expect(crdNames(crd([]))).toEqual({ plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList', shortNames: [], categories: [] });
  });

  it('orders versions as Kubernetes prefers them: GA, then beta, then alpha, higher first, others by name last', () => {
    expect(['v1alpha1', 'foo', 'v1', 'v2beta1', 'v1beta2', 'v2', 'bar', 'v10'].sort(compareKubeVersions)).toEqual(['v10', 'v2', 'v1', 'v2beta1', 'v1beta2', 'v1alpha1', 'bar', 'foo']);
  });

  it('serves the versions with their schemas wrapped in apiVersion, kind and metadata, and an Age column when none is declared', () => {
    const def = definitionFromCrd(crd([
      { name: 'v1alpha1', served: false, storage: false, schema: schema({ type: 'object' }) },
      { name: 'v1', served: true, storage: true, schema: schema({ type: 'object', properties: { spec: { type: 'object' } } }), additionalPrinterColumns: [{ name: 'Color', type: 'string', jsonPath: '.spec.color', priority: 1 }] },
    ]));
    expect(def).toMatchObject({ group: 'example.com', kind: 'Widget', listKind: 'WidgetList', plural: 'widgets', singular: 'widget', scope: 'Namespaced', strategicMergePatch: false, structural: true });
    expect(def.versions.map((v) => [v.name, v.served, v.storage])).toEqual([['v1', true, true], ['v1alpha1', false, false]]);
    expect(Object.keys(def.versions[0].schema.properties)).toEqual(['spec', 'apiVersion', 'kind', 'metadata']);
    expect(def.versions[0].printerColumns).toEqual([{ name: 'Color', type: 'string', jsonPath: '.spec.color', priority: 1 }]);
    expect(def.versions[1].printerColumns).toEqual([{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }]);
  });

  it('makes x-kubernetes-int-or-string fields an integer or a string for validation, anywhere in the schema', () => {
    const def = definitionFromCrd(crd([{ name: 'v1', served: true, storage: true, schema: schema({
      type: 'object',
      properties: { spec: { type: 'object', properties: { ports: { type: 'array', items: { 'x-kubernetes-int-or-string': true, default: 80 } } } } },
    }) }]));
    expect(def.versions[0].schema.properties.spec.properties.ports.items).toEqual({ 'x-kubernetes-int-or-string': true, type: ['integer', 'string'], default: 80 });
  });

  it('reads a keyword given as null as left out (properties: null answered 500), but a null default as a value', () => {
    const def = definitionFromCrd(crd([{ name: 'v1', served: true, storage: true, schema: schema({
      type: 'object',
      properties: { spec: { type: 'object', properties: null, required: null, items: null, x: null }, note: { type: 'string', nullable: true, default: null, maxLength: null } },
    }) }]));
    expect(def.versions[0].schema.properties.spec).toEqual({ type: 'object' });
    expect(def.versions[0].schema.properties.note).toEqual({ type: 'string', nullable: true, default: null });
  });

  it('takes the subresources of the storage version', () => {
    const def = definitionFromCrd(crd([
      { name: 'v1', served: true, storage: true, schema: schema({ type: 'object' }), subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } } },
      { name: 'v1beta1', served: true, storage: false, schema: schema({ type: 'object' }) },
    ]));
    expect(def.subresources).toEqual({ status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } });
  });

  it("warns of a deprecated version in its own words, or kube-apiserver's naming the newest served version to use", () => {
    const v = (name: string, extra: any = {}) => ({ name, served: true, storage: name === 'v2', schema: schema({ type: 'object' }), ...extra });
    const def = definitionFromCrd(crd([v('v1alpha1', { deprecated: true }), v('v1', { deprecated: true }), v('v2'), v('v3beta1', { served: false }), v('v1beta1', { deprecated: true, deprecationWarning: 'use v2, v1beta1 goes in 2027' })]));
    const warnings = Object.fromEntries(def.versions.map((x) => [x.name, x.deprecationWarning]));
    expect(warnings).toEqual({
      v2: undefined,
      v1: 'example.com/v1 Widget is deprecated; use example.com/v2 Widget',
      v3beta1: undefined,
      v1beta1: 'use v2, v1beta1 goes in 2027',
      v1alpha1: 'example.com/v1alpha1 Widget is deprecated; use example.com/v2 Widget',
    });
    const only = definitionFromCrd(crd([v('v2', { deprecated: true })]));
    expect(only.versions[0].deprecationWarning).toBe('example.com/v2 Widget is deprecated');
  });
});
