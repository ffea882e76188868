import { resourceDefinitions } from '../index';
import { commonFieldDescriptions, describedKinds, descriptionKey, fieldSchemaAt, ownFieldDescriptions } from './index';

const served = resourceDefinitions.filter((d) => d.versions.some((v) => v.served));
const byKey = new Map(served.map((d) => [descriptionKey(d.group, d.kind), d]));

describe("kubectl explain's field descriptions", () => {
  it('are of kinds the API serves', () => {
    for (const key of describedKinds()) expect({ key, served: byKey.has(key) }).toEqual({ key, served: true });
  });

  it("name fields each kind's schema has, in at least one of its served versions", () => {
    const missing: string[] = [];
    for (const key of describedKinds()) {
      const d = byKey.get(key)!;
      for (const path of Object.keys(ownFieldDescriptions(key))) {
        if (path && !d.versions.some((v) => v.served && fieldSchemaAt(v.schema, path))) missing.push(`${key} ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('name the metadata fields of a kind with the whole ObjectMeta (a kind with less, such as a review, has fewer described)', () => {
    const configMap = byKey.get(descriptionKey('', 'ConfigMap'))!;
    expect(Object.keys(commonFieldDescriptions()).filter((path) => !fieldSchemaAt(configMap.versions[0].schema, path))).toEqual([]);
  });

  it('are sentences', () => {
    const odd: string[] = [];
    for (const key of [...describedKinds(), '(common)']) {
      const fields = key === '(common)' ? commonFieldDescriptions() : ownFieldDescriptions(key);
      for (const [path, text] of Object.entries(fields)) if (!/^[A-Z0-9`"(].*[.)]$/s.test(text.trim()) || text.length > 1200) odd.push(`${key} ${path}: ${text}`);
    }
    expect(odd).toEqual([]);
  });
});

describe('finding a field in a schema', () => {
  const schema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          containers: { type: 'array', items: { type: 'object', properties: { image: { type: 'string' } } } },
          either: { anyOf: [{ type: 'object', properties: { a: { type: 'string' } } }, { type: 'object', properties: { b: { type: 'string' } } }] },
        },
      },
    },
  };

  it("passes through arrays' items and branches, as kubectl explain names fields", () => {
    expect(fieldSchemaAt(schema, 'spec.containers.image')).toEqual({ type: 'string' });
    expect(fieldSchemaAt(schema, 'spec.either.b')).toEqual({ type: 'string' });
    expect(fieldSchemaAt(schema, '')).toBe(schema);
    expect(fieldSchemaAt(schema, 'spec.containers.name')).toBeUndefined();
    expect(fieldSchemaAt(schema, 'status')).toBeUndefined();
  });
});
