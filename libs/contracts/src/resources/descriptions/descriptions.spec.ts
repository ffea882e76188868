import { resourceDefinitions } from '../index';
import { commonFieldDescriptions, describedKinds, descriptionKey, fieldSchemaAt, ownFieldDescriptions } from './index';

const served = resourceDefinitions.filter((d) => d.versions.some((v) => v.served));
const byKey = new Map(served.map((d) => [descriptionKey(d.group, d.kind), d]));

/**
 * Served kinds `kubectl explain` may show without descriptions of their own (the common `metadata.*` ones still show).
 * Empty: every served kind is described. A kind put here must say why.
 */
const UNDESCRIBED_KINDS = new Set<string>([]);

describe("kubectl explain's field descriptions", () => {
  it('are of kinds the API serves', () => {
    for (const key of describedKinds()) expect({ key, served: byKey.has(key) }).toEqual({ key, served: true });
  });

  it('describe every served kind, its top-level fields (`rules`, `data`, `spec`, `status`) and the direct fields of its spec and status', () => {
    const undescribed: string[] = [];
    for (const [key, d] of byKey) {
      if (UNDESCRIBED_KINDS.has(key)) continue;
      const own = ownFieldDescriptions(key);
      const paths = new Set(['']);
      for (const v of d.versions.filter((version) => version.served)) {
        for (const top of Object.keys((v.schema as { properties?: object }).properties ?? {})) {
          if (['apiVersion', 'kind', 'metadata'].includes(top)) continue;
          paths.add(top);
          if (top === 'spec' || top === 'status') for (const child of Object.keys(fieldSchemaAt(v.schema, top)?.properties ?? {})) paths.add(`${top}.${child}`);
        }
      }
      for (const path of paths) if (!(path in own)) undescribed.push(`${key} ${path || '(the kind)'}`);
    }
    expect(undescribed).toEqual([]);
  });

  it('leave undescribed only kinds the API serves', () => {
    for (const key of UNDESCRIBED_KINDS) expect({ key, served: byKey.has(key) }).toEqual({ key, served: true });
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
