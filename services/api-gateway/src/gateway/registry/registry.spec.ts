import { definitionFromCrd } from '@openpacific/contracts';
import { ResourceRegistry } from './registry';

const widgets = definitionFromCrd({
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', kind: 'Widget' },
    versions: [
      { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } },
      { name: 'v1beta1', served: false, storage: false, schema: { openAPIV3Schema: { type: 'object' } } },
    ],
  },
});

describe('the registry with custom kinds', () => {
  it('serves a custom kind from when it is set until it is removed, next to the built-in kinds', () => {
    const registry = new ResourceRegistry();
    const builtin = registry.definitions.length;
    expect(registry.lookup('example.com', 'v1', 'widgets')).toBeUndefined();
    registry.setCustom('widgets.example.com', widgets);
    expect(registry.lookup('example.com', 'v1', 'widgets')).toMatchObject({ apiVersion: 'example.com/v1', resource: 'widgets.example.com' });
    expect(registry.hasGroupVersion('example.com', 'v1')).toBe(true);
    expect(registry.hasGroupVersion('example.com', 'v1beta1')).toBe(false);
    expect(registry.storage('widgets.example.com').def).toBe(widgets);
    expect(registry.namespacedResources()).toContain(widgets);
    expect(registry.definitions.length).toBe(builtin + 1);
    expect(registry.builtinDefinitions.length).toBe(builtin);
    registry.setCustom('widgets.example.com', undefined);
    expect(registry.lookup('example.com', 'v1', 'widgets')).toBeUndefined();
    expect(registry.hasGroupVersion('example.com', 'v1')).toBe(false);
    expect(registry.definitions.length).toBe(builtin);
  });
});
