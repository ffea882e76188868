import { definitionFromCrd } from '@openpacific/contracts';
import { schemaCompileError, validateAgainstSchema } from './validate';

const def = definitionFromCrd({
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', kind: 'Widget' },
    versions: [{
      name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: {
        type: 'object',
        properties: {
          spec: {
            type: 'object',
            properties: {
              replicas: { type: 'integer', default: 1, minimum: 0, exclusiveMaximum: true, maximum: 10 },
              name: { type: 'string', maxLength: 3, pattern: '^[a-z]+$' },
              port: { 'x-kubernetes-int-or-string': true },
              when: { type: 'string', format: 'date-time' },
              selector: { type: 'object', default: { app: 'web' }, properties: { app: { type: 'string' } } },
              labels: { type: 'object', additionalProperties: { type: 'string' } },
              free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { n: { type: 'integer', default: 5 } } },
              items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, weight: { type: 'integer', default: 10 } } } },
            },
          },
        },
      } },
    }],
  },
});
const widget = (spec: any, extra: any = {}) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec, ...extra });

describe('custom resources against their structural schema', () => {
  it('prunes fields no schema declares, keeping those under x-kubernetes-preserve-unknown-fields, and reports them', () => {
    const r = validateAgainstSchema(def, 'v1', widget({ replicas: 2, size: 3, labels: { a: 'b' }, free: { n: 1, anything: { x: 1 } }, items: [{ name: 'a', colour: 'red', weight: 1 }] }, { status: { x: 1 } }), 'Ignore');
    expect(r.pruned.spec).toEqual({ replicas: 2, labels: { a: 'b' }, free: { n: 1, anything: { x: 1 } }, items: [{ name: 'a', weight: 1 }], selector: { app: 'web' } });
    expect(r.pruned.status).toBeUndefined();
    expect(r.unknownFields.sort()).toEqual(['.spec.items[0].colour', '.spec.size', '.status']);
    expect(r.causes).toEqual([]);
  });

  it('takes no field name for a declared one because objects have it (constructor, toString)', () => {
    const r = validateAgainstSchema(def, 'v1', widget({ constructor: 1, toString: 'x' }), 'Ignore');
    expect(r.unknownFields.sort()).toEqual(['.spec.constructor', '.spec.toString']);
  });

  it('fills in defaults of absent fields, inside lists and objects that keep unknown fields too', () => {
    const r = validateAgainstSchema(def, 'v1', widget({ free: {}, items: [{ name: 'a' }] }), 'Strict');
    expect(r.pruned.spec).toEqual({ replicas: 1, selector: { app: 'web' }, free: { n: 5 }, items: [{ name: 'a', weight: 10 }] });
  });

  it('reports a wrong type as kube-apiserver does for custom resources', () => {
    const r = validateAgainstSchema(def, 'v1', widget({ replicas: 'many', port: true }), 'Strict');
    expect(r.causes).toEqual([
      { field: 'spec.replicas', reason: 'FieldValueTypeInvalid', message: 'Invalid value: "string": spec.replicas in body must be of type integer: "string"' },
      { field: 'spec.port', reason: 'FieldValueTypeInvalid', message: 'Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"' },
    ]);
    expect(validateAgainstSchema(def, 'v1', widget({ port: 'http' }), 'Strict').causes).toEqual([]);
    expect(validateAgainstSchema(def, 'v1', widget({ port: 8080 }), 'Strict').causes).toEqual([]);
  });

  it('words bounds as kube-apiserver does, OpenAPI\'s boolean exclusive bounds included', () => {
    const r = validateAgainstSchema(def, 'v1', widget({ replicas: 10, name: 'abcD' }), 'Strict');
    expect(r.causes.map((c) => `${c.field}: ${c.message}`)).toEqual([
      'spec.replicas: Invalid value: 10: spec.replicas in body should be less than 10',
      'spec.name: Invalid value: "abcD": spec.name in body should be at most 3 chars long',
      'spec.name: Invalid value: "abcD": spec.name in body should match \'^[a-z]+$\'',
    ]);
    expect(validateAgainstSchema(def, 'v1', widget({ replicas: -1 }), 'Strict').causes[0].message).toBe('Invalid value: -1: spec.replicas in body should be greater than or equal to 0');
  });

  it('checks the string formats kube-apiserver checks, after the defaults are filled in', () => {
    const r = validateAgainstSchema(def, 'v1', widget({ when: 'tomorrow' }), 'Strict');
    expect(r.causes).toEqual([{ field: 'spec.when', reason: 'FieldValueTypeInvalid', message: 'Invalid value: "tomorrow": spec.when in body must be of type date-time: "tomorrow"' }]);
    expect(validateAgainstSchema(def, 'v1', widget({ when: '2026-12-04T10:00:00Z' }), 'Strict').causes).toEqual([]);
  });

  it('says why a schema cannot be compiled instead of throwing', () => {
    expect(schemaCompileError({ type: 'object', properties: { n: { type: 'integer', minimum: 'x' } } })).toMatch(/minimum/);
    expect(schemaCompileError({ type: 'object', properties: { n: { type: 'integer', minimum: 0 } } })).toBeUndefined();
  });
});
