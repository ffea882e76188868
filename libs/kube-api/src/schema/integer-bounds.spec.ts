import { resourceDefinitions } from '@openpacific/contracts';
import { withIntegerBounds } from './integer-bounds';
import { validateAgainstSchema } from './validate';

const kind = (k: string, group: string) => resourceDefinitions.find((d) => d.kind === k && d.group === group)!;
const messages = (r: { causes: Array<{ field: string; message: string }> }) => r.causes.map((c) => `${c.field}: ${c.message}`);

describe('integers bounded as kube-apiserver bounds them', () => {
  it('refuses an int32 field past 2^31 - 1 (a StatefulSet of 2147483648 replicas hung the scheduler) and any integer past 2^53', () => {
    const sts = (spec: object) => validateAgainstSchema(kind('StatefulSet', 'apps'), 'v1', { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'x' }, spec: { selector: {}, template: {}, ...spec } }, 'Strict');
    expect(messages(sts({ replicas: 2147483648 }))).toEqual(['spec.replicas: Invalid value: 2147483648: spec.replicas in body must be of type int32: "2147483648"']);
    expect(messages(sts({ replicas: 2147483647 }))).toEqual([]);
    const pod = (spec: object) => validateAgainstSchema(kind('Pod', ''), 'v1', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } }, 'Strict');
    expect(messages(pod({ terminationGracePeriodSeconds: 1e21 }))).toEqual(['spec.terminationGracePeriodSeconds: Invalid value: "number": spec.terminationGracePeriodSeconds in body must be of type integer: "number"']);
    expect(messages(pod({ terminationGracePeriodSeconds: 2 ** 40 }))).toEqual([]);
  });

  it('keeps a schema\'s own bounds, leaves numbers alone and shares what has no integer', () => {
    const schema = {
      type: 'object',
      properties: { a: { type: 'integer', minimum: 0 }, b: { type: 'number' }, c: { type: ['integer', 'string'], format: 'int32' }, d: { type: 'string' }, e: { type: 'array', items: { type: 'integer', maximum: 5 } } },
    };
    const out = withIntegerBounds(schema) as any;
    expect(out.properties.a).toEqual({ type: 'integer', minimum: 0, maximum: 2 ** 53 });
    expect(out.properties.b).toBe(schema.properties.b);
    expect(out.properties.c).toEqual({ type: ['integer', 'string'], format: 'int32', minimum: -(2 ** 31), maximum: 2 ** 31 - 1 });
    expect(out.properties.d).toBe(schema.properties.d);
    expect(out.properties.e.items).toEqual({ type: 'integer', maximum: 5, minimum: -(2 ** 53) });
    expect(schema.properties.a).toEqual({ type: 'integer', minimum: 0 });
    expect(withIntegerBounds(schema)).toBe(out);
  });
});
