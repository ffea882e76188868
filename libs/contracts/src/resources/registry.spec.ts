import Ajv from 'ajv';
import { resourceDefinitions } from './index';
import { eventCatalogue } from '../events/catalogue';

describe('the resource registry', () => {
  it.each(resourceDefinitions.map((d) => [d.plural, d] as const))('%s has exactly one storage version and compiling schemas', (_p, def) => {
    expect(def.versions.filter((v) => v.storage)).toHaveLength(1);
    const ajv = new Ajv({ strict: false });
    for (const v of def.versions) expect(() => ajv.compile(v.schema)).not.toThrow();
  });

  it('has no two kinds answering to the same plural, short name or kind in a group', () => {
    const seen = new Set<string>();
    for (const d of resourceDefinitions) {
      for (const key of [d.plural, d.kind, ...d.shortNames].map((n) => `${d.group}/${n}`)) {
        expect(seen.has(key)).toBe(false);
        seen.add(key);
      }
    }
  });

  it('refuses an object event without a uid', () => {
    const validate = new Ajv().compile(eventCatalogue.ResourceCreated);
    expect(validate({ resource: 'namespaces', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', creationTimestamp: 'x' } } })).toBe(false);
    expect(validate({ resource: 'namespaces', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', uid: 'u', creationTimestamp: 'x' } } })).toBe(true);
  });
});
