import { definitionFromCrd, eventResource } from '@openpacific/contracts';
import { ResourceRequest } from '../core';
import { ServedResource } from '../registry/registry';
import { selectorFor } from './read';

const def = definitionFromCrd({
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' },
    versions: [{
      name: 'v1', served: true, storage: true,
      schema: { openAPIV3Schema: { type: 'object', properties: {
        source: { type: 'string' },
        spec: { type: 'object', properties: { color: { type: 'string' }, size: { type: 'integer' }, ready: { type: 'boolean' } } },
      } } },
      selectableFields: [{ jsonPath: '.spec.color' }, { jsonPath: '.spec.size' }, { jsonPath: '.spec.ready' }, { jsonPath: '.source' }],
    }],
  },
});
const served: ServedResource = { def, version: def.versions[0], apiVersion: 'example.com/v1', resource: 'widgets.example.com' };
const selectIn = (target: ServedResource, fieldSelector: string) => selectorFor({ query: new URLSearchParams({ fieldSelector }), target: { served: target } } as unknown as ResourceRequest);
const select = (fieldSelector: string) => selectIn(served, fieldSelector);
const widget = (name: string, spec: object) => ({ metadata: { name, namespace: 'default' }, spec });

describe('field selectors of lists and watches', () => {
  const objects = [widget('a', { color: 'blue', size: 3, ready: true }), widget('b', { color: 'red', size: 5 }), widget('c', {})];
  const names = (fieldSelector: string) => objects.filter(select(fieldSelector)).map((o) => o.metadata.name);

  it('selects on its selectableFields, integers and booleans by their text, an absent field as the empty string', () => {
    expect(names('spec.color=blue')).toEqual(['a']);
    expect(names('spec.color!=blue,metadata.namespace=default')).toEqual(['b', 'c']);
    expect(names('spec.size=5')).toEqual(['b']);
    expect(names('spec.ready=true')).toEqual(['a']);
    expect(names('spec.color=')).toEqual(['c']);
    expect(names('metadata.name=c')).toEqual(['c']);
    // `source` is an Event's component only for Events.
    expect([{ ...widget('d', {}), source: 'lab' }].filter(select('source=lab')).map((o) => o.metadata.name)).toEqual(['d']);
  });

  it('keeps reading an Event\'s source as its component', () => {
    const events: ServedResource = { def: eventResource, version: eventResource.versions[0], apiVersion: 'v1', resource: 'events' };
    const event = { metadata: { name: 'e', namespace: 'default' }, source: { component: 'kubelet' } };
    expect(selectIn(events, 'source=kubelet')(event)).toBe(true);
    expect(() => selectIn(events, 'spec.color=blue')).toThrow('field label not supported: spec.color');
  });

  it('refuses any other field as kube-apiserver does', () => {
    expect(() => select('spec.shape=round')).toThrow('field label not supported: spec.shape');
  });
});
